import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KyvernoAttestorEntry, KyvernoClusterPolicy, KyvernoRekor, SigstoreAuthority, SigstoreClusterImagePolicy } from './custom-resources';
import { emit } from '../internal/manifest';
import { MANAGED_BY } from '../internal/objects';
import { SynthesisPipeline } from '../internal/pipeline';
import { checkDnsLabel } from '../internal/validation';

/** The admission controller that verifies image signatures. */
export enum ImageTrustEngine {
  /** Kyverno 1.13 or later: a `kyverno.io/v1` ClusterPolicy with a `verifyImages` rule. */
  KYVERNO = 'kyverno',
  /** Sigstore policy-controller: a `policy.sigstore.dev/v1beta1` ClusterImagePolicy. */
  SIGSTORE_POLICY_CONTROLLER = 'sigstore-policy-controller',
}

/** What happens to a pod whose image is not signed by a trusted signer. */
export enum ImageTrustAction {
  /** Refuse it (Kyverno `Enforce`, policy-controller `enforce`). */
  ENFORCE = 'enforce',
  /** Admit it and report (Kyverno `Audit`, policy-controller `warn`). */
  AUDIT = 'audit',
}

/** A keyless (Sigstore Fulcio certificate) signing identity. */
export interface KeylessSignerOptions {
  /** OIDC issuer of the signing identity, e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuer: string;

  /**
   * The exact signing identity (certificate subject), e.g. the CI workflow
   * `https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main`
   * or an e-mail address.
   */
  readonly subject: string;

  /**
   * The Fulcio certificate authority (policy-controller only; Kyverno uses its own configuration).
   * @default "https://fulcio.sigstore.dev"
   */
  readonly fulcioUrl?: string;
}

/** Who may sign the images: a cosign public key or a keyless identity. */
export class ImageSigner {
  /** Images signed with `cosign sign --key` and verified with this PEM-encoded public key. */
  public static cosignPublicKey(publicKeyPem: string): ImageSigner {
    const pem = (publicKeyPem ?? '').trim();
    if (!/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----$/.test(pem)) {
      throw new Error('ImageSigner.cosignPublicKey: publicKeyPem is not a PEM public key. Fix: pass the content of cosign.pub (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)');
    }
    return new ImageSigner('key', pem);
  }

  /** Images signed keyless (`cosign sign` with an OIDC identity) by exactly this identity. */
  public static keyless(options: KeylessSignerOptions): ImageSigner {
    if (!/^https:\/\/\S+$/.test(options.issuer ?? '')) {
      throw new Error(`ImageSigner.keyless: issuer '${options.issuer}' is not an https URL. Fix: give the OIDC issuer, e.g. 'https://token.actions.githubusercontent.com'`);
    }
    if (!options.subject || /\s/.test(options.subject)) {
      throw new Error(`ImageSigner.keyless: subject '${options.subject ?? ''}' must be the exact signing identity without spaces. Fix: give the certificate subject, e.g. the workflow URL or an e-mail address`);
    }
    const fulcio = options.fulcioUrl ?? 'https://fulcio.sigstore.dev';
    if (!/^https:\/\/\S+$/.test(fulcio)) {
      throw new Error(`ImageSigner.keyless: fulcioUrl '${fulcio}' is not an https URL`);
    }
    return new ImageSigner('keyless', undefined, { ...options, fulcioUrl: fulcio });
  }

  private constructor(
    private readonly kind: 'key' | 'keyless',
    private readonly publicKey?: string,
    private readonly identity?: KeylessSignerOptions,
  ) {}

  /** @internal Kyverno attestor entry. */
  public _kyverno(rekor: KyvernoRekor): KyvernoAttestorEntry {
    return this.kind === 'key'
      ? { keys: { publicKeys: this.publicKey!, rekor } }
      : { keyless: { issuer: this.identity!.issuer, subject: this.identity!.subject, rekor } };
  }

  /** @internal policy-controller authority. */
  public _sigstore(name: string, ctlog: { url?: string }): SigstoreAuthority {
    return this.kind === 'key'
      ? { name, key: { data: this.publicKey!, hashAlgorithm: 'sha256' }, ctlog }
      : {
        name,
        keyless: { url: this.identity!.fulcioUrl!, identities: [{ issuer: this.identity!.issuer, subject: this.identity!.subject }] },
        ctlog,
      };
  }

  /** @internal */
  public get _isKeyless(): boolean {
    return this.kind === 'keyless';
  }
}

/** Options of an image trust policy. */
export interface ImageTrustPolicyProps {
  /** Which admission controller verifies the signatures. */
  readonly engine: ImageTrustEngine;

  /**
   * Image reference patterns that must be signed, in the engine's syntax:
   * Kyverno wildcards (`registry.example.com/team/*`, `*` also crosses `/`)
   * or policy-controller globs (`registry.example.com/team/**`).
   */
  readonly imageReferences: string[];

  /** Trusted signers: a signature by any one of them admits the image. */
  readonly signers: ImageSigner[];

  /**
   * Kyverno only: namespaces whose pods are verified. The policy-controller
   * verifies every namespace that carries its opt-in label instead (see
   * `namespaceLabels`).
   * @default - every namespace (Kyverno)
   */
  readonly namespaces?: string[];

  /**
   * Name of the cluster-scoped policy.
   * @default "superlatch-image-trust"
   */
  readonly name?: string;

  /**
   * Refuse or only report unsigned images.
   * @default ImageTrustAction.ENFORCE
   */
  readonly action?: ImageTrustAction;

  /**
   * Require the signature in the Rekor transparency log. Turn it off only for
   * images signed with `--tlog-upload=false` (e.g. an air-gapped registry);
   * keyless signatures always need it.
   * @default true
   */
  readonly transparencyLog?: boolean;

  /**
   * The Rekor transparency log.
   * @default "https://rekor.sigstore.dev"
   */
  readonly rekorUrl?: string;
}

/**
 * Only signed images run: the Kubernetes counterpart of Docker Content Trust.
 * Emits, cluster-scoped (never with a namespace), either a Kyverno
 * `ClusterPolicy` with a `verifyImages` rule (signature required, digest
 * required, no tag-to-digest mutation so what runs is what GitOps declared)
 * or a Sigstore policy-controller `ClusterImagePolicy`.
 *
 * @example
 * new ImageTrustPolicy(chart, 'trust', {
 *   engine: ImageTrustEngine.KYVERNO,
 *   imageReferences: ['registry.example.com/payments/*'],
 *   signers: [ImageSigner.keyless({ issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main' })],
 *   namespaces: ['payments'],
 * });
 */
export class ImageTrustPolicy extends Construct {
  /** Name of the policy. */
  public readonly policyName: string;

  /**
   * Labels a namespace needs for this policy to apply there: the
   * policy-controller's opt-in label `policy.sigstore.dev/include: "true"`;
   * none for Kyverno. Pass them to `HardenedNamespace`'s `labels`.
   */
  public readonly namespaceLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: ImageTrustPolicyProps) {
    super(scope, id);
    const where = `[${this.node.path}]`;
    this.policyName = props.name ?? 'superlatch-image-trust';
    checkDnsLabel(where, 'name', this.policyName);
    if (props.imageReferences.length === 0) {
      throw new Error(`${where}: imageReferences is empty, so no image would be verified. Fix: list the image patterns to verify, e.g. 'registry.example.com/team/*'`);
    }
    for (const ref of props.imageReferences) {
      if (!ref || /\s/.test(ref)) throw new Error(`${where}: imageReferences '${ref}' is empty or contains spaces. Fix: give a pattern such as 'registry.example.com/team/*'`);
    }
    if (props.signers.length === 0) {
      throw new Error(`${where}: signers is empty, so nothing could ever be admitted. Fix: give ImageSigner.cosignPublicKey(pem) or ImageSigner.keyless({ issuer, subject })`);
    }
    const tlog = props.transparencyLog ?? true;
    if (!tlog && props.signers.some((s) => s._isKeyless)) {
      throw new Error(`${where}: transparencyLog is false, but keyless signatures are verified through the Rekor log. Fix: keep transparencyLog, or use ImageSigner.cosignPublicKey`);
    }
    const rekorUrl = props.rekorUrl ?? 'https://rekor.sigstore.dev';
    if (!/^https:\/\/\S+$/.test(rekorUrl)) throw new Error(`${where}: rekorUrl '${rekorUrl}' is not an https URL`);
    const action = props.action ?? ImageTrustAction.ENFORCE;
    const labels = { ...MANAGED_BY };
    const images = [...new Set(props.imageReferences)].sort();

    let obj: ApiObject;
    if (props.engine === ImageTrustEngine.KYVERNO) {
      this.namespaceLabels = {};
      const resources: { kinds: string[]; namespaces?: string[] } = { kinds: ['Pod'] };
      if (props.namespaces) {
        if (props.namespaces.length === 0) throw new Error(`${where}: namespaces is empty. Fix: leave it out to verify every namespace, or list the namespaces`);
        props.namespaces.forEach((ns) => checkDnsLabel(where, 'namespaces', ns));
        resources.namespaces = [...new Set(props.namespaces)].sort();
      }
      const rekor = tlog ? { url: rekorUrl } : { url: rekorUrl, ignoreTlog: true };
      obj = emit<KyvernoClusterPolicy>(this, 'Resource', {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: { name: this.policyName, labels },
        spec: {
          background: false,
          webhookConfiguration: { failurePolicy: 'Fail', timeoutSeconds: 30 },
          rules: [{
            name: 'verify-image-signatures',
            match: { any: [{ resources }] },
            verifyImages: [{
              imageReferences: images,
              failureAction: action === ImageTrustAction.ENFORCE ? 'Enforce' : 'Audit',
              // GitOps declares digests; Kyverno must not rewrite them (and may not in Audit mode)
              mutateDigest: false,
              verifyDigest: true,
              required: true,
              attestors: [{ count: 1, entries: props.signers.map((s) => s._kyverno(rekor)) }],
            }],
          }],
        },
      });
    } else {
      if (props.namespaces !== undefined) {
        throw new Error(`${where}: the policy-controller selects namespaces by their opt-in label, not by a list. Fix: remove namespaces and give the namespaces the labels in namespaceLabels (HardenedNamespace labels)`);
      }
      this.namespaceLabels = { 'policy.sigstore.dev/include': 'true' };
      const ctlog = tlog ? { url: rekorUrl } : {};
      obj = emit<SigstoreClusterImagePolicy>(this, 'Resource', {
        apiVersion: 'policy.sigstore.dev/v1beta1',
        kind: 'ClusterImagePolicy',
        metadata: { name: this.policyName, labels },
        spec: {
          mode: action === ImageTrustAction.ENFORCE ? 'enforce' : 'warn',
          images: images.map((glob) => ({ glob })),
          authorities: props.signers.map((s, i) => s._sigstore(`signer-${i + 1}`, ctlog)),
        },
      });
    }
    SynthesisPipeline.of(obj).track(obj); // cluster-scoped: the pipeline's clean-up drops its namespace
  }
}
