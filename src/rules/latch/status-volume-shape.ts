import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { isGuardedHub, latchPods, volumeOf } from '../internal/latch';
import { finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** The status volume is a small in-memory emptyDir (sidecar) or a ConfigMap (hub). */
export const statusVolumeShape = defineRule({
  id: 'SL-LATCH-8',
  title: 'The status volume is a small in-memory emptyDir (sidecar) or a ConfigMap (hub)',
  severity: RuleSeverity.WARNING,
  rationale: 'A memory-backed emptyDir with a sizeLimit never touches the node disk and cannot be filled to exhaust it; in hub mode the ConfigMap is the single published copy.',
  remediation: 'Sidecar: `emptyDir: {medium: Memory, sizeLimit: 1Mi}`. Hub guarded pods: a `configMap` volume of the latch\'s status ConfigMap.',
  references: [...design('§4')],
  check: (set) => {
    const pods = latchPods(set).filter((lp) => lp.statusVolume !== undefined && volumeOf(lp.pod, lp.statusVolume));
    if (pods.length === 0) return undefined;
    const out: RuleFindingList = [];
    for (const lp of pods) {
      const { index, volume } = volumeOf(lp.pod, lp.statusVolume!)!;
      const path = jsonPath(lp.pod.specPath, 'volumes', index);
      if (lp.mode === SuperlatchKeys.MODE_SIDECAR) {
        const dir = obj(volume.emptyDir);
        if (!volume.emptyDir || dir.medium !== 'Memory' || dir.sizeLimit === undefined) {
          out.push(finding(lp.pod.ref, jsonPath(path, 'emptyDir'), `status volume '${lp.statusVolume}' is not an emptyDir with medium Memory and a sizeLimit`));
        }
      } else if (isGuardedHub(lp) && !volume.configMap) {
        out.push(finding(lp.pod.ref, jsonPath(path, 'configMap'), `status volume '${lp.statusVolume}' of a hub-mode guarded pod is not a configMap volume`));
      }
    }
    return out;
  },
});
