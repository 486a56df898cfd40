/**
 * The fields the library writes in custom resources and component configurations
 * that `kubernetes-types` does not model, as their projects document them: the
 * compiler checks what the guardrails emit. Each names its API version.
 */

/** A Kyverno signature attestor entry (`kyverno.io/v1`). */
export interface KyvernoAttestorEntry {
  readonly keys?: { readonly publicKeys: string; readonly rekor: KyvernoRekor };
  readonly keyless?: { readonly issuer: string; readonly subject: string; readonly rekor: KyvernoRekor };
}

/** Where Kyverno checks the transparency log (or that it does not). */
export interface KyvernoRekor {
  readonly url: string;
  readonly ignoreTlog?: boolean;
}

/** Kyverno `ClusterPolicy` (`kyverno.io/v1`), as far as image verification uses it. */
export interface KyvernoClusterPolicy {
  readonly spec: {
    readonly background: boolean;
    readonly webhookConfiguration: { readonly failurePolicy: 'Fail' | 'Ignore'; readonly timeoutSeconds: number };
    readonly rules: ReadonlyArray<{
      readonly name: string;
      readonly match: { readonly any: ReadonlyArray<{ readonly resources: { readonly kinds: string[]; readonly namespaces?: string[] } }> };
      readonly verifyImages: ReadonlyArray<{
        readonly imageReferences: string[];
        readonly failureAction: 'Enforce' | 'Audit';
        readonly mutateDigest: boolean;
        readonly verifyDigest: boolean;
        readonly required: boolean;
        readonly attestors: ReadonlyArray<{ readonly count: number; readonly entries: KyvernoAttestorEntry[] }>;
      }>;
    }>;
  };
}

/** A policy-controller authority (`policy.sigstore.dev/v1beta1`). */
export interface SigstoreAuthority {
  readonly name: string;
  readonly key?: { readonly data: string; readonly hashAlgorithm: 'sha256' };
  readonly keyless?: { readonly url: string; readonly identities: ReadonlyArray<{ readonly issuer: string; readonly subject: string }> };
  readonly ctlog: { readonly url?: string };
}

/** Sigstore policy-controller `ClusterImagePolicy` (`policy.sigstore.dev/v1beta1`). */
export interface SigstoreClusterImagePolicy {
  readonly spec: {
    readonly mode: 'enforce' | 'warn';
    readonly images: ReadonlyArray<{ readonly glob: string }>;
    readonly authorities: SigstoreAuthority[];
  };
}

/** Security Profiles Operator `SeccompProfile` (`security-profiles-operator.x-k8s.io/v1beta1`). */
export interface SpoSeccompProfile {
  readonly spec: {
    readonly defaultAction: string;
    readonly architectures: string[];
    readonly syscalls: ReadonlyArray<{ readonly action: string; readonly names: string[] }>;
  };
}

/** The pid fields of a kubelet `KubeletConfiguration` (`kubelet.config.k8s.io/v1beta1`); no ObjectMeta. */
export interface KubeletPidConfiguration {
  readonly podPidsLimit: number;
  readonly systemReserved: { readonly pid: string };
  readonly kubeReserved: { readonly pid: string };
  readonly evictionHard: Record<string, string>;
}
