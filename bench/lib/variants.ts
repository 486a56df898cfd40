/**
 * What the synthesis benchmarks build: N web workloads (Deployment + Service +
 * network policy) in one chart, in several variants compared side by side.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, Latch, LatchCredentials, LatchMode, NamespaceNetworkBaseline, NetworkPeer, PolicyPort, WorkloadNetworkPolicy } from '../../src';

export const IMAGE = `registry.example.com/web:1.0@sha256:${'ab'.repeat(32)}`;

function container(): kplus.ContainerProps {
  return {
    name: 'web',
    image: IMAGE,
    portNumber: 8080,
    liveness: kplus.Probe.fromTcpSocket({ port: 8080 }),
    readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }),
  };
}

/** cdk8s-plus-27 defaults: Deployment, Service, NetworkPolicy. */
function plain(chart: Chart, n: number) {
  for (let i = 0; i < n; i++) {
    const web = new kplus.Deployment(chart, `web${i}`, { metadata: { name: `web${i}` }, containers: [container()] });
    web.exposeViaService({ name: `web${i}` });
    const np = new kplus.NetworkPolicy(chart, `web${i}-policy`, { selector: web });
    np.addIngressRule(kplus.Pods.all(chart, `all${i}`), [kplus.NetworkPolicyPort.tcp(8080)]);
  }
}

/** The same, hardened: profile, ServiceAccount, PDB, namespace baseline, workload policy. */
function hardened(chart: Chart, n: number, guard?: (web: kplus.Deployment) => void) {
  new NamespaceNetworkBaseline(chart, 'baseline');
  for (let i = 0; i < n; i++) {
    const web = new kplus.Deployment(chart, `web${i}`, { metadata: { name: `web${i}` }, containers: [container()] });
    web.exposeViaService({ name: `web${i}` });
    Harden.workload(web);
    new WorkloadNetworkPolicy(chart, `web${i}-policy`, {
      workload: web,
      ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [PolicyPort.tcp(8080)] }],
    });
    guard?.(web);
  }
}

function latch(chart: Chart, mode: LatchMode): Latch {
  return new Latch(chart, 'latch', {
    mode,
    credentials: LatchCredentials.fromSecret('latch-credentials'),
    api: { cidrs: ['203.0.113.0/24'] },
    hub: mode === LatchMode.HUB ? { apiServerCidrs: ['10.0.0.1/32'] } : undefined,
    image: IMAGE,
  });
}

/** Hardened workloads, each guarded by one sidecar-mode latch. */
function sidecar(chart: Chart, n: number) {
  const l = latch(chart, LatchMode.SIDECAR);
  hardened(chart, n, (web) => l.guard(web));
}

/** Hardened workloads, all guarded by one hub-mode latch. */
function hub(chart: Chart, n: number) {
  const l = latch(chart, LatchMode.HUB);
  hardened(chart, n, (web) => l.guard(web));
}

export const VARIANTS: Record<string, (chart: Chart, n: number) => void> = { plain, hardened, sidecar, hub };
