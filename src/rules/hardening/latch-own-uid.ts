import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { latchContainerNames } from '../internal/latch';
import { finding, jsonPath } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: the latch's own containers (annotation `superlatch.io/latch-containers`) never share a uid with the application's. */
export const latchOwnUid = defineRule({
  id: 'SL-HARD-27',
  title: 'The latch\'s own containers run as a uid that no application container of the pod uses',
  severity: RuleSeverity.ERROR,
  rationale: 'A process of the application running as the same uid as the latch agent can read the agent\'s files and memory through /proc, and with them its credentials and status.',
  remediation: 'Give the latch a uid of its own (the `agentUser` option of the Latch), distinct from the runAsUser of every application container.',
  references: [...design('§4', '§5')],
  check: (set) => {
    const pods = set.pods.filter((pod) => SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION in pod.annotations)
      .map((pod) => ({ pod, latch: latchContainerNames(pod) })).filter((x) => x.latch.size > 0);
    if (pods.length === 0) return undefined;
    return pods.flatMap(({ pod, latch }) => {
      const containers = pod.containers.filter((c) => c.list !== 'ephemeralContainers');
      const uid = (sc: any) => sc.runAsUser ?? pod.podSc.runAsUser;
      const appUids = new Set(containers.filter((c) => !latch.has(c.name)).map((c) => uid(c.sc)));
      return containers.filter((c) => latch.has(c.name) && uid(c.sc) !== undefined && appUids.has(uid(c.sc)))
        .map((c) => finding(pod.ref, jsonPath(c.path, 'securityContext', 'runAsUser'),
          `latch container '${c.name}' runs as uid ${uid(c.sc)}, like the application containers (a shared uid can read the agent's files through /proc)`));
    });
  },
});
