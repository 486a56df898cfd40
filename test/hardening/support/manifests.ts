import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { CLUSTER_SCOPED_KINDS } from '../../../src/internal/render';
import { TEMPLATE_PATHS } from '../../../src/internal/workload-kinds';

/** The vendored upstream apps (test/fixtures/upstream/<app>/, see each SOURCES.md). */
export const UPSTREAM = {
  argoCd: fixtureFiles('argo-cd', ['install.yaml']),
  podinfo: fixtureFiles('podinfo', ['deployment.yaml', 'service.yaml', 'hpa.yaml']),
  argoRollout: fixtureFiles('argo-rollout', ['rollout.yaml']),
};

function fixtureFiles(app: string, files: string[]): string[] {
  return files.map((f) => path.join(__dirname, '..', '..', 'fixtures', 'upstream', app, f));
}

/** Every document of the YAML files, in order (empty documents dropped). */
export function loadYaml(files: string[]): any[] {
  return files.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS()))
    .filter((m) => m !== null && m !== undefined);
}

/**
 * Copies of `manifests` with `namespace` on every namespaced object that has
 * none, as `kubectl apply -n <namespace>` would place them.
 */
export function inNamespace(manifests: any[], namespace: string): any[] {
  return manifests.map((m) => (CLUSTER_SCOPED_KINDS.has(m.kind) || m.metadata?.namespace)
    ? m
    : { ...m, metadata: { ...m.metadata, namespace } });
}

/** The namespace an object lives in (`default` when it names none). */
export function namespaceOf(m: any): string {
  return m.metadata?.namespace ?? 'default';
}

/** `kind/namespace/name`: how tests name a workload across upstream and hardened output. */
export function workloadId(m: any): string {
  return `${m.kind}/${namespaceOf(m)}/${m.metadata?.name}`;
}

/**
 * Where the pod template sits in `m`: the kind table's path for the built-in
 * kinds; for any other kind, `spec.template` or `spec.jobTemplate.spec.template`
 * when it holds a pod spec (an Argo Rollout, for example). Undefined for non-workloads.
 */
export function templatePathOf(m: any): string[] | undefined {
  const known = TEMPLATE_PATHS[m.kind];
  if (known) return [...known];
  return [['spec', 'template'], ['spec', 'jobTemplate', 'spec', 'template']]
    .find((p) => Array.isArray(at(m, [...p, 'spec', 'containers'])));
}

/** The pod template (`{ metadata, spec }`; the object itself for a Pod) of a workload, else undefined. */
export function podTemplateOf(m: any): any {
  const p = templatePathOf(m);
  return p ? at(m, p) : undefined;
}

/** The workloads (objects with a pod template) of `manifests`. */
export function workloadsOf(manifests: any[]): any[] {
  return manifests.filter((m) => podTemplateOf(m) !== undefined);
}

/** Every upstream workload with its counterpart (same `workloadId`) in the hardened output, if any. */
export function pairWorkloads(upstream: any[], hardened: any[]): Array<{ id: string; upstream: any; hardened?: any }> {
  const byId = new Map(workloadsOf(hardened).map((m) => [workloadId(m), m]));
  return workloadsOf(upstream).map((m) => ({ id: workloadId(m), upstream: m, hardened: byId.get(workloadId(m)) }));
}

/** The containers and init containers of a pod template, in order. */
export function containersOf(template: any): any[] {
  return [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])];
}

export function at(obj: any, keys: string[]): any {
  return keys.reduce((o, k) => o?.[k], obj);
}
