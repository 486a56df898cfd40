import { SuperlatchKeys } from '../../contract';
import { defineRule } from '../internal/define';
import { isHubMaster, latchPods } from '../internal/latch';
import { finding, jsonPath, obj, RuleFindingList, selectorMatches } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** The hub master runs as one pod, is never autoscaled and is selected by no Service. */
export const hubMasterSingle = defineRule({
  id: 'SL-LATCH-9',
  title: 'The hub latch master runs one replica, with no autoscaler and no Service',
  severity: RuleSeverity.ERROR,
  rationale: 'The hub design promises never two pollers (two masters race on the status ConfigMap and double the Latch API calls) and no ingress to the pod that holds the Latch credentials and an API token.',
  remediation: `Keep the master (role \`${SuperlatchKeys.ROLE_AGENT}\`, mode hub) at \`replicas: 1\` with the Recreate strategy, remove any HorizontalPodAutoscaler whose scaleTargetRef names it, and remove any Service whose selector matches its pods.`,
  references: [...design('§4', '§7')],
  check: (set) => {
    const masters = latchPods(set).filter(isHubMaster);
    if (masters.length === 0) return undefined;
    const out: RuleFindingList = [];
    for (const { pod } of masters) {
      const what = `hub latch master ${pod.ref.kind} '${pod.ref.name}'`;
      if (pod.replicas !== undefined && pod.replicas > 1) {
        out.push(finding(pod.ref, 'spec.replicas', `${what} has ${pod.replicas} replicas: two pollers would race on the status ConfigMap`));
      }
      for (const hpa of set.ofKind('HorizontalPodAutoscaler')) {
        const target = obj(obj(hpa.obj.spec).scaleTargetRef);
        if (hpa.namespace === pod.ref.namespace && target.kind === pod.ref.kind && target.name === pod.ref.name) {
          out.push(finding(hpa, 'spec.scaleTargetRef', `HorizontalPodAutoscaler '${hpa.name}' scales ${what}`));
        }
      }
      for (const svc of set.ofKind('Service')) {
        const selector = obj(svc.obj.spec).selector;
        if (svc.namespace !== pod.ref.namespace || Object.keys(obj(selector)).length === 0) continue;
        if (selectorMatches({ matchLabels: selector }, pod.labels)) {
          out.push(finding(svc, jsonPath('spec', 'selector'), `Service '${svc.name}' selects the pods of ${what}`));
        }
      }
    }
    return out;
  },
});
