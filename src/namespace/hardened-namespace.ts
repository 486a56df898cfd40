import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Namespace } from 'kubernetes-types/core/v1';
import { namespaceFitErrors } from './namespace-fit';
import { NamespaceLimitRange, NamespaceLimitRangeOptions } from './namespace-limit-range';
import { NamespaceResourceQuotaOptions, NamespaceResourceQuota } from './namespace-resource-quota';
import { emit } from '../internal/manifest';
import { PipelineRun, Stage, SynthesisPipeline } from '../internal/pipeline';
import { checkDnsLabel } from '../internal/validation';
import { DnsOptions } from '../network/dns';
import { NamespaceNetworkBaseline } from '../network/namespace-network-baseline';
import { KubernetesTarget } from '../target/kubernetes-version';

/** Pod Security Admission levels. */
export enum PodSecurityLevel {
  /** Pod Security Standards "restricted". */
  RESTRICTED = 'restricted',
  /** Pod Security Standards "baseline". */
  BASELINE = 'baseline',
  /** No restriction (avoid). */
  PRIVILEGED = 'privileged',
}

/** Options of a hardened namespace. */
export interface HardenedNamespaceProps {
  /** Name of the namespace (a DNS label). */
  readonly name: string;

  /**
   * Pod Security Admission level for `enforce`, `audit` and `warn`.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly podSecurity?: PodSecurityLevel;

  /**
   * Pod Security Standards version the labels pin.
   * @default - the target Kubernetes version (`KubernetesTarget.of(this)`): "v1.27" when none is set
   */
  readonly podSecurityVersion?: string;

  /**
   * Emit the network baseline (`default-deny` + `allow-dns`) in the namespace.
   * @default true
   */
  readonly networkBaseline?: boolean;

  /**
   * Where pods resolve DNS names (for `allow-dns`).
   * @default - kube-dns in kube-system
   */
  readonly dns?: DnsOptions;

  /**
   * Emit a ResourceQuota with these totals (LoadBalancer and NodePort
   * Services are forbidden unless allowed here).
   * @default - no ResourceQuota
   */
  readonly quota?: NamespaceResourceQuotaOptions;

  /**
   * Emit a LimitRange that gives containers without requests or limits the
   * hardened profile's values (`{}` for those defaults).
   * @default - no LimitRange
   */
  readonly limitRange?: NamespaceLimitRangeOptions;

  /**
   * More labels for the Namespace, e.g. the opt-in label of an admission
   * controller (`ImageTrustPolicy.namespaceLabels`). They cannot replace the
   * Pod Security Admission labels or `kubernetes.io/metadata.name`.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/**
 * A Namespace with Pod Security Admission labels (`enforce`, `audit`, `warn`,
 * each pinned to a version), by default the namespace network baseline, and
 * optionally a ResourceQuota and a LimitRange. The Namespace object itself
 * never carries a `metadata.namespace`.
 *
 * When the namespace has a LimitRange or a ResourceQuota (its own or raw ones),
 * every workload of the app in it must fit them: synth fails naming the
 * workload, the field and the fix (see `namespaceFitErrors` for what is judged
 * and how replicas, Jobs, CronJobs and HPAs count).
 */
export class HardenedNamespace extends Construct {
  /** Name of the namespace. */
  public readonly name: string;

  /** The network baseline, unless turned off. */
  public readonly networkBaseline?: NamespaceNetworkBaseline;

  /** The ResourceQuota, when `quota` is given. */
  public readonly quota?: NamespaceResourceQuota;

  /** The LimitRange, when `limitRange` is given. */
  public readonly limitRange?: NamespaceLimitRange;

  constructor(scope: Construct, id: string, props: HardenedNamespaceProps) {
    super(scope, id);
    checkDnsLabel(`[${this.node.path}]`, 'name', props.name);
    this.name = props.name;
    const level = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    const version = props.podSecurityVersion ?? KubernetesTarget.of(this).name;
    if (!/^(v\d+\.\d+|latest)$/.test(version)) {
      throw new Error(`[${this.node.path}] podSecurityVersion '${version}' must look like 'v1.27' (or 'latest', which is not pinned)`);
    }
    const labels: Record<string, string> = { 'kubernetes.io/metadata.name': props.name };
    for (const mode of ['enforce', 'audit', 'warn']) {
      labels[`pod-security.kubernetes.io/${mode}`] = level;
      labels[`pod-security.kubernetes.io/${mode}-version`] = version;
    }
    for (const [key, value] of Object.entries(props.labels ?? {})) {
      if (key in labels) {
        throw new Error(`[${this.node.path}] labels: '${key}' is set by HardenedNamespace itself. Fix: remove it from labels (use podSecurity / podSecurityVersion for the Pod Security Admission labels)`);
      }
      labels[key] = value;
    }
    const ns = emit<Namespace>(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: props.name, labels },
    });
    // Namespaces are cluster-scoped: the pipeline's clean-up drops the chart's namespace.
    SynthesisPipeline.of(ns).track(ns);

    if (props.networkBaseline !== false) {
      this.networkBaseline = new NamespaceNetworkBaseline(this, 'Network', { namespace: props.name, dns: props.dns });
    }
    if (props.quota) this.quota = new NamespaceResourceQuota(this, 'Quota', { ...props.quota, namespace: props.name });
    if (props.limitRange) this.limitRange = new NamespaceLimitRange(this, 'LimitRange', { ...props.limitRange, namespace: props.name });
    // app-wide, once per synthesis, over the final objects of every chart in the namespace
    SynthesisPipeline.of(this).addStep(Stage.CHECKS, (run) => {
      for (const { about, message } of fitErrors(run, props.name)) run.error(about ?? this, message);
    });
  }
}

/**
 * The workloads of the app that do not fit the LimitRanges or quotas of `namespace`,
 * judged on the synthesis pipeline's final manifests.
 */
function fitErrors(run: PipelineRun, namespace: string): Array<{ about?: ApiObject; message: string }> {
  const all = run.snapshot();
  const objects = all.objects.filter((_, i) => all.manifests[i]?.metadata?.namespace === namespace);
  if (!objects.some((o) => o.kind === 'LimitRange' || o.kind === 'ResourceQuota')) return [];
  const paths = objects.map((o) => o.node.path.replace(/\/Resource$/, ''));
  const byPath = new Map(paths.map((p, i) => [p, objects[i]]));
  // a message about one workload starts with its path: report it there
  return namespaceFitErrors(objects.map((o) => run.manifests.get(o)), paths, namespace)
    .map((message) => ({ about: byPath.get(/^\[([^\]]+)\]/.exec(message)?.[1] ?? ''), message }));
}
