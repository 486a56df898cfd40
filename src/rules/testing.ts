import { IConstruct } from 'constructs';
import { obj } from './internal/manifests';
import { EvaluateOptions, RulePack } from './pack';
import { AuditReport } from './report';
import { evaluateScope, formatFinding, synthesizeScope } from './validation';
import { SuperlatchKeys } from '../contract';

/** Kinds whose objects are security policy in themselves. */
const SECURITY_KINDS = new Set([
  'Namespace', 'NetworkPolicy', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount',
  'PodDisruptionBudget', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'PodSecurityPolicy',
  'ResourceQuota', 'LimitRange', 'RuntimeClass', 'PriorityClass',
]);

/** API groups of policy engines and runtime-security tools (Kyverno, Gatekeeper, Falco, Cilium, Calico, Istio...). */
const SECURITY_GROUPS = [
  'kyverno.io', 'wgpolicyk8s.io', 'templates.gatekeeper.sh', 'constraints.gatekeeper.sh', 'mutations.gatekeeper.sh',
  'falco.org', 'falcosecurity.dev', 'cilium.io', 'crd.projectcalico.org', 'projectcalico.org', 'security.istio.io',
  'policy.networking.k8s.io', 'kubewarden.io', 'policies.kubewarden.io', 'security-profiles-operator.x-k8s.io',
];

function isSecurityObject(o: any): boolean {
  const kind = String(o?.kind ?? '');
  const group = String(o?.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/')[0] : '';
  if (SECURITY_KINDS.has(kind)) return true;
  if (SECURITY_GROUPS.some((g) => group === g || group.endsWith(`.${g}`))) return true;
  return kind === 'ConfigMap' && obj(obj(o.metadata).labels)[SuperlatchKeys.RULES_LABEL] !== undefined;
}

function sortKey(o: any): string {
  const meta = obj(o?.metadata);
  return [o?.apiVersion ?? '', o?.kind ?? '', meta.namespace ?? '', meta.name ?? ''].join('\u0000');
}

/**
 * Helpers for your own tests: snapshot the security-relevant objects of a chart
 * and assert that a pack finds no errors. No test framework is needed at run time.
 *
 * @example
 * expect(SecurityTesting.securityObjects(chart)).toMatchSnapshot();
 * SecurityTesting.assertCompliant(chart, RulePack.latch());
 */
export class SecurityTesting {
  /**
   * The security-relevant objects under `scope`, synthesized, in a stable order
   * (apiVersion, kind, namespace, name): NetworkPolicies, RBAC, ServiceAccounts,
   * PodDisruptionBudgets, Namespaces, admission policies and webhooks, policy
   * engine and runtime-security resources (Kyverno, Gatekeeper, Falco, Cilium,
   * Calico, Istio...) and ConfigMaps labelled `superlatch.io/rules`.
   * The hardening of the app's charts is applied first, as at synthesis; its
   * errors (a tag-only image...) are thrown.
   */
  public static securityObjects(scope: IConstruct): any[] {
    return SecurityTesting.securityObjectsOf(synthesizeScope(scope).manifests);
  }

  /** Same as `securityObjects`, for a list of manifest objects. */
  public static securityObjectsOf(manifests: any[]): any[] {
    return manifests.filter(isSecurityObject).sort((a, b) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  /**
   * Throws an Error listing every unacknowledged error finding of `pack`
   * (default: restricted) over the objects under `scope`; returns the report otherwise.
   * The objects are judged hardened, as synthesis writes them, each at the
   * `KubernetesTarget` of its chart; errors of the hardening itself are thrown too.
   */
  public static assertCompliant(scope: IConstruct, pack?: RulePack): AuditReport {
    return SecurityTesting.check(evaluateScope(scope, pack ?? RulePack.restricted()).report);
  }

  /**
   * Same as `assertCompliant`, for a list of manifest objects, judged at
   * `options.kubernetesVersion` (default 1.27).
   */
  public static assertManifestsCompliant(manifests: any[], pack?: RulePack, options?: EvaluateOptions): AuditReport {
    return SecurityTesting.check((pack ?? RulePack.restricted()).evaluate(manifests, options));
  }

  private static check(report: AuditReport): AuditReport {
    if (report.hasErrors) {
      throw new Error(`${report.summary()}\n${report.errors.map((f) => `  ${formatFinding(f)}`).join('\n')}`);
    }
    return report;
  }

  private constructor() {}
}
