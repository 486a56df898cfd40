import { LIMIT_RESOURCES, QUOTA_OPTIONS } from './fields';
import { managedByUs } from '../internal/objects';
import { milliQuantity } from '../internal/quantity';
import { TEMPLATE_PATHS } from '../internal/workload-kinds';

/**
 * Whether the workloads of one namespace fit its LimitRanges and ResourceQuotas,
 * judged on the app's final manifests the way admission would judge their pods:
 *
 * - each container's requests and limits after the API server's defaulting
 *   (a lone limit is also the request) and the LimitRanges' defaults;
 * - LimitRange items of type `Container` (per container) and `Pod` (the pod's
 *   effective use: the sum of the containers and the native sidecars, or what runs
 *   during an init container if larger; see `PodResources`): `min`, `max`,
 *   `maxLimitRequestRatio`;
 * - ResourceQuotas without scopes: compute totals (`requests.*`, `limits.*`,
 *   bare `cpu`/`memory`/`ephemeral-storage`), `pods` and object counts
 *   (`services`, `services.loadbalancers`, `services.nodeports`, `configmaps`
 *   — the namespace's own `kube-root-ca.crt` included —, `secrets`,
 *   `persistentvolumeclaims`, `replicationcontrollers`). Other keys are not judged.
 *
 * Pods counted per workload: Deployments their replicas plus the rolling
 * update's surge (a quota that only fits the steady state stalls every
 * rollout); ReplicaSets, ReplicationControllers and StatefulSets their replicas;
 * a HorizontalPodAutoscaler's `maxReplicas` replaces the replicas of its target;
 * Jobs their parallelism (at most their completions); CronJobs one Job run
 * (concurrent runs are not assumed); DaemonSets and Pods one pod (the node
 * count is unknown: a lower bound).
 *
 * @param manifests the app's final manifests
 * @param paths the construct path of each manifest, in the same order
 * @param namespace the namespace judged
 * @returns one message per problem, with the construct path, the field and the fix
 */
export function namespaceFitErrors(manifests: any[], paths: string[], namespace: string): string[] {
  const objects = manifests.map((m, i) => ({ m, path: paths[i] })).filter((o) => o.m?.metadata?.namespace === namespace);
  const limitItems = objects.filter((o) => o.m.kind === 'LimitRange')
    .flatMap((o) => (o.m.spec?.limits ?? []).map((l: any) => limitItem(l, o.m)));
  const quotas = objects.filter((o) => o.m.kind === 'ResourceQuota' && !o.m.spec?.scopes?.length && !o.m.spec?.scopeSelector).map((o) => o.m);
  if (limitItems.length === 0 && quotas.length === 0) return [];

  const errors: string[] = [];
  const pods = objects.filter((o) => o.m.kind in TEMPLATE_PATHS && o.m.kind !== 'PodTemplate')
    .map((o) => podUse(o.m, o.path, objects.map((x) => x.m), limitItems, errors));
  for (const quota of quotas) errors.push(...quotaErrors(quota, namespace, pods, objects));
  return errors;
}

/** Resource name -> amount in thousandths (exact sums). */
type Amounts = Record<string, number>;

interface LimitItem {
  readonly type: string;
  readonly owner: string;
  readonly ours: boolean;
  readonly min: Record<string, string>;
  readonly max: Record<string, string>;
  readonly maxLimitRequestRatio: Record<string, string>;
  readonly default: Record<string, string>;
  readonly defaultRequest: Record<string, string>;
}

/** One LimitRange item with the API server's defaulting (default <- max, defaultRequest <- default, then min). */
function limitItem(l: any, lr: any): LimitItem {
  const max = l.max ?? {};
  const min = l.min ?? {};
  const dflt = l.type === 'Container' ? { ...max, ...(l.default ?? {}) } : {};
  const defaultRequest = l.type === 'Container' ? { ...min, ...dflt, ...(l.defaultRequest ?? {}) } : {};
  const owner = `LimitRange '${lr.metadata?.name}'`;
  const ours = managedByUs(lr.metadata);
  return { type: l.type, owner, ours, min, max, maxLimitRequestRatio: l.maxLimitRequestRatio ?? {}, default: dflt, defaultRequest };
}

interface PodUse {
  readonly path: string;
  readonly count: number;
  readonly countNote: string;
  readonly requests: Amounts;
  readonly limits: Amounts;
  /** `requests.cpu`-style keys that some container leaves unset, with where. */
  readonly unset: Map<string, string>;
}

function podUse(m: any, path: string, all: any[], items: LimitItem[], errors: string[]): PodUse {
  const tp = TEMPLATE_PATHS[m.kind];
  const spec = tp.reduce((o: any, k) => o?.[k], m)?.spec ?? {};
  const at = [...tp, 'spec'].join('.');
  const fail = (field: string, problem: string, fix: string) => errors.push(`[${path}] ${field}: ${problem}. Fix: ${fix}`);
  const unset = new Map<string, string>();

  const use = new PodResources();
  for (const group of ['initContainers', 'containers']) {
    (spec[group] ?? []).forEach((c: any, i: number) => {
      const field = `${at}.${group}[${i}].resources`;
      const { requests, limits, defaulted } = effective(c, items.filter((x) => x.type === 'Container'));
      for (const item of items.filter((x) => x.type === 'Container')) {
        checkBounds(item, { requests, limits }, `container '${c.name}'`, (g, r) => `${field}.${g}.${r}`, fail);
      }
      for (const r of Object.keys(requests)) {
        if (limits[r] !== undefined && requests[r] > limits[r] && defaulted.has(`limits.${r}`)) {
          fail(`${field}.limits.${r}`, `container '${c.name}' requests ${show(r, requests[r])} of ${r}, more than the limit ${show(r, limits[r])} the LimitRange gives it by default`, `set resources.limits.${r} to at least the request`);
        }
      }
      for (const g of ['requests', 'limits'] as const) {
        for (const r of RESOURCES) if ((g === 'requests' ? requests : limits)[r] === undefined) unset.set(`${g}.${r}`, `${field}.${g}.${r} (container '${c.name}')`);
      }
      use.add(group === 'containers' ? 'app' : c.restartPolicy === 'Always' ? 'sidecar' : 'init', { requests, limits });
    });
  }
  const pod = use.effective();
  for (const item of items.filter((x) => x.type === 'Pod')) {
    checkBounds(item, pod, 'the pod (sum of its containers)', (g, r) => `${at}.containers[*].resources.${g}.${r}`, fail);
  }
  return { path, ...podCount(m, all), ...pod, unset };
}

/**
 * The effective requests and limits of a pod, as the API server computes them for quotas
 * and LimitRange `Pod` items (KEP-753, the native sidecars of Kubernetes 1.29): the larger of
 *
 * - the sum of the regular containers and of the sidecars (init containers with
 *   `restartPolicy: Always`), which all run together, and
 * - for each init container in order, what runs while it does: a plain init container
 *   plus the sidecars started before it, or a sidecar with those before it.
 *
 * Without sidecars this is the classic larger of the sum of the containers and the largest
 * init container. Init containers must be added in their order, before or after the
 * regular containers (the regular containers only add to the sum).
 */
class PodResources {
  private readonly sum = { requests: {} as Amounts, limits: {} as Amounts };
  private readonly sidecars = { requests: {} as Amounts, limits: {} as Amounts };
  private readonly initPeak = { requests: {} as Amounts, limits: {} as Amounts };

  public add(kind: 'app' | 'sidecar' | 'init', use: { requests: Amounts; limits: Amounts }): void {
    for (const g of ['requests', 'limits'] as const) {
      if (kind !== 'init') addInto(this.sum[g], use[g]);
      if (kind === 'app') continue;
      if (kind === 'sidecar') addInto(this.sidecars[g], use[g]);
      // a sidecar runs with the sidecars before it (itself now included); a plain init container with them all
      const running = kind === 'sidecar' ? this.sidecars[g] : addInto({ ...this.sidecars[g] }, use[g]);
      for (const [r, v] of Object.entries(running)) this.initPeak[g][r] = Math.max(this.initPeak[g][r] ?? 0, v);
    }
  }

  public effective(): { requests: Amounts; limits: Amounts } {
    return { requests: larger(this.sum.requests, this.initPeak.requests), limits: larger(this.sum.limits, this.initPeak.limits) };
  }
}

function addInto(into: Amounts, more: Amounts): Amounts {
  for (const [r, v] of Object.entries(more)) into[r] = (into[r] ?? 0) + v;
  return into;
}

/** The resources a container ends up with: its own, a lone limit as the request, then the LimitRange defaults. */
function effective(c: any, items: LimitItem[]) {
  const requests = amounts(c.resources?.requests);
  const limits = amounts(c.resources?.limits);
  for (const [r, v] of Object.entries(limits)) requests[r] ??= v;
  const defaulted = new Set<string>();
  for (const item of items) {
    for (const [g, values, into] of [['limits', item.default, limits], ['requests', item.defaultRequest, requests]] as const) {
      for (const [r, v] of Object.entries(amounts(values))) {
        if (into[r] === undefined) {
          into[r] = v;
          defaulted.add(`${g}.${r}`);
        }
      }
    }
  }
  return { requests, limits, defaulted };
}

function checkBounds(item: LimitItem, use: { requests: Amounts; limits: Amounts }, who: string,
  field: (group: string, r: string) => string, fail: (field: string, problem: string, fix: string) => void) {
  const option = (r: string) => LIMIT_RESOURCES.find((x) => x.key === r)?.max;
  const hint = (r: string) => (item.ours && option(r) ? ` (HardenedNamespace limitRange.${option(r)})` : '');
  const word = (g: string) => (g === 'requests' ? 'request' : 'limit');
  for (const bound of ['min', 'max'] as const) {
    const [least, most] = bound === 'min' ? ['at least', 'below the minimum'] : ['at most', 'above the maximum'];
    for (const [r, text] of Object.entries(item[bound])) {
      const edge = milliQuantity(text)!;
      // min needs the request, max the limit; one message per resource (the other value follows from it)
      const groups = bound === 'min' ? ['requests', 'limits'] as const : ['limits', 'requests'] as const;
      if (use[groups[0]][r] === undefined) {
        fail(field(groups[0], r), `${who} sets no ${r} ${word(groups[0])}, and ${item.owner} requires ${bound === 'min' ? '' : 'one of '}${least} ${text}`, `set a ${r} ${word(groups[0])} of ${least} ${text}`);
        continue;
      }
      const g = groups.find((x) => use[x][r] !== undefined && (bound === 'min' ? use[x][r] < edge : use[x][r] > edge));
      if (g) {
        fail(field(g, r), `${who} has a ${r} ${word(g)} of ${show(r, use[g][r])}, ${most} ${text} of ${item.owner}`,
          `${bound === 'min' ? 'raise' : 'lower'} the ${word(g)} to ${least} ${text}, or ${bound === 'min' ? 'lower' : 'raise'} ${bound}.${r} of ${item.owner}${bound === 'max' ? hint(r) : ''}`);
      }
    }
  }
  for (const [r, ratioText] of Object.entries(item.maxLimitRequestRatio)) {
    const ratio = Number(milliQuantity(ratioText)) / 1000;
    const [req, lim] = [use.requests[r], use.limits[r]];
    if (!req || lim === undefined) {
      fail(field(lim === undefined ? 'limits' : 'requests', r), `${who} needs both a ${r} request and a limit: ${item.owner} caps their ratio at ${ratioText}`, 'set both');
    } else if (lim > req * ratio) {
      fail(field('limits', r), `${who} has a ${r} limit of ${show(r, lim)}, ${+(lim / req).toFixed(2)} times its request ${show(r, req)}, above the maxLimitRequestRatio ${ratioText} of ${item.owner}`,
        `raise the request to at least ${show(r, Math.ceil(lim / ratio))} or lower the limit to at most ${show(r, Math.floor(req * ratio))}`);
    }
  }
}

/** How many pods of a workload can run at once (see `namespaceFitErrors`). */
function podCount(m: any, all: any[]): { count: number; countNote: string } {
  const hpa = all.find((x) => x.kind === 'HorizontalPodAutoscaler' && x.spec?.scaleTargetRef?.kind === m.kind && x.spec?.scaleTargetRef?.name === m.metadata?.name);
  const replicas = hpa?.spec?.maxReplicas ?? m.spec?.replicas ?? 1;
  const base = hpa ? `${replicas} (the maxReplicas of HorizontalPodAutoscaler '${hpa.metadata?.name}')` : `${replicas} replicas`;
  switch (m.kind) {
    case 'Deployment': {
      const strategy = m.spec?.strategy ?? {};
      if (strategy.type === 'Recreate') return { count: replicas, countNote: base };
      const surge = strategy.rollingUpdate?.maxSurge ?? '25%';
      const extra = typeof surge === 'string' && surge.endsWith('%') ? Math.ceil((replicas * Number(surge.slice(0, -1))) / 100) : Number(surge);
      return { count: replicas + extra, countNote: extra ? `${base} + ${extra} surge in a rolling update` : base };
    }
    case 'StatefulSet': case 'ReplicaSet': case 'ReplicationController':
      return { count: replicas, countNote: base };
    case 'Job': case 'CronJob': {
      const job = m.kind === 'Job' ? m.spec : m.spec?.jobTemplate?.spec;
      const count = Math.min(job?.parallelism ?? 1, job?.completions ?? Infinity);
      return { count, countNote: m.kind === 'Job' ? `parallelism ${count}` : `parallelism ${count} of one run` };
    }
    default:
      return { count: 1, countNote: m.kind === 'DaemonSet' ? 'at least 1 (one per node)' : '1' };
  }
}

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** Quota keys on the pods' compute resources: [group, resource]. */
const COMPUTE_KEYS: Record<string, ['requests' | 'limits', string]> = Object.fromEntries(RESOURCES.flatMap((r) => [
  [r, ['requests', r]], [`requests.${r}`, ['requests', r]], [`limits.${r}`, ['limits', r]],
]));

/** Quota keys on object counts: how much one manifest uses. */
const OBJECT_KEYS: Record<string, (m: any) => number> = {
  'services': (m) => (m.kind === 'Service' ? 1 : 0),
  'services.loadbalancers': (m) => (m.kind === 'Service' && m.spec?.type === 'LoadBalancer' ? 1 : 0),
  'services.nodeports': (m) => (m.kind === 'Service' && (m.spec?.type === 'NodePort' || (m.spec?.type === 'LoadBalancer' && m.spec?.allocateLoadBalancerNodePorts !== false)) ? (m.spec?.ports ?? []).length : 0),
  'configmaps': (m) => (m.kind === 'ConfigMap' ? 1 : 0),
  'secrets': (m) => (m.kind === 'Secret' ? 1 : 0),
  'persistentvolumeclaims': (m) => (m.kind === 'PersistentVolumeClaim' ? 1 : m.kind === 'StatefulSet' ? (m.spec?.volumeClaimTemplates ?? []).length * (m.spec?.replicas ?? 1) : 0),
  'replicationcontrollers': (m) => (m.kind === 'ReplicationController' ? 1 : 0),
};

function quotaErrors(quota: any, namespace: string, pods: PodUse[], objects: Array<{ m: any; path: string }>): string[] {
  const errors: string[] = [];
  const name = `ResourceQuota '${quota.metadata?.name}'`;
  const option = (key: string) => (managedByUs(quota.metadata) && QUOTA_OPTIONS[key] ? ` (HardenedNamespace quota.${QUOTA_OPTIONS[key]})` : '');
  for (const [key, hardText] of Object.entries<string>(quota.spec?.hard ?? {})) {
    const hard = milliQuantity(hardText);
    if (hard === undefined) continue;
    const field = `${name} spec.hard['${key}']`;
    if (COMPUTE_KEYS[key]) {
      const [group, r] = COMPUTE_KEYS[key];
      const what = group === 'requests' ? 'request' : 'limit';
      for (const p of pods.filter((x) => x.unset.has(`${group}.${r}`))) {
        errors.push(`[${p.path}] ${p.unset.get(`${group}.${r}`)}: no ${r} ${what}, and ${name} of namespace '${namespace}' constrains ${key}, so the API server refuses the pods. Fix: set resources.${group}.${r}, or give the namespace a LimitRange default`);
      }
      const shares = pods.filter((p) => p.count > 0 && p[group][r]).map((p) => ({ p, total: p.count * p[group][r] }));
      const used = shares.reduce((s, x) => s + x.total, 0);
      if (used > hard) {
        const list = shares.map(({ p, total }) => `[${p.path}] ${p.countNote} × ${show(r, p[group][r])} = ${show(r, total)}`).join('; ');
        errors.push(`${field}: the pods of namespace '${namespace}' need ${show(r, used)} of ${key} in total, more than the ${hardText} the quota allows: ${list}. `
          + `Fix: lower the ${r} ${what}s or the replicas of these workloads, or raise ${key}${option(key)}`);
      }
    } else if (key === 'pods') {
      const used = pods.reduce((s, p) => s + p.count, 0);
      if (used * 1000 > hard) {
        errors.push(`${field}: the workloads of namespace '${namespace}' run up to ${used} pods, more than the ${hardText} the quota allows: ${pods.map((p) => `[${p.path}] ${p.countNote}`).join('; ')}. `
          + `Fix: lower the replicas (or parallelism) of these workloads, or raise pods${option(key)}`);
      }
    } else if (OBJECT_KEYS[key]) {
      // every namespace holds the ConfigMap kube-root-ca.crt, created by the control plane
      const users = objects.map((o) => ({ ...o, n: OBJECT_KEYS[key](o.m) })).filter((o) => o.n > 0);
      const own = key === 'configmaps' ? 1 : 0;
      const used = own + users.reduce((s, o) => s + o.n, 0);
      if (used * 1000 > hard) {
        errors.push(`${field}: namespace '${namespace}' would hold ${used} ${key}, more than the ${hardText} the quota allows: ${users.map((o) => `[${o.path}] ${o.n}`).join('; ')}${own ? '; kube-root-ca.crt (created by Kubernetes) 1' : ''}. `
          + `Fix: remove some of them, or raise ${key}${option(key)}`);
      }
    }
  }
  return errors;
}

function amounts(values: Record<string, string | number> | undefined): Amounts {
  const out: Amounts = {};
  for (const [r, v] of Object.entries(values ?? {})) {
    const n = milliQuantity(v);
    if (n !== undefined) out[r] = n;
  }
  return out;
}

function larger(a: Amounts, b: Amounts): Amounts {
  const out = { ...a };
  for (const [r, v] of Object.entries(b)) out[r] = Math.max(out[r] ?? 0, v);
  return out;
}

/** An amount in thousandths, written back as a quantity (`1500m`, `2`, `512Mi`). */
function show(r: string, milli: number): string {
  if (r === 'cpu') return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
  const bytes = milli / 1000;
  for (const [unit, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
