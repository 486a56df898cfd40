import * as path from 'node:path';
import { Chart, Include, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { bindingsOf, boundWorkloads, serviceAccountOf, tokenContainers } from './support/api-access';
import { inNamespace, loadYaml, pairWorkloads, podTemplateOf, UPSTREAM, workloadId } from './support/manifests';
import { selections, selectorMismatches } from './support/selection';
import { securityContextWeakenings } from './support/weakening';
import { Harden, HardeningProfile, Relaxation, RulePack } from '../../src';

/**
 * Issue 9, first "Done when": real upstream apps, included with `Include` and
 * hardened with `Harden.chart` plus only the relaxations the synth asks for,
 * keep working and lose none of their own security settings.
 */
interface HardenedApp {
  /** The upstream manifests, placed in the chart's namespace. */
  readonly upstream: any[];
  /** The synthesized manifests; undefined when the synth refused. */
  readonly hardened?: any[];
  /** What the synth asked for, in the order it asked. */
  readonly relaxations: Relaxation[];
  /** The synth's error when no relaxation could satisfy it. */
  readonly refused?: string;
}

/** A relaxation the synth asks for, from the fix in its message (`add Relaxation.noProbes(reason)`). */
function relaxationsAskedFor(message: string, reason: string): Relaxation[] {
  const out: Relaxation[] = [];
  for (const [, name, capabilities] of message.matchAll(/Relaxation\.(\w+)\((?:\[([^\]]*)\], )?reason\)/g)) {
    out.push(name === 'addCapabilities'
      ? Relaxation.addCapabilities(capabilities.split(',').map((c) => c.trim().replace(/'/g, '')), reason)
      : (Relaxation as any)[name](reason));
  }
  return out;
}

/** One relaxation per name (capabilities merged), so the profile accepts the list. */
function merged(relaxations: Relaxation[], reason: string): Relaxation[] {
  const capabilities = [...new Set(relaxations.flatMap((r) => r.capabilities))];
  const others = relaxations.filter((r, i) => r.capabilities.length === 0 && relaxations.findIndex((x) => x.name === r.name) === i);
  return capabilities.length > 0 ? [...others, Relaxation.addCapabilities(capabilities, reason)] : others;
}

function hardenUpstream(app: string, files: string[], namespace: string): HardenedApp {
  const upstream = inNamespace(loadYaml(files), namespace);
  const reason = `asked for by the synth of upstream ${app}`;
  let relaxations: Relaxation[] = [];
  for (;;) {
    const cdk8sApp = Testing.app();
    const chart = new Chart(cdk8sApp, app, { namespace, disableResourceNameHashes: true });
    for (const file of files) new Include(chart, path.basename(file, '.yaml'), { url: file });
    Harden.chart(chart, { profile: HardeningProfile.restricted({ relaxations }) });
    try {
      const hardened = YAML.parseAllDocuments(cdk8sApp.synthYaml()).map((d) => d.toJS()).filter((m) => m);
      return { upstream, hardened, relaxations };
    } catch (e) {
      const message = (e as Error).message;
      const more = merged([...relaxations, ...relaxationsAskedFor(message, reason)], reason);
      if (more.join('\n') === relaxations.join('\n')) return { upstream, relaxations, refused: message };
      relaxations = more;
    }
  }
}

/** What each app needs, pinned so that a change in the synth's demands shows in review. */
const ASKED: Record<string, string[]> = {
  // uid 999 (redis); containers without probes; REDIS_PASSWORD from a Secret; Ingress-only upstream
  // policies; controllers bound to (Cluster)Roles; tag-only images
  'argo-cd': ['low-ids', 'no-network-policy', 'no-probes', 'secrets-in-env', 'service-account-token', 'tag-only-images'],
  // no NetworkPolicy upstream; tag-only image
  'podinfo': ['no-network-policy', 'tag-only-images'],
};

const APPS: Array<[string, string[], string]> = [
  ['argo-cd', UPSTREAM.argoCd, 'argocd'],
  ['podinfo', UPSTREAM.podinfo, 'podinfo'],
];

describe('foreign workloads keep working when hardened', () => {
  describe.each(APPS)('%s', (app, files, namespace) => {
    let result: HardenedApp;
    beforeAll(() => {
      result = hardenUpstream(app, files, namespace);
    });

    test('the synth accepts it with relaxations only', () => {
      expect(result.refused).toBeUndefined();
    });

    test('the synth asked for exactly the relaxations upstream needs', () => {
      expect(result.relaxations.map((r) => r.name).sort()).toEqual(ASKED[app]);
    });

    test('every selector matches its template', () => {
      expect(selectorMismatches(result.hardened!)).toEqual([]);
    });

    test('every upstream Service and NetworkPolicy selects the same pods as upstream', () => {
      const hardened = new Map(selections(result.hardened!).map((s) => [s.by, s.pods]));
      const changed = selections(result.upstream)
        .filter((s) => JSON.stringify(hardened.get(s.by)) !== JSON.stringify(s.pods))
        .map((s) => `${s.by}: upstream ${s.pods.join(', ') || 'nothing'}, hardened ${hardened.get(s.by)?.join(', ') || 'nothing'}`);
      expect(changed).toEqual([]);
    });

    test('no securityContext value that upstream set is weakened', () => {
      const weakened = pairWorkloads(result.upstream, result.hardened!).flatMap((p) => p.hardened
        ? securityContextWeakenings(podTemplateOf(p.upstream), podTemplateOf(p.hardened)).map((w) => `${p.id} ${w.path}: ${JSON.stringify(w.upstream)} -> ${JSON.stringify(w.hardened)}`)
        : [`${p.id}: missing from the hardened output`]);
      expect(weakened).toEqual([]);
    });

    test('every pod whose ServiceAccount is bound keeps its bindings and API access', () => {
      // the app containers that had a token keep one (init containers and added containers are the hardening's choice)
      const hardenedById = new Map(pairWorkloads(result.upstream, result.hardened!).map((p) => [p.id, p]));
      const lost = boundWorkloads(result.upstream).flatMap((b) => {
        const { upstream, hardened } = hardenedById.get(b.workload)!;
        if (!hardened) return [`${b.workload}: missing from the hardened output`];
        const problems: string[] = [];
        const bindings = bindingsOf(serviceAccountOf(hardened), result.hardened!);
        if (JSON.stringify(bindings) !== JSON.stringify(b.bindings)) problems.push(`${b.workload}: bound by ${bindings.join(', ') || 'nothing'} instead of ${b.bindings.join(', ')}`);
        const appContainers = new Set(podTemplateOf(upstream).spec.containers.map((c: any) => c.name));
        const withToken = new Set(tokenContainers(hardened, result.hardened!));
        for (const name of tokenContainers(upstream, result.upstream).filter((n) => appContainers.has(n) && !withToken.has(n))) {
          problems.push(`${b.workload}: container ${name} lost its ServiceAccount token`);
        }
        return problems;
      });
      expect(lost).toEqual([]);
    });

    // what the pack would find on upstream's objects (secrets in env, Ingress-only policies) the synth asks for first
    test('the restricted pack reports no error that the synth did not already refuse', () => {
      const errors = RulePack.restricted().evaluate(result.hardened!).errors.map((f) => `${f.ruleId} ${f.kind}/${f.name} ${f.path}: ${f.message}`);
      expect(errors).toEqual([]);
    });
  });

  describe('a custom kind with a pod template (Argo Rollout)', () => {
    const upstream = inNamespace(loadYaml(UPSTREAM.argoRollout), 'rollouts');

    test('the restricted pack finds the privileged container and the host PID namespace upstream', () => {
      const report = RulePack.restricted().evaluate(upstream);
      expect(report.errors.filter((f) => f.kind === 'Rollout').map((f) => f.path).join('\n')).toMatch(/hostPID[\s\S]*privileged|privileged[\s\S]*hostPID/);
    });

    test('is hardened, or refused naming it, never skipped', () => {
      const result = hardenUpstream('rollout', UPSTREAM.argoRollout, 'rollouts');
      if (result.refused) {
        expect(result.refused).toMatch(/canary-demo/);
        return;
      }
      const rollout = result.hardened!.find((m) => workloadId(m) === 'Rollout/rollouts/canary-demo');
      const spec = podTemplateOf(rollout).spec;
      expect(spec.hostPID).not.toBe(true);
      expect(spec.containers[0].securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true });
      expect(selectorMismatches(result.hardened!)).toEqual([]);
      expect(RulePack.restricted().evaluate(result.hardened!).errors).toEqual([]);
    });
  });
});
