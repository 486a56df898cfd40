import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { latchPods, mountsOf } from '../internal/latch';
import { finding, jsonPath } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Every container other than the writer mounts the status volume read-only. */
export const readOnlyReaders = defineRule({
  id: 'SL-LATCH-2',
  title: 'Every reader mounts the status volume read-only',
  severity: RuleSeverity.ERROR,
  rationale: 'An application that can write the status file can unlock itself; read-only mounts make the agent the only source of truth.',
  remediation: `Set \`readOnly: true\` on every volumeMount of the status volume except the one of the container named in \`${SuperlatchKeys.WRITER_ANNOTATION}\`.`,
  references: [...design('§4', '§7')],
  check: (set) => {
    const pods = latchPods(set).filter((lp) => lp.statusVolume !== undefined);
    if (pods.length === 0) return undefined;
    return pods.flatMap((lp) => mountsOf(lp.pod, lp.statusVolume!)
      .filter((m) => !m.readOnly && !(lp.mode === SuperlatchKeys.MODE_SIDECAR && m.c.name === lp.writer))
      .map((m) => finding(lp.pod.ref, jsonPath(m.path, 'readOnly'), `container '${m.c.name}' mounts status volume '${lp.statusVolume}' read-write`)));
  },
});
