import { RelaxationName } from '../../hardening/relaxation';
import { ID_FLOOR } from '../../internal/ids';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: the pod's fsGroup above the id floor, like its uid and gid (SL-HARD-2). */
export const fsGroupFloor = defineRule({
  id: 'SL-HARD-25',
  title: `A pod's fsGroup, when set, is above ${ID_FLOOR}`,
  severity: RuleSeverity.ERROR,
  rationale: 'The fsGroup owns the pod\'s volumes and is added to every process of the pod: a low gid may be a group of the node or of other images, which then share those files.',
  remediation: `Set \`spec.securityContext.fsGroup\` above ${ID_FLOOR} (e.g. the pod's runAsGroup), or remove it (the profile sets its own).`,
  references: [...design('§5')],
  relaxedBy: [RelaxationName.LOW_IDS],
  check: (set) => perPod(set, (pod) => {
    const value = pod.podSc.fsGroup;
    return value === undefined || (typeof value === 'number' && value > ID_FLOOR) ? [] : [
      finding(pod.ref, jsonPath(pod.specPath, 'securityContext', 'fsGroup'), `the pod sets fsGroup ${value}, not above ${ID_FLOOR}`),
    ];
  }),
});
