import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { isGuardedHub, latchPods, mountsOf, volumeOf } from '../internal/latch';
import { ContainerRef, finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/**
 * The writer runs beside the application for the pod's whole life: a regular container, or
 * an init container with `restartPolicy: Always` (a native sidecar, Kubernetes 1.29+). A
 * plain init container would run before the application and stop; an ephemeral container
 * is added to a live pod by whoever may debug it.
 */
function writerPlacement(writer: ContainerRef): string | undefined {
  if (writer.list === 'ephemeralContainers') return `status writer '${writer.name}' is an ephemeral container`;
  if (writer.list === 'initContainers' && writer.c.restartPolicy !== 'Always') {
    return `status writer '${writer.name}' is an init container without restartPolicy: Always, so it would run before the application instead of beside it`;
  }
  return undefined;
}

/** The status volume has exactly one writer (none for hub-mode guarded pods). */
export const singleWriter = defineRule({
  id: 'SL-LATCH-1',
  title: 'The status volume has exactly one writer, the latch agent',
  severity: RuleSeverity.ERROR,
  rationale: 'Readers trust the status file to decide whether the application may run; a second writer could open the latch that the phone closed.',
  remediation: `Annotate the pod template with \`${SuperlatchKeys.MODE_ANNOTATION}\` (sidecar|hub) and \`${SuperlatchKeys.STATUS_VOLUME_ANNOTATION}\`; in sidecar mode name the agent container in \`${SuperlatchKeys.WRITER_ANNOTATION}\` (a regular container, or from Kubernetes 1.29 an init container with \`restartPolicy: Always\`) and let only it mount the volume read-write; hub-mode guarded pods have no writer.`,
  references: [...design('§4', '§7')],
  check: (set) => {
    const pods = latchPods(set);
    if (pods.length === 0) return undefined;
    const out: RuleFindingList = [];
    for (const lp of pods) {
      const { pod } = lp;
      const annotation = (key: string) => jsonPath(pod.metaPath, 'annotations', key);
      if (lp.mode !== SuperlatchKeys.MODE_SIDECAR && lp.mode !== SuperlatchKeys.MODE_HUB) {
        out.push(finding(pod.ref, annotation(SuperlatchKeys.MODE_ANNOTATION), `latch pod template of ${pod.ref.kind} '${pod.ref.name}' has mode '${lp.mode ?? ''}', not sidecar or hub`));
        continue;
      }
      if (lp.statusVolume === undefined) {
        // the hub agent publishes through the API: it has no status volume
        if (lp.mode === SuperlatchKeys.MODE_HUB && lp.role === SuperlatchKeys.ROLE_AGENT) continue;
        out.push(finding(pod.ref, annotation(SuperlatchKeys.STATUS_VOLUME_ANNOTATION), `latch pod template of ${pod.ref.kind} '${pod.ref.name}' does not name its status volume`));
        continue;
      }
      if (!volumeOf(pod, lp.statusVolume)) {
        out.push(finding(pod.ref, annotation(SuperlatchKeys.STATUS_VOLUME_ANNOTATION), `status volume '${lp.statusVolume}' is not a volume of the pod`));
        continue;
      }
      if (isGuardedHub(lp)) {
        if (lp.writer !== undefined) {
          out.push(finding(pod.ref, annotation(SuperlatchKeys.WRITER_ANNOTATION), `hub-mode guarded pod names writer '${lp.writer}', but nobody may write a hub status volume`));
        }
        continue;
      }
      if (lp.mode === SuperlatchKeys.MODE_SIDECAR) {
        const writer = lp.writer === undefined ? undefined : pod.containers.find((c) => c.name === lp.writer);
        if (!writer) {
          out.push(finding(pod.ref, annotation(SuperlatchKeys.WRITER_ANNOTATION), lp.writer === undefined
            ? 'sidecar-mode latch pod does not name the writer of its status volume'
            : `status writer '${lp.writer}' is not a container of the pod`));
          continue;
        }
        const placement = writerPlacement(writer);
        if (placement) out.push(finding(pod.ref, writer.path, placement));
        const writes = mountsOf(pod, lp.statusVolume).filter((m) => m.c.name === lp.writer && !m.readOnly);
        if (writes.length === 0) {
          out.push(finding(pod.ref, writer.path, `status writer '${lp.writer}' does not mount status volume '${lp.statusVolume}' read-write`));
        }
      }
    }
    return out;
  },
});
