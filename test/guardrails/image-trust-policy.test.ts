import { Testing } from 'cdk8s';
import { HardenedNamespace } from '../../src';
import { ImageSigner, ImageTrustAction, ImageTrustEngine, ImageTrustPolicy, ImageTrustPolicyProps } from '../../src/guardrails';
import { expectNoFindings } from '../judges';
import { errorOf, find, newChart } from '../util';

jest.setTimeout(60_000);

/** A throw-away P-256 public key (its private half was never kept). */
const PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnquA+CENSehPJzMsuwuvObala1m5
9bohs4cDuin5hODLvBT+Ez0/KdUaLOt9sBVcOATZzhulR0JwGVLMdWzkYA==
-----END PUBLIC KEY-----`;
const ISSUER = 'https://token.actions.githubusercontent.com';
const SUBJECT = 'https://github.com/example/payments/.github/workflows/release.yml@refs/heads/main';

function synth(props: Partial<ImageTrustPolicyProps> & { engine: ImageTrustEngine }) {
  const { chart } = newChart('apps');
  const policy = new ImageTrustPolicy(chart, 'trust', {
    imageReferences: ['registry.example.com/payments/*'],
    signers: [ImageSigner.cosignPublicKey(PEM), ImageSigner.keyless({ issuer: ISSUER, subject: SUBJECT })],
    ...props,
  });
  return { policy, manifests: Testing.synth(chart) };
}

describe('Kyverno ClusterPolicy', () => {
  // GIVEN a Kyverno policy for one namespace, with a key and a keyless signer
  const { policy, manifests } = synth({ engine: ImageTrustEngine.KYVERNO, namespaces: ['payments'] });
  const cp = find(manifests, 'ClusterPolicy', 'superlatch-image-trust');

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('is cluster-scoped kyverno.io/v1, fails closed, and verifies at admission only', () => {
    expect(cp.apiVersion).toBe('kyverno.io/v1');
    expect(cp.metadata.namespace).toBeUndefined();
    expect(cp.spec.background).toBe(false);
    expect(cp.spec.webhookConfiguration).toEqual({ failurePolicy: 'Fail', timeoutSeconds: 30 });
  });

  test('one verifyImages rule on Pods of the namespaces: signature and digest required, no digest mutation, any one signer suffices', () => {
    expect(cp.spec.rules).toHaveLength(1);
    const rule = cp.spec.rules[0];
    expect(rule.match).toEqual({ any: [{ resources: { kinds: ['Pod'], namespaces: ['payments'] } }] });
    expect(rule.verifyImages).toEqual([{
      imageReferences: ['registry.example.com/payments/*'],
      failureAction: 'Enforce',
      mutateDigest: false,
      verifyDigest: true,
      required: true,
      attestors: [{
        count: 1,
        entries: [
          { keys: { publicKeys: PEM, rekor: { url: 'https://rekor.sigstore.dev' } } },
          { keyless: { issuer: ISSUER, subject: SUBJECT, rekor: { url: 'https://rekor.sigstore.dev' } } },
        ],
      }],
    }]);
  });

  test('needs no namespace label', () => {
    expect(policy.namespaceLabels).toEqual({});
  });

  test('audit mode reports instead of refusing; without namespaces every namespace is verified', () => {
    const out = find(synth({ engine: ImageTrustEngine.KYVERNO, action: ImageTrustAction.AUDIT }).manifests, 'ClusterPolicy');
    expect(out.spec.rules[0].verifyImages[0].failureAction).toBe('Audit');
    expect(out.spec.rules[0].match.any[0].resources).toEqual({ kinds: ['Pod'] });
  });

  test('keys signed without the transparency log skip it explicitly', () => {
    const out = find(synth({ engine: ImageTrustEngine.KYVERNO, signers: [ImageSigner.cosignPublicKey(PEM)], transparencyLog: false }).manifests, 'ClusterPolicy');
    expect(out.spec.rules[0].verifyImages[0].attestors[0].entries).toEqual([
      { keys: { publicKeys: PEM, rekor: { url: 'https://rekor.sigstore.dev', ignoreTlog: true } } },
    ]);
  });

  test('the schema judge has no schema for the Kyverno CRD: exempted explicitly', async () => {
    await expectNoFindings(manifests, {
      exemptions: [{ judge: 'schema', id: 'not-validated', objectName: 'superlatch-image-trust', reason: 'Kyverno ClusterPolicy is a custom resource; fields taken from the kyverno.io/v1 API types' }],
    });
  });
});

describe('Sigstore policy-controller ClusterImagePolicy', () => {
  // GIVEN a policy-controller policy with a key and a keyless signer
  const { policy, manifests } = synth({ engine: ImageTrustEngine.SIGSTORE_POLICY_CONTROLLER, imageReferences: ['registry.example.com/payments/**'] });
  const cip = find(manifests, 'ClusterImagePolicy', 'superlatch-image-trust');

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('is cluster-scoped policy.sigstore.dev/v1beta1 in enforce mode, one authority per signer', () => {
    expect(cip.apiVersion).toBe('policy.sigstore.dev/v1beta1');
    expect(cip.metadata.namespace).toBeUndefined();
    expect(cip.spec).toEqual({
      mode: 'enforce',
      images: [{ glob: 'registry.example.com/payments/**' }],
      authorities: [
        { name: 'signer-1', key: { data: PEM, hashAlgorithm: 'sha256' }, ctlog: { url: 'https://rekor.sigstore.dev' } },
        {
          name: 'signer-2',
          keyless: { url: 'https://fulcio.sigstore.dev', identities: [{ issuer: ISSUER, subject: SUBJECT }] },
          ctlog: { url: 'https://rekor.sigstore.dev' },
        },
      ],
    });
  });

  test('namespaces opt in by label, which HardenedNamespace can carry', () => {
    expect(policy.namespaceLabels).toEqual({ 'policy.sigstore.dev/include': 'true' });
    const { chart } = newChart('apps');
    new HardenedNamespace(chart, 'ns', { name: 'payments', labels: policy.namespaceLabels });
    expect(find(Testing.synth(chart), 'Namespace').metadata.labels['policy.sigstore.dev/include']).toBe('true');
  });

  test('audit mode is the policy-controller warn mode; no transparency log is an empty ctlog', () => {
    const out = find(synth({
      engine: ImageTrustEngine.SIGSTORE_POLICY_CONTROLLER,
      action: ImageTrustAction.AUDIT,
      signers: [ImageSigner.cosignPublicKey(PEM)],
      transparencyLog: false,
    }).manifests, 'ClusterImagePolicy');
    expect(out.spec.mode).toBe('warn');
    expect(out.spec.authorities[0].ctlog).toEqual({});
  });

  test('the schema judge has no schema for the Sigstore CRD: exempted explicitly', async () => {
    await expectNoFindings(manifests, {
      exemptions: [{ judge: 'schema', id: 'not-validated', objectName: 'superlatch-image-trust', reason: 'ClusterImagePolicy is a custom resource; fields taken from the policy.sigstore.dev/v1beta1 API types' }],
    });
  });
});

describe('bad input fails with the construct path, the field and the fix', () => {
  test.each<[string, () => unknown, string]>([
    ['no image references', () => synth({ engine: ImageTrustEngine.KYVERNO, imageReferences: [] }), '[test/trust]: imageReferences is empty, so no image would be verified. Fix:'],
    ['a pattern with a space', () => synth({ engine: ImageTrustEngine.KYVERNO, imageReferences: ['a b'] }), "[test/trust]: imageReferences 'a b' is empty or contains spaces"],
    ['no signers', () => synth({ engine: ImageTrustEngine.KYVERNO, signers: [] }), '[test/trust]: signers is empty, so nothing could ever be admitted. Fix:'],
    ['keyless without the log', () => synth({ engine: ImageTrustEngine.KYVERNO, transparencyLog: false }), '[test/trust]: transparencyLog is false, but keyless signatures are verified through the Rekor log'],
    ['a namespace list for the policy-controller', () => synth({ engine: ImageTrustEngine.SIGSTORE_POLICY_CONTROLLER, namespaces: ['payments'] }),
      '[test/trust]: the policy-controller selects namespaces by their opt-in label, not by a list. Fix:'],
    ['an empty namespace list', () => synth({ engine: ImageTrustEngine.KYVERNO, namespaces: [] }), '[test/trust]: namespaces is empty. Fix: leave it out'],
    ['a key that is not PEM', () => ImageSigner.cosignPublicKey('ssh-ed25519 AAAA'), 'ImageSigner.cosignPublicKey: publicKeyPem is not a PEM public key. Fix:'],
    ['an issuer that is not https', () => ImageSigner.keyless({ issuer: 'token.actions.githubusercontent.com', subject: SUBJECT }), "ImageSigner.keyless: issuer 'token.actions.githubusercontent.com' is not an https URL"],
    ['an empty subject', () => ImageSigner.keyless({ issuer: ISSUER, subject: '' }), "ImageSigner.keyless: subject '' must be the exact signing identity"],
  ])('%s', (_what, fn, message) => {
    expect(errorOf(fn)).toContain(message);
  });
});
