import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { KubeletPidConfiguration } from './custom-resources';
import { templatePath } from '../hardening/pod-hardening';
import { emit } from '../internal/manifest';
import { sortKeys } from '../internal/objects';
import { Stage, SynthesisPipeline } from '../internal/pipeline';
import { checkLabelValue } from '../internal/validation';
import { workloadKindOf } from '../internal/workload-kinds';

/**
 * How a workload is kept on pid-limited nodes. Kubernetes has no pod-level pids
 * field (up to 1.37): the limit is the kubelet's `podPidsLimit`, so the only
 * guarantee a manifest can give is where its pods are scheduled.
 */
export enum PidLimitScheduling {
  /** `nodeSelector: {<label>: <value>}`. */
  NODE_SELECTOR = 'node-selector',
  /** A `requiredDuringSchedulingIgnoredDuringExecution` node affinity term (added to every existing term). */
  REQUIRED_NODE_AFFINITY = 'required-node-affinity',
}

/** How a workload requires pid-limited nodes. */
export interface PidLimitRequirement {
  /**
   * The node label the platform sets on pid-limited node pools.
   * @default PidLimits.NODE_LABEL ("superlatch.io/pid-limited")
   */
  readonly nodeLabel?: string;

  /**
   * Its value.
   * @default "true"
   */
  readonly nodeLabelValue?: string;

  /**
   * Node selector or required node affinity.
   * @default PidLimitScheduling.NODE_SELECTOR
   */
  readonly scheduling?: PidLimitScheduling;

  /**
   * The `podPidsLimit` the workload expects those nodes to enforce, recorded
   * in the `superlatch.io/expected-pod-pids-limit` annotation for reviewers
   * and audits (it limits nothing by itself).
   * @default - not recorded
   */
  readonly expectedPodPidsLimit?: number;
}

const REQUIRED = new WeakSet<ApiObject>();

/**
 * Pid limits the honest way: a workload cannot limit its own pids, so it
 * requires nodes whose kubelet does (`KubeletPidLimits` for the node
 * configuration) and records that intent in annotations.
 *
 * @example
 * PidLimits.requireFor(deployment, { expectedPodPidsLimit: 1024 });
 */
export class PidLimits {
  /** Default node label of pid-limited node pools. */
  public static readonly NODE_LABEL = 'superlatch.io/pid-limited';

  /** Annotation on the workload and its pod template: the node label required (`key=value`). */
  public static readonly REQUIREMENT_ANNOTATION = 'superlatch.io/requires-pid-limited-nodes';

  /** Annotation recording the `podPidsLimit` the workload expects on those nodes. */
  public static readonly EXPECTED_LIMIT_ANNOTATION = 'superlatch.io/expected-pod-pids-limit';

  /**
   * Schedules the pods of `workload` (a cdk8s-plus workload or an ApiObject of
   * a workload kind) only onto nodes labelled as pid-limited, and records it.
   * Works on the final manifest, like the hardening profile.
   */
  public static requireFor(workload: IConstruct, options: PidLimitRequirement = {}): void {
    let obj: ApiObject;
    try {
      obj = ApiObject.of(workload);
    } catch {
      throw new Error(`[${workload.node.path}] PidLimits.requireFor: not a workload. Fix: pass a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod) or an ApiObject`);
    }
    const where = `[${workload.node.path}] PidLimits.requireFor`;
    if (!workloadKindOf({ kind: obj.kind, ...((obj as any).props ?? {}) })) {
      throw new Error(`${where}: a ${obj.kind} has no pods. Fix: pass a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob`);
    }
    if (REQUIRED.has(obj)) throw new Error(`${where}: called twice for this workload. Fix: call it once, with all options`);
    REQUIRED.add(obj);

    const key = options.nodeLabel ?? PidLimits.NODE_LABEL;
    const value = options.nodeLabelValue ?? 'true';
    if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(key)) {
      throw new Error(`${where}: nodeLabel '${key}' is not a label key. Fix: use a key such as '${PidLimits.NODE_LABEL}'`);
    }
    checkLabelValue(where, 'nodeLabelValue', value);
    const limit = options.expectedPodPidsLimit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new Error(`${where}: expectedPodPidsLimit must be a positive integer (got ${limit}). Fix: give the kubelet podPidsLimit of the node pool, e.g. 1024`);
    }
    const annotations: Record<string, string> = { [PidLimits.REQUIREMENT_ANNOTATION]: `${key}=${value}` };
    if (limit !== undefined) annotations[PidLimits.EXPECTED_LIMIT_ANNOTATION] = String(limit);
    const scheduling = options.scheduling ?? PidLimitScheduling.NODE_SELECTOR;

    SynthesisPipeline.of(obj).addTransform(obj, Stage.PID_LIMITS, (json) => {
      const template = templatePath(json).reduce((o: any, k) => (o[k] ??= {}), json);
      const spec = (template.spec ??= {});
      if (scheduling === PidLimitScheduling.NODE_SELECTOR) {
        const current = spec.nodeSelector?.[key];
        if (current !== undefined && current !== value) {
          throw new Error(`${where}: the pod's nodeSelector already sets ${key}=${current}, not ${value}. Fix: remove that nodeSelector entry or require the same value`);
        }
        spec.nodeSelector = sortKeys({ ...(spec.nodeSelector ?? {}), [key]: value });
      } else {
        spec.affinity = withRequiredNodeLabel(spec.affinity ?? {}, key, value);
      }
      for (const meta of new Set([json.metadata ??= {}, template.metadata ??= {}])) {
        meta.annotations = sortKeys({ ...(meta.annotations ?? {}), ...annotations });
      }
      return json;
    });
  }

  private constructor() {}
}

/** Adds `key In [value]` to every required node selector term (terms are ORed, so each needs it). */
function withRequiredNodeLabel(affinity: any, key: string, value: string): any {
  const nodeAffinity = affinity.nodeAffinity ?? {};
  const required = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {};
  const expression = { key, operator: 'In', values: [value] };
  const terms: any[] = required.nodeSelectorTerms?.length ? required.nodeSelectorTerms : [{}];
  return {
    ...affinity,
    nodeAffinity: {
      ...nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        ...required,
        nodeSelectorTerms: terms.map((t) => ({ ...t, matchExpressions: [...(t.matchExpressions ?? []), expression] })),
      },
    },
  };
}

/** The kubelet's hard eviction thresholds other than pids (its defaults). */
const DEFAULT_EVICTION_HARD: Record<string, string> = {
  'imagefs.available': '15%',
  'memory.available': '100Mi',
  'nodefs.available': '10%',
  'nodefs.inodesFree': '5%',
};

/** Options of the kubelet pid-limit fragment. */
export interface KubeletPidLimitsProps {
  /**
   * Most processes and threads one pod may have (`podPidsLimit`). A Node.js
   * process uses about a dozen; fork bombs need thousands.
   * @default 1024
   */
  readonly podPidsLimit?: number;

  /**
   * Pids kept for the operating system's daemons (`systemReserved.pid`).
   * @default 1000
   */
  readonly systemReservedPids?: number;

  /**
   * Pids kept for the kubelet and the container runtime (`kubeReserved.pid`).
   * @default 1000
   */
  readonly kubeReservedPids?: number;

  /**
   * Evict pods when fewer pids than this remain (`evictionHard["pid.available"]`).
   * @default "10%"
   */
  readonly pidAvailableEviction?: string;

  /**
   * The other hard eviction thresholds. Setting any `evictionHard` entry drops
   * the kubelet's defaults for the others, so they are written out too.
   * @default - the kubelet defaults: memory.available 100Mi, nodefs.available 10%, nodefs.inodesFree 5%, imagefs.available 15%
   */
  readonly otherEvictionHard?: Record<string, string>;

  /**
   * The node label the platform puts on the node pools that use this
   * configuration (what `PidLimits.requireFor` selects).
   * @default - superlatch.io/pid-limited=true
   */
  readonly nodeLabels?: Record<string, string>;
}

/**
 * A `kubelet.config.k8s.io/v1beta1` KubeletConfiguration fragment for pid-limited
 * node pools: `podPidsLimit`, pid reservations and `pid.available` eviction.
 *
 * It is node configuration, not a Kubernetes API object: it must live alone in
 * its own chart (checked at synth), so it is written to its own YAML file for
 * node bootstrap (kubeadm, a kubelet `--config-dir` drop-in, image builds);
 * the API server has no such kind, so `kubectl apply` of that file fails
 * instead of silently doing nothing. Keep that file out of the GitOps path.
 * Label the node pools with `nodeLabels`.
 */
export class KubeletPidLimits extends Construct {
  /** Labels to set on the node pools that run with this configuration. */
  public readonly nodeLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: KubeletPidLimitsProps = {}) {
    super(scope, id);
    const where = `[${this.node.path}]`;
    const positive = (field: string, v: number) => {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${where}: ${field} must be a positive integer (got ${v}). Fix: give a whole number of pids`);
      return v;
    };
    const podPidsLimit = positive('podPidsLimit', props.podPidsLimit ?? 1024);
    const systemReserved = positive('systemReservedPids', props.systemReservedPids ?? 1000);
    const kubeReserved = positive('kubeReservedPids', props.kubeReservedPids ?? 1000);
    const pidAvailable = props.pidAvailableEviction ?? '10%';
    if (!/^(\d{1,2}(\.\d+)?%|\d+)$/.test(pidAvailable)) {
      throw new Error(`${where}: pidAvailableEviction '${pidAvailable}' is not a threshold. Fix: give a percentage such as '10%' or a number of pids`);
    }
    const other = props.otherEvictionHard ?? DEFAULT_EVICTION_HARD;
    if ('pid.available' in other) {
      throw new Error(`${where}: otherEvictionHard sets pid.available. Fix: use pidAvailableEviction for it`);
    }
    this.nodeLabels = { ...(props.nodeLabels ?? { [PidLimits.NODE_LABEL]: 'true' }) };
    for (const v of Object.values(this.nodeLabels)) checkLabelValue(where, 'nodeLabels', v);

    const obj = emit<KubeletPidConfiguration>(this, 'Resource', {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      podPidsLimit,
      systemReserved: { pid: String(systemReserved) },
      kubeReserved: { pid: String(kubeReserved) },
      evictionHard: sortKeys({ ...other, 'pid.available': pidAvailable }),
    });
    // Node configuration has no ObjectMeta: a strict kubelet would refuse cdk8s's metadata.
    SynthesisPipeline.of(obj).addTransform(obj, Stage.CLEAN_UP, ({ metadata: _metadata, ...rest }) => rest);

    this.node.addValidation({
      validate: () => {
        const chart = Chart.of(this);
        const others = chart.node.findAll().filter((c) => ApiObject.isApiObject(c) && c !== obj);
        return others.length === 0 ? [] : [
          `KubeletPidLimits must be alone in its chart, so that the node configuration is written to a file of its own and never applied with the cluster manifests; chart '${chart.node.id}' also has ${others.map((o) => o.node.path).join(', ')}. Fix: put it in a separate chart, e.g. new Chart(app, 'node-config-kubelet-pid-limits')`,
        ];
      },
    });
  }
}
