import { ApiObject } from 'cdk8s';
import { PipelineRun } from '../internal/pipeline';
import { ManifestSet } from '../rules/internal/manifests';
import { isDefaultDeny } from '../rules/network/default-deny';
import { workloadPolicy } from '../rules/network/workload-policy';

/**
 * The CHECKS stage for the hardened profile's network part (DESIGN.md §5): every
 * hardened workload that does not relax it needs a default-deny NetworkPolicy in
 * its namespace and its own policies (by matchLabels) for Ingress and Egress,
 * judged over the final objects of the whole app with the same definitions as
 * SL-NET-1 and SL-NET-2, so the synth refuses exactly what the pack would.
 */
export function checkNetworkCoverage(run: PipelineRun, targets: Map<ApiObject, string>): void {
  if (targets.size === 0) return;
  const { objects, manifests } = run.snapshot();
  const set = ManifestSet.of(manifests);
  const denied = new Set(set.ofKind('NetworkPolicy').filter((p) => isDefaultDeny(p.obj)).map((p) => p.namespace));
  const uncovered = new Map<number, string>();
  for (const f of workloadPolicy.check(manifests).findings) uncovered.set(f.objectIndex, f.message.replace(/^[^:]*: /, ''));

  for (const pod of set.pods) {
    const obj = objects[pod.ref.index];
    const path = targets.get(obj);
    if (path === undefined) continue;
    const ns = pod.ref.namespace;
    const problems: string[] = [];
    const fixes: string[] = [];
    if (!denied.has(ns)) {
      problems.push(`namespace '${ns || '(unset)'}' has no default-deny NetworkPolicy (SL-NET-1)`);
      fixes.push(`a NamespaceNetworkBaseline or HardenedNamespace for namespace '${ns || '(unset)'}'`);
    }
    const own = uncovered.get(pod.ref.index);
    if (own) {
      problems.push(`${own} (SL-NET-2)`);
      fixes.push('a WorkloadNetworkPolicy for it (Ingress and Egress, with the peers it needs)');
    }
    if (problems.length === 0) continue;
    run.error(obj, `[${path}] ${pod.metaPath}.labels: ${problems.join(', and ')}, so nothing limits its traffic to what it needs. `
      + `Fix: add ${fixes.join(' and ')}, or add Relaxation.noNetworkPolicy(reason) to its profile when its traffic is governed outside the app`);
  }
}
