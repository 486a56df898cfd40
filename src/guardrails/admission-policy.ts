import { Construct } from 'constructs';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1';
import { guardrailValidations } from './admission-expressions';
import { emit } from '../internal/manifest';
import { MANAGED_BY } from '../internal/objects';
import { Stage, SynthesisPipeline } from '../internal/pipeline';
import { checkDnsLabel } from '../internal/validation';
import { WORKLOAD_KINDS } from '../internal/workload-kinds';
import { Latch } from '../latch/latch';
import { KubernetesTarget, KubernetesVersion } from '../target/kubernetes-version';

/**
 * API version of the ValidatingAdmissionPolicy objects.
 *
 * The API is GA (`v1`, on by default) since Kubernetes 1.30. Before that the
 * kube-apiserver needs the feature gate and the API group version switched on:
 * `--feature-gates=ValidatingAdmissionPolicy=true` and
 * `--runtime-config=admissionregistration.k8s.io/v1alpha1=true` (1.26, 1.27)
 * or `...=v1beta1=true` (1.28, 1.29).
 */
export enum AdmissionPolicyVersion {
  /** `admissionregistration.k8s.io/v1`: Kubernetes 1.30 and later. */
  V1 = 'admissionregistration.k8s.io/v1',
  /** `admissionregistration.k8s.io/v1beta1`: Kubernetes 1.28 and 1.29 (feature gate and runtime-config). */
  V1BETA1 = 'admissionregistration.k8s.io/v1beta1',
  /** `admissionregistration.k8s.io/v1alpha1`: Kubernetes 1.27 (feature gate and runtime-config). */
  V1ALPHA1 = 'admissionregistration.k8s.io/v1alpha1',
}

/** What the API server does when a validation fails (`validationActions` of the binding). */
export enum AdmissionValidationAction {
  /** Reject the request. */
  DENY = 'Deny',
  /** Admit it with a warning to the client. */
  WARN = 'Warn',
  /** Admit it and record the failure in the audit event. */
  AUDIT = 'Audit',
}

/** What the API server does when a validation cannot be evaluated. */
export enum AdmissionFailurePolicy {
  /** Reject the request (fail closed). */
  FAIL = 'Fail',
  /** Admit the request (fail open). */
  IGNORE = 'Ignore',
}

/** Options of the guardrail admission policy. */
export interface GuardrailAdmissionPolicyProps {
  /** Namespaces the policy applies to (matched by their immutable `kubernetes.io/metadata.name` label). */
  readonly namespaces: string[];

  /**
   * Name of the ValidatingAdmissionPolicy; the binding is `<name>-binding`.
   * @default "superlatch-guardrails"
   */
  readonly name?: string;

  /**
   * API version of both objects. An API version the target Kubernetes version
   * does not have (v1 before 1.30, v1beta1 before 1.28) is refused.
   * @default - the one the target serves: V1 from 1.30, V1BETA1 for 1.28 and 1.29, V1ALPHA1 for 1.27 (`KubernetesTarget.of(this)`)
   */
  readonly apiVersion?: AdmissionPolicyVersion;

  /**
   * What a failed validation does. `Deny` and `Warn` cannot be combined.
   * @default [AdmissionValidationAction.DENY]
   */
  readonly validationActions?: AdmissionValidationAction[];

  /**
   * What an evaluation error does.
   * @default AdmissionFailurePolicy.FAIL
   */
  readonly failurePolicy?: AdmissionFailurePolicy;

  /**
   * Seccomp `Localhost` profiles accepted besides `RuntimeDefault`, as the
   * `localhostProfile` path (e.g. `OperatorSeccompProfile.localhostProfile`).
   * @default - only RuntimeDefault
   */
  readonly allowedLocalhostProfiles?: string[];

  /**
   * Capabilities containers may add on top of `drop: [ALL]`.
   * @default - none
   */
  readonly allowedCapabilities?: string[];

  /**
   * Image repositories (without tag or digest, e.g. `registry.example.com/superlatch-agent`)
   * the status-writer container must run. Keeps another image from being
   * declared the writer.
   * @default - the writer's image is not checked
   */
  readonly statusWriterImages?: string[];

  /**
   * Also validate the pod templates of Deployments, StatefulSets, DaemonSets,
   * ReplicaSets, ReplicationControllers, Jobs and CronJobs, so a bad template
   * is refused at `kubectl apply` instead of when its pods are created.
   * @default true
   */
  readonly workloadTemplates?: boolean;
}

/**
 * A ValidatingAdmissionPolicy and its binding that enforce, at admission, the
 * invariants the rule pack checks at synth time, on every Pod (including
 * ephemeral debug containers, `pods/ephemeralcontainers`) and, by default, the
 * pod template of every kind of the workload-kind table in the given namespaces.
 *
 * What it protects comes from facts fixed at synth time, written into the
 * expressions as literals: the latch's reserved status volume (`latch-status`)
 * and writer container (`latch-agent`), and, for every `Latch` of the app in
 * those namespaces, its ConfigMap and the workloads it guards. Labels and
 * annotations of the object under review never switch a check off:
 *
 * - the status volume is mounted read-write only by the `latch-agent` container
 *   of `spec.containers`, and only when it is an emptyDir; init and ephemeral
 *   containers never write it;
 * - a volume named `latch-status` is the agent's emptyDir or the ConfigMap of a
 *   hub latch of the namespace;
 * - each guarded workload keeps its latch (labels, annotations, status volume, agent);
 * - on UPDATE, a Pod's latch labels and annotations do not change, and a
 *   template's are not changed or removed; changes that leave the pod spec
 *   (or template) as it was pass every pod-spec check;
 * - optionally, `latch-agent` and `latch-gate` run an image of the given repositories;
 * - every container drops ALL capabilities, adds none (or only allowed ones),
 *   and is neither privileged nor allows privilege escalation;
 * - every container runs with seccomp RuntimeDefault (or an allowed Localhost profile);
 * - every container has a read-only root filesystem;
 * - every image is pinned by digest.
 *
 * Both objects are cluster-scoped: they never carry a namespace.
 */
export class GuardrailAdmissionPolicy extends Construct {
  /** Name of the ValidatingAdmissionPolicy. */
  public readonly policyName: string;
  /** Name of the ValidatingAdmissionPolicyBinding. */
  public readonly bindingName: string;

  constructor(scope: Construct, id: string, props: GuardrailAdmissionPolicyProps) {
    super(scope, id);
    const where = `[${this.node.path}]`;
    this.policyName = props.name ?? 'superlatch-guardrails';
    this.bindingName = `${this.policyName}-binding`;
    checkDnsLabel(where, 'name', this.bindingName);
    const actions = checkedProps(where, props);

    const apiVersion = admissionApiVersion(where, KubernetesTarget.of(this), props.apiVersion);
    const workloadTemplates = props.workloadTemplates ?? true;
    const namespaces = [...new Set(props.namespaces)].sort();
    const options = {
      allowedLocalhostProfiles: [...new Set(props.allowedLocalhostProfiles ?? [])].sort(),
      allowedCapabilities: [...new Set(props.allowedCapabilities ?? [])].sort(),
      statusWriterImages: [...new Set(props.statusWriterImages ?? [])].sort(),
      workloadTemplates,
    };
    const resourceRules = admissionResourceRules(workloadTemplates);
    const labels = { ...MANAGED_BY };

    const policy = emit<ValidatingAdmissionPolicy>(this, 'Policy', {
      apiVersion,
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: this.policyName, labels },
      spec: {
        failurePolicy: props.failurePolicy ?? AdmissionFailurePolicy.FAIL,
        matchConstraints: { resourceRules },
        validations: [],
      },
    });
    // The latches and what they guard are known once the app is complete: the
    // expressions carry them as literals (never read from the object under review).
    SynthesisPipeline.of(policy).addTransform(policy, Stage.DERIVED, (json, run) => {
      const latches = Latch._allUnder(this.node.root)
        .map((l) => l._facts((o) => run.manifests.get(o)))
        .filter((l) => l.namespace === undefined || namespaces.includes(l.namespace));
      const validations = guardrailValidations({ ...options, latches });
      json.spec.validations = validations.map((v) => ({ expression: v.expression, message: v.message, reason: 'Forbidden' }));
      return json;
    });
    const binding = emit<ValidatingAdmissionPolicyBinding>(this, 'Binding', {
      apiVersion,
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: this.bindingName, labels },
      spec: {
        policyName: this.policyName,
        validationActions: actions,
        matchResources: {
          namespaceSelector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }],
          },
        },
      },
    });
    // cluster-scoped: the pipeline's clean-up drops their namespace
    SynthesisPipeline.of(binding).track(binding);
  }
}

/** The first Kubernetes minor that has each API version of ValidatingAdmissionPolicy. */
const ADMISSION_API_SINCE: ReadonlyArray<[AdmissionPolicyVersion, KubernetesVersion]> = [
  [AdmissionPolicyVersion.V1, KubernetesVersion.V1_30],
  [AdmissionPolicyVersion.V1BETA1, KubernetesVersion.V1_28],
  [AdmissionPolicyVersion.V1ALPHA1, KubernetesVersion.V1_27],
];

/** The API version the target has (the newest), or the one asked for if the target has it. */
export function admissionApiVersion(where: string, target: KubernetesVersion, asked?: AdmissionPolicyVersion): AdmissionPolicyVersion {
  const served = ADMISSION_API_SINCE.find(([, since]) => target.isAtLeast(since))![0];
  if (asked === undefined) return served;
  const since = ADMISSION_API_SINCE.find(([v]) => v === asked)![1];
  if (!target.isAtLeast(since)) {
    throw new Error(`${where} apiVersion: ${asked} does not exist in Kubernetes ${target.name} (it is served from ${since.name}). Fix: remove apiVersion to use ${served}, or target ${since.name} or later with KubernetesTarget.set(app, KubernetesVersion.V1_${since.minor})`);
  }
  return asked;
}

/** Refuses props the API server or the policy's meaning would not accept; returns the sorted validation actions. */
function checkedProps(where: string, props: GuardrailAdmissionPolicyProps): AdmissionValidationAction[] {
  if (props.namespaces.length === 0) {
    throw new Error(`${where}: namespaces is empty, so the policy would apply nowhere. Fix: list the namespaces to guard, e.g. the HardenedNamespace's name`);
  }
  props.namespaces.forEach((ns) => checkDnsLabel(where, 'namespaces', ns));
  const actions = [...new Set(props.validationActions ?? [AdmissionValidationAction.DENY])].sort();
  if (actions.length === 0) {
    throw new Error(`${where}: validationActions is empty. Fix: give Deny (enforce), or Warn and/or Audit (report only)`);
  }
  if (actions.includes(AdmissionValidationAction.DENY) && actions.includes(AdmissionValidationAction.WARN)) {
    throw new Error(`${where}: validationActions cannot combine Deny and Warn (the API server refuses it). Fix: use [Deny] or [Deny, Audit] to enforce, [Warn, Audit] to report`);
  }
  for (const p of props.allowedLocalhostProfiles ?? []) {
    if (!p || p.startsWith('/') || p.includes('..')) {
      throw new Error(`${where}: allowedLocalhostProfiles '${p}' is not a path relative to the kubelet seccomp directory. Fix: use e.g. 'operator/latch-agent.json'`);
    }
  }
  for (const c of props.allowedCapabilities ?? []) {
    if (!/^[A-Z_]+$/.test(c)) {
      throw new Error(`${where}: allowedCapabilities '${c}' is not a capability name. Fix: use upper-case names without the CAP_ prefix, e.g. NET_BIND_SERVICE`);
    }
  }
  for (const repo of props.statusWriterImages ?? []) {
    const last = repo.split('/').pop() ?? '';
    if (!/^[a-z0-9][a-z0-9._\-/:]*$/.test(repo) || last.includes(':') || last === '') {
      throw new Error(`${where}: statusWriterImages '${repo}' is not an image repository. Fix: give the repository without tag or digest, e.g. 'registry.example.com/superlatch-agent'`);
    }
  }
  return actions;
}

/** One rule per API group for every kind of the workload-kind table (Pods only without workloadTemplates), ephemeral containers included. */
function admissionResourceRules(workloadTemplates: boolean): any[] {
  const operations = ['CREATE', 'UPDATE'];
  // every kind of the workload-kind table (Pods only without workloadTemplates), by API group
  const byGroup = new Map<string, string[]>();
  for (const [kind, k] of Object.entries(WORKLOAD_KINDS)) {
    if (!k.resource || (!workloadTemplates && kind !== 'Pod')) continue;
    byGroup.set(k.resource.group, [...(byGroup.get(k.resource.group) ?? []), k.resource.plural]);
  }
  byGroup.get('')!.push('pods/ephemeralcontainers');
  const resourceRules: any[] = [...byGroup.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, resources]) => ({ apiGroups: [group], apiVersions: ['v1'], operations, resources: resources.sort() }));
  return resourceRules;
}
