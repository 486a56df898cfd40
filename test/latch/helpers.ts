import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GuardOptions, Latch, LatchCredentials, LatchHubProps, LatchMode, LatchProps, SuperlatchKeys } from '../../src';
import { coverNetwork, find, goodContainer, IMAGE, newChart, podSpec, podTemplate } from '../util';

/** The name of a latch mode (its `superlatch.io/mode` value). */
export type ModeName = 'sidecar' | 'hub';

/** Both modes, by name (the `superlatch.io/mode` values, as test titles). */
export const MODES: ModeName[] = ['sidecar', 'hub'];

/** The latch mode `name`; the hub gets an API server address (and `hub`). */
export function latchMode(name: ModeName, hub: Partial<LatchHubProps> = {}): LatchMode {
  return name === 'hub' ? LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'], ...hub }) : LatchMode.sidecar();
}

/** A chart (namespace `apps`) whose Deployment `web` a latch `latch` guards, synthesized; hub mode gets an API server address. */
export function synthGuarded(mode: ModeName, props: Partial<LatchProps> = {}, options: GuardOptions = {}) {
  const { chart } = newChart();
  const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
  coverNetwork(chart, web);
  const latch = new Latch(chart, 'latch', {
    mode: latchMode(mode),
    credentials: LatchCredentials.fromSecret('latch-credentials'),
    api: { cidrs: ['203.0.113.0/24'] },
    image: IMAGE,
    ...props,
  });
  latch.guard(web, options);
  const out = Testing.synth(chart);
  return { out, latch, web: find(out, 'Deployment', 'web') };
}

/** The container security context of the latch's own containers (agent, gate): the full restricted settings, uid 10002. */
export const LATCH_CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsGroup: 10002,
  runAsNonRoot: true,
  runAsUser: 10002,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

export function workloads(manifests: any[]): any[] {
  return manifests.filter((m) => WORKLOAD_KINDS.includes(m.kind));
}

/** Every (workload, container) pair mounting `volume` of the pod, with the mount. */
export function mountsOf(w: any, volume: string): Array<{ container: string; readOnly: boolean }> {
  const spec = podSpec(w);
  return [...(spec.initContainers ?? []), ...spec.containers].flatMap((c: any) =>
    (c.volumeMounts ?? []).filter((m: any) => m.name === volume).map((m: any) => ({ container: c.name, readOnly: m.readOnly === true })));
}

/** Names of the containers that can read a Secret, by volume or env. */
export function secretReaders(w: any, secretName: string): string[] {
  const spec = podSpec(w);
  const vols = (spec.volumes ?? []).filter((v: any) => v.secret?.secretName === secretName
    || v.projected?.sources?.some((s: any) => s.secret?.name === secretName)).map((v: any) => v.name);
  return [...(spec.initContainers ?? []), ...spec.containers].filter((c: any) =>
    (c.volumeMounts ?? []).some((m: any) => vols.includes(m.name))
    || (c.env ?? []).some((e: any) => e.valueFrom?.secretKeyRef?.name === secretName)
    || (c.envFrom ?? []).some((e: any) => e.secretRef?.name === secretName)).map((c: any) => c.name);
}

function selects(selector: any, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
    && (selector?.matchExpressions ?? []).length === 0;
}

/** NetworkPolicies (same namespace) that select the pods of workload `w`. */
export function policiesFor(manifests: any[], w: any): any[] {
  const labels = podTemplate(w).metadata.labels ?? {};
  return manifests.filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === w.metadata.namespace && selects(m.spec.podSelector, labels));
}

/** Every egress destination the pods of `w` are allowed, as readable strings ("cidr:port", "dns"). */
export function egressOf(manifests: any[], w: any): string[] {
  const out = new Set<string>();
  for (const p of policiesFor(manifests, w)) {
    if (!(p.spec.policyTypes ?? []).includes('Egress')) continue;
    for (const rule of p.spec.egress ?? []) {
      const ports = (rule.ports ?? [{}]).map((x: any) => `${x.protocol ?? 'TCP'}/${x.port ?? '*'}`);
      for (const peer of rule.to ?? [{ any: true }]) {
        let dest: string;
        if (peer.ipBlock) dest = peer.ipBlock.cidr;
        else if (peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns') dest = 'kube-dns';
        else dest = JSON.stringify(peer);
        ports.forEach((port: string) => out.add(`${dest} ${port}`));
      }
    }
  }
  return [...out].sort();
}

export const DNS = ['kube-dns TCP/53', 'kube-dns UDP/53'];

export function guardedWorkloads(manifests: any[]): any[] {
  return workloads(manifests).filter((w) => podTemplate(w).metadata.labels?.[SuperlatchKeys.ROLE_LABEL] === SuperlatchKeys.ROLE_GUARDED);
}

export function agentWorkloads(manifests: any[]): any[] {
  return workloads(manifests).filter((w) => podTemplate(w).metadata.labels?.[SuperlatchKeys.ROLE_LABEL] === SuperlatchKeys.ROLE_AGENT);
}
