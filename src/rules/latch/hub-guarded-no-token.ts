import { defineRule } from '../internal/define';
import { perGuardedHubPod } from '../internal/latch';
import { arr, finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hub-mode guarded pods hold no API token. */
export const hubGuardedNoToken = defineRule({
  id: 'SL-LATCH-7',
  title: 'Hub-mode guarded pods mount no ServiceAccount token',
  severity: RuleSeverity.ERROR,
  rationale: 'Guarded pods only read a mounted ConfigMap; an API token would let a compromised app read or change the status ConfigMap through the API.',
  remediation: 'Set `spec.automountServiceAccountToken: false` on the guarded pod template and remove projected `serviceAccountToken` sources.',
  references: [...design('§4', '§7')],
  check: (set) => perGuardedHubPod(set, (pod) => {
    const out: RuleFindingList = [];
    if (pod.spec.automountServiceAccountToken !== false) {
      out.push(finding(pod.ref, jsonPath(pod.specPath, 'automountServiceAccountToken'), `hub-mode guarded ${pod.ref.kind} '${pod.ref.name}' does not set automountServiceAccountToken: false`));
    }
    arr(pod.spec.volumes).forEach((v, i) => arr(obj(obj(v).projected).sources).forEach((s, j) => {
      if (obj(s).serviceAccountToken) {
        out.push(finding(pod.ref, jsonPath(pod.specPath, 'volumes', i, 'projected', 'sources', j, 'serviceAccountToken'), `hub-mode guarded pod projects a ServiceAccount token into volume '${obj(v).name}'`));
      }
    }));
    return out;
  }),
});
