import { ReferenceFramework, RuleReference } from '../rule';

function ref(framework: ReferenceFramework) {
  return (...ids: string[]): RuleReference[] => ids.map((id) => ({ framework, id }));
}

/** Pod Security Standards check ids (pod-security-admission, policy v1.27 to v1.36). */
export const pss = ref(ReferenceFramework.PSS);
/** CIS Kubernetes Benchmark controls. */
export const cis = ref(ReferenceFramework.CIS);
/** kube-score checks. */
export const kubeScore = ref(ReferenceFramework.KUBE_SCORE);
/** Polaris checks. */
export const polaris = ref(ReferenceFramework.POLARIS);
/** Kubescape controls. */
export const kubescape = ref(ReferenceFramework.KUBESCAPE);
/** Checkov checks. */
export const checkov = ref(ReferenceFramework.CHECKOV);
/** Trivy checks. */
export const trivy = ref(ReferenceFramework.TRIVY);
/** kube-linter checks. */
export const kubeLinter = ref(ReferenceFramework.KUBE_LINTER);
/** Sections of DESIGN.md. */
export const design = ref(ReferenceFramework.DESIGN);
