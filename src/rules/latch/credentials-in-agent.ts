import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { isGuardedHub, latchPods, mountsOf, volumeOf } from '../internal/latch';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Only the agent container mounts the Latch credentials. */
export const credentialsInAgent = defineRule({
  id: 'SL-LATCH-3',
  title: 'Only the latch agent mounts the Latch credentials',
  severity: RuleSeverity.ERROR,
  rationale: 'The application containers need only the status file; giving them the Latch application secret lets a compromised app forge or reset the lock.',
  remediation: `Mount the volume named in \`${SuperlatchKeys.CREDENTIALS_VOLUME_ANNOTATION}\` only in the container named in \`${SuperlatchKeys.WRITER_ANNOTATION}\`; hub-mode guarded pods carry no credentials at all.`,
  references: [...design('§7')],
  check: (set) => {
    const pods = latchPods(set).filter((lp) => lp.credentialsVolume !== undefined);
    if (pods.length === 0) return undefined;
    const out: RuleFindingList = [];
    for (const lp of pods) {
      const { pod } = lp;
      const vol = lp.credentialsVolume!;
      const annotationPath = jsonPath(pod.metaPath, 'annotations', SuperlatchKeys.CREDENTIALS_VOLUME_ANNOTATION);
      if (isGuardedHub(lp)) {
        out.push(finding(pod.ref, annotationPath, `hub-mode guarded pod carries credentials volume '${vol}'`));
        continue;
      }
      if (!volumeOf(pod, vol)) {
        out.push(finding(pod.ref, annotationPath, `credentials volume '${vol}' is not a volume of the pod`));
        continue;
      }
      // In a hub agent pod without a writer annotation, the whole pod is the agent.
      const allowed = lp.writer ?? (lp.role === SuperlatchKeys.ROLE_AGENT ? undefined : '');
      for (const m of mountsOf(pod, vol)) {
        if (allowed !== undefined && m.c.name !== allowed) {
          out.push(finding(pod.ref, m.path, `container '${m.c.name}' mounts the Latch credentials volume '${vol}' but is not the latch agent`));
        }
      }
    }
    return out;
  },
});
