import { RelaxationName } from '../../hardening/relaxation';
import { DIGEST_PINNED, digestForms } from '../../internal/digest';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { checkov, design, kubeLinter, kubeScore, polaris, trivy } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** How to pin this image: `; pin it as 'repo:tag@sha256:<64 hex digits>' or ...` (nothing for a missing image). */
function pinAs(image: unknown): string {
  return typeof image === 'string' && image !== '' ? `; pin it as ${digestForms(image.split('@')[0], "'")}` : '';
}

/** Hardened profile: images pinned by digest. */
export const imageDigest = defineRule({
  id: 'SL-HARD-15',
  title: 'Images are pinned by digest',
  severity: RuleSeverity.ERROR,
  rationale: 'A tag can be moved to other content at any time; only a digest guarantees that what runs is what was reviewed and scanned.',
  remediation: `Reference every image as ${digestForms('registry/repo:tag', '`')}, the digest algorithms the OCI image spec registers (e.g. from \`crane digest\` or your registry).`,
  references: [...design('§5'), ...kubeScore('container-image-tag'), ...polaris('tagNotSpecified'), ...checkov('CKV_K8S_43', 'CKV_K8S_14'), ...trivy('KSV013'), ...kubeLinter('latest-tag')],
  relaxedBy: [RelaxationName.TAG_ONLY_IMAGES],
  check: (set) => perPod(set, (pod) => pod.containers
    .filter((c) => typeof c.c.image !== 'string' || !DIGEST_PINNED.test(c.c.image))
    .map((c) => finding(pod.ref, jsonPath(c.path, 'image'), `container '${c.name}' image '${c.c.image ?? ''}' is not pinned by a sha256 or sha512 digest${pinAs(c.c.image)}`))),
});
