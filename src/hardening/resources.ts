import type * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { quantity } from '../internal/quantity';

/**
 * cdk8s-plus-27 gives every container created without `resources` its own
 * defaults (container.js, `defaultResourceSpec`): cpu 1000m/1500m, memory
 * 512Mi/2048Mi. Left in place they would hide the profile's defaults, so the
 * hardening removes them first and fills in the profile's.
 */
const PLUS_DEFAULTS = {
  requests: { cpu: '1000m', memory: '512Mi' },
  limits: { cpu: '1500m', memory: '2048Mi' },
} as const;

/**
 * Names of the containers of a cdk8s-plus workload that hold cdk8s-plus's own
 * default resources, i.e. that were created without `resources` (empty for a
 * raw ApiObject).
 *
 * cdk8s-plus keeps the user's `ContainerResources` object as given, so it is
 * told apart from the default by its exact shape: `Cpu.millis(1000)` and
 * `Cpu.millis(1500)`, `Size.mebibytes(512)` and `Size.mebibytes(2048)`, nothing
 * else. Only resources written exactly that way by the user look the same
 * (`Cpu.units(1)`, `Size.gibibytes(2)` or any other field tell them apart).
 */
export function containersWithPlusDefaults(workload: IConstruct): string[] {
  const w = workload as Partial<Pick<kplus.AbstractPod, 'containers' | 'initContainers'>>;
  const all = [...(w.initContainers ?? []), ...(w.containers ?? [])];
  return all.filter((c) => isPlusDefault(c.resources)).map((c) => c.name);
}

function isPlusDefault(r: kplus.ContainerResources | undefined): boolean {
  const keys = (o: object | undefined) => Object.keys(o ?? {}).filter((k) => (o as any)[k] !== undefined).sort().join();
  return keys(r) === 'cpu,memory' && keys(r!.cpu) === 'limit,request' && keys(r!.memory) === 'limit,request'
    && r!.cpu!.request!.amount === PLUS_DEFAULTS.requests.cpu && r!.cpu!.limit!.amount === PLUS_DEFAULTS.limits.cpu
    && r!.memory!.request!.asString() === PLUS_DEFAULTS.requests.memory && r!.memory!.limit!.asString() === PLUS_DEFAULTS.limits.memory;
}

/**
 * A rendered container's `resources` without the values cdk8s-plus filled in
 * that are still there unchanged (an escape-hatch patch that changed one of
 * them keeps its value). Pure: returns a new object.
 */
export function withoutPlusDefaults(resources: any): any {
  const out: any = {};
  for (const group of ['requests', 'limits'] as const) {
    const kept = Object.fromEntries(Object.entries(resources?.[group] ?? {})
      .filter(([k, v]) => (PLUS_DEFAULTS[group] as Record<string, string>)[k] !== v));
    if (Object.keys(kept).length > 0) out[group] = kept;
  }
  return out;
}

function smaller(a: string, b: string): string {
  const [x, y] = [quantity(a), quantity(b)];
  return x !== undefined && y !== undefined && x > y ? b : a;
}

function larger(a: string, b: string): string {
  const [x, y] = [quantity(a), quantity(b)];
  return x !== undefined && y !== undefined && y > x ? b : a;
}

/**
 * Fills a container's unset requests and limits (`res`, modified in place) from
 * the profile's defaults without ever making a request exceed its limit: a lone
 * limit gets the smaller of the default request and itself; a lone request gets
 * the larger of the default limit and itself. A request above its own limit, as
 * the workload wrote them, is left for SL-HARD-26 to refuse.
 */
export function fillResources(res: any, defaults: { requests: Record<string, string>; limits: Record<string, string> }): void {
  const requests = { ...(res.requests ?? {}) };
  const limits = { ...(res.limits ?? {}) };
  for (const r of Object.keys(defaults.requests)) {
    const req = requests[r];
    const lim = limits[r];
    if (req === undefined && lim === undefined) {
      requests[r] = defaults.requests[r];
      limits[r] = defaults.limits[r];
    } else if (req === undefined) {
      requests[r] = smaller(defaults.requests[r], lim);
    } else if (lim === undefined) {
      limits[r] = larger(defaults.limits[r], req);
    }
  }
  res.requests = requests;
  res.limits = limits;
}
