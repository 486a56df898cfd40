/**
 * The workload kinds, as one table: the hardening, the rule packs, pid limits,
 * the latch, the admission policy, messages and test helpers all read it.
 */
export interface WorkloadKind {
  /** Where the pod template sits (empty for a Pod itself). */
  readonly templatePath: readonly string[];
  /** Where the label selector sits, if the kind has one. */
  readonly selectorPath?: readonly string[];
  /** `true` when the selector is a plain label map (ReplicationController), not a LabelSelector. */
  readonly plainSelector?: boolean;
  /** Keeps a replica count: 2 or more get a PodDisruptionBudget and anti-affinity. */
  readonly replicated: boolean;
  /** Pods run to completion: no liveness/readiness probes, no spreading. */
  readonly batch: boolean;
  /** API group and resource (plural) of a built-in kind, as admission rules name it. */
  readonly resource?: { readonly group: string; readonly plural: string };
}

const replicated = (group: string, plural: string): WorkloadKind => ({
  templatePath: ['spec', 'template'], selectorPath: ['spec', 'selector'], replicated: true, batch: false, resource: { group, plural },
});

/** The built-in workload kinds. */
export const WORKLOAD_KINDS: Readonly<Record<string, WorkloadKind>> = {
  Pod: { templatePath: [], replicated: false, batch: false, resource: { group: '', plural: 'pods' } },
  PodTemplate: { templatePath: ['template'], replicated: false, batch: false, resource: { group: '', plural: 'podtemplates' } },
  Deployment: replicated('apps', 'deployments'),
  StatefulSet: replicated('apps', 'statefulsets'),
  ReplicaSet: replicated('apps', 'replicasets'),
  ReplicationController: { ...replicated('', 'replicationcontrollers'), plainSelector: true },
  DaemonSet: { templatePath: ['spec', 'template'], selectorPath: ['spec', 'selector'], replicated: false, batch: false, resource: { group: 'apps', plural: 'daemonsets' } },
  Job: { templatePath: ['spec', 'template'], selectorPath: ['spec', 'selector'], replicated: false, batch: true, resource: { group: 'batch', plural: 'jobs' } },
  CronJob: {
    templatePath: ['spec', 'jobTemplate', 'spec', 'template'],
    selectorPath: ['spec', 'jobTemplate', 'spec', 'selector'],
    replicated: false,
    batch: true,
    resource: { group: 'batch', plural: 'cronjobs' },
  },
};

/**
 * Any other kind whose manifest carries a pod template (an Argo Rollout, a
 * KubeVirt or Knative object...): hardened and audited like a Deployment
 * (`spec.template`) or a CronJob (`spec.jobTemplate.spec.template`), never skipped.
 */
export const CUSTOM_WORKLOAD: WorkloadKind = { templatePath: ['spec', 'template'], selectorPath: ['spec', 'selector'], replicated: true, batch: false };
const CUSTOM_BATCH: WorkloadKind = { templatePath: ['spec', 'jobTemplate', 'spec', 'template'], selectorPath: ['spec', 'jobTemplate', 'spec', 'selector'], replicated: false, batch: true };

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The table entry of a manifest: built-in kinds by name, other kinds by the pod template they carry. */
export function workloadKindOf(manifest: any): WorkloadKind | undefined {
  const builtIn = WORKLOAD_KINDS[manifest?.kind];
  if (builtIn) return builtIn;
  if (isObject(manifest?.spec?.template?.spec) && Array.isArray(manifest.spec.template.spec.containers)) return CUSTOM_WORKLOAD;
  if (isObject(manifest?.spec?.jobTemplate?.spec?.template?.spec)) return CUSTOM_BATCH;
  return undefined;
}

/** Where the pod template sits in each built-in kind (kept for readers that only know the kind). */
export const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(WORKLOAD_KINDS).map(([kind, k]) => [kind, k.templatePath]),
);

/** The value at `path` in `root`, or undefined. */
export function at(root: any, path: readonly string[]): any {
  return path.reduce((o: any, k) => (isObject(o) ? o[k] : undefined), root);
}

/** The object at `path` in `root`, created (as `{}`) where missing. */
export function ensureAt(root: any, path: readonly string[]): any {
  return path.reduce((o: any, k) => (o[k] ??= {}), root);
}
