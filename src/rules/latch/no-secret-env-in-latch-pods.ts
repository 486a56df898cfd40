import { secretEnvFindings } from '../hardening/no-secret-env';
import { defineRule } from '../internal/define';
import { latchPods } from '../internal/latch';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** No container of a latch pod takes env values from Secrets. */
export const noSecretEnvInLatchPods = defineRule({
  id: 'SL-LATCH-4',
  title: 'No container of a latch pod reads a Secret into its environment',
  severity: RuleSeverity.ERROR,
  rationale: 'The PoC passed the Latch app id and secret as env vars from a Secret: they end up in process listings, crash dumps and every container that copies the env block.',
  remediation: 'Mount the Latch credentials Secret as files (`defaultMode: 0400`) in the agent container only, and remove `secretKeyRef` / `envFrom.secretRef` from every container of the pod.',
  references: [...design('§7')],
  check: (set) => {
    const pods = latchPods(set);
    if (pods.length === 0) return undefined;
    return pods.flatMap((lp) => lp.pod.containers.flatMap((c) => secretEnvFindings(lp.pod, c)));
  },
});
