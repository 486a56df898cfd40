import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { NamespaceNetworkBaseline, WorkloadNetworkPolicy } from '../src';

/** A digest-pinned image for tests (the digest only has to be well-formed). */
export const IMAGE = `registry.example.com/app:1.0@sha256:${'ab'.repeat(32)}`;

/** A container that satisfies the hardened profile (port >= 1024, distinct probes, digest). */
export function goodContainer(overrides: Partial<kplus.ContainerProps> = {}): kplus.ContainerProps {
  return {
    name: 'app',
    image: IMAGE,
    portNumber: 8080,
    liveness: kplus.Probe.fromTcpSocket({ port: 8080 }),
    readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080 }),
    ...overrides,
  };
}

export function newChart(namespace = 'apps'): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'test', { namespace, disableResourceNameHashes: true });
  return { app, chart };
}

/**
 * What the restricted profile asks of every hardened workload's network (SL-NET-1/2):
 * the namespace default-deny of `chart`'s namespace (once per chart) and, for each
 * workload, a policy of its own for Ingress and Egress with no peers but DNS.
 */
export function coverNetwork(chart: Chart, ...workloads: IConstruct[]): void {
  if (!chart.node.tryFindChild('default-deny')) new NamespaceNetworkBaseline(chart, 'default-deny');
  for (const w of workloads) new WorkloadNetworkPolicy(chart, `${w.node.id}-policy`, { workload: w });
}

export function find(manifests: any[], kind: string, name?: string): any {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata?.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ' ' + name : ''}, found ${found.length}: ${manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/** The pod spec of any workload manifest. */
export function podSpec(m: any): any {
  return podTemplate(m).spec;
}

export function podTemplate(m: any): any {
  switch (m.kind) {
    case 'Pod': return m;
    case 'CronJob': return m.spec.jobTemplate.spec.template;
    default: return m.spec.template;
  }
}

export function allContainers(m: any): any[] {
  const s = podSpec(m);
  return [...(s.initContainers ?? []), ...(s.containers ?? [])];
}

/** Message of the error `fn` throws (fails the test if it does not throw). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}

/** `@default` text of every prop of `iface` in `file` that documents one (required props have none). */
export function documentedDefaults(file: string, iface: string): Record<string, string> {
  const src = fs.readFileSync(path.join(__dirname, '..', 'src', file), 'utf8');
  const body = src.slice(src.indexOf(`export interface ${iface} {`));
  const block = body.slice(0, body.indexOf('\n}\n'));
  const out: Record<string, string> = {};
  for (const m of block.matchAll(/\/\*\*([\s\S]*?)\*\/\s*readonly (\w+)\??:/g)) {
    const def = /@default (.*)/.exec(m[1]);
    if (def) out[m[2]] = def[1].trim();
  }
  return out;
}

/** One workload of every kind cdk8s-plus makes, named `w`, ready for the restricted profile. */
export const WORKLOAD_MAKERS: Array<[string, (chart: Chart) => IConstruct]> = (() => {
  const batch = { ...goodContainer(), liveness: undefined, readiness: undefined };
  return [
    ['Deployment', (c) => new kplus.Deployment(c, 'w', { metadata: { name: 'w' }, containers: [goodContainer()] })],
    ['StatefulSet', (c) => new kplus.StatefulSet(c, 'w', {
      metadata: { name: 'w' },
      containers: [goodContainer()],
      service: new kplus.Service(c, 'svc', { metadata: { name: 'w' }, ports: [{ port: 8080 }], clusterIP: 'None' }),
    })],
    ['DaemonSet', (c) => new kplus.DaemonSet(c, 'w', { metadata: { name: 'w' }, containers: [goodContainer()] })],
    ['Job', (c) => new kplus.Job(c, 'w', { metadata: { name: 'w' }, containers: [batch] })],
    ['CronJob', (c) => new kplus.CronJob(c, 'w', { metadata: { name: 'w' }, containers: [batch], schedule: Cron.daily() })],
    ['Pod', (c) => new kplus.Pod(c, 'w', { metadata: { name: 'w' }, containers: [goodContainer()] })],
  ];
})();

/**
 * Paths of the objects and arrays that appear twice in `manifests` (the same
 * JavaScript value in two places): cdk8s writes such a value as a YAML anchor and
 * alias, which a reviewer reads as indirection and some tools do not accept.
 */
export function sharedValues(manifests: any[]): string[] {
  const seen = new Map<object, string>();
  const out: string[] = [];
  const walk = (v: any, at: string): void => {
    if (v === null || typeof v !== 'object') return;
    const first = seen.get(v);
    if (first !== undefined) {
      out.push(`${at} is ${first}`);
      return;
    }
    seen.set(v, at);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  manifests.forEach((m, i) => walk(m, `${m?.kind ?? 'object'}#${i}`));
  return out;
}
