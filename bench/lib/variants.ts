/**
 * What the synthesis benchmarks build: N web workloads (Deployment + Service +
 * network policy) spread over one or more charts of one namespace, in several
 * variants compared side by side.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { peer, raw } from './peers';
import type * as Superlatch from '../../src';

/**
 * The library, loaded by the variants that use it only: the plain and
 * hand-written variants must not pay for loading it (about 60 ms of CPU).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = (): typeof Superlatch => require('../../src');

export const IMAGE = `registry.example.com/web:1.0@sha256:${'ab'.repeat(32)}`;

/** The web container every variant runs. */
export function webContainer(): kplus.ContainerProps {
  return {
    name: 'web',
    image: IMAGE,
    portNumber: 8080,
    liveness: kplus.Probe.fromTcpSocket({ port: 8080 }),
    readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }),
  };
}

/**
 * `count` charts of namespace `bench`. Every variant gives each object the same
 * name whatever the chart count, so 1 and 50 charts synthesize the same objects.
 */
export function benchCharts(app: App, count: number): Chart[] {
  return Array.from({ length: count }, (_, c) => new Chart(app, `bench${c}`, { namespace: 'bench', disableResourceNameHashes: true }));
}

/** Workload i goes to chart i mod the chart count. */
const chartOf = (charts: Chart[], i: number) => charts[i % charts.length];

/** cdk8s-plus-27 defaults: Deployment, Service, NetworkPolicy. */
function plain(charts: Chart[], n: number) {
  for (let i = 0; i < n; i++) {
    const chart = chartOf(charts, i);
    const web = new kplus.Deployment(chart, `web${i}`, { metadata: { name: `web${i}` }, containers: [webContainer()] });
    web.exposeViaService({ name: `web${i}` });
    const np = new kplus.NetworkPolicy(chart, `web${i}-policy`, { metadata: { name: `web${i}-policy` }, selector: web });
    np.addIngressRule(kplus.Pods.all(chart, `all${i}`), [kplus.NetworkPolicyPort.tcp(8080)]);
  }
}

/**
 * The same, hardened: profile, ServiceAccount, PDB, workload policy, and the
 * namespace baseline once (in the first chart).
 */
function hardened(charts: Chart[], n: number, guard?: (web: kplus.Deployment) => void) {
  const { Harden, NamespaceNetworkBaseline, NetworkPeer, NetworkPeerPort, WorkloadNetworkPolicy } = lib();
  new NamespaceNetworkBaseline(charts[0], 'baseline');
  for (let i = 0; i < n; i++) {
    const chart = chartOf(charts, i);
    const web = new kplus.Deployment(chart, `web${i}`, { metadata: { name: `web${i}` }, containers: [webContainer()] });
    web.exposeViaService({ name: `web${i}` });
    Harden.workload(web);
    new WorkloadNetworkPolicy(chart, `web${i}-policy`, {
      workload: web,
      ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(8080)] }],
    });
    guard?.(web);
  }
}

function latch(chart: Chart, mode: Superlatch.LatchMode): Superlatch.Latch {
  const { Latch, LatchCredentials } = lib();
  return new Latch(chart, 'latch', {
    mode,
    credentials: LatchCredentials.fromSecret('latch-credentials'),
    api: { cidrs: ['203.0.113.0/24'] },
    image: IMAGE,
  });
}

/** Hardened workloads, each guarded by one sidecar-mode latch (in the first chart). */
function sidecar(charts: Chart[], n: number) {
  const l = latch(charts[0], lib().LatchMode.sidecar());
  hardened(charts, n, (web) => l.guard(web));
}

/** Hardened workloads, all guarded by one hub-mode latch (in the first chart). */
function hub(charts: Chart[], n: number) {
  const l = latch(charts[0], lib().LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'] }));
  hardened(charts, n, (web) => l.guard(web));
}

/** Hardened, with `RulePack.restricted()` attached to the app. */
function packed(charts: Chart[], n: number) {
  lib().RulePack.restricted().attachTo(charts[0].node.root);
  hardened(charts, n);
}

/** Each variant builds N workloads into the given charts. */
export const VARIANTS: Record<string, (charts: Chart[], n: number) => void> = { plain, hardened, sidecar, hub, peer, raw, packed };
