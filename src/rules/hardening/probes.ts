import { RelaxationName } from '../../hardening/relaxation';
import { sameJson } from '../../internal/objects';
import { defineRule } from '../internal/define';
import { finding, jsonPath, RuleFindingList } from '../internal/manifests';
import { checkov, design, kubeLinter, kubeScore, polaris } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: liveness and readiness probes, not the same one. */
export const probes = defineRule({
  id: 'SL-HARD-14',
  title: 'Long-running containers have liveness and readiness probes that differ',
  severity: RuleSeverity.WARNING,
  rationale: 'Without readiness a broken pod keeps receiving traffic; without liveness a hung one is never restarted; identical probes restart pods that are only busy.',
  remediation: 'Add a `readinessProbe` (can I serve now?) and a different `livenessProbe` (am I stuck?) to every container of Deployments, StatefulSets and DaemonSets.',
  references: [...design('§5'), ...kubeScore('pod-probes'), ...polaris('livenessProbeMissing', 'readinessProbeMissing'), ...checkov('CKV_K8S_8', 'CKV_K8S_9'), ...kubeLinter('no-liveness-probe', 'no-readiness-probe')],
  relaxedBy: [RelaxationName.NO_PROBES],
  check: (set) => {
    const pods = set.pods.filter((p) => !p.batch && p.ref.kind !== 'PodTemplate');
    if (pods.length === 0) return undefined;
    return pods.flatMap((pod) => {
      const out: RuleFindingList = [];
      for (const c of pod.containers.filter((x) => x.list === 'containers')) {
        const live = c.c.livenessProbe;
        const ready = c.c.readinessProbe;
        if (!live) out.push(finding(pod.ref, jsonPath(c.path, 'livenessProbe'), `container '${c.name}' has no livenessProbe`));
        if (!ready) out.push(finding(pod.ref, jsonPath(c.path, 'readinessProbe'), `container '${c.name}' has no readinessProbe`));
        if (live && ready && sameJson(live, ready)) {
          out.push(finding(pod.ref, jsonPath(c.path, 'livenessProbe'), `container '${c.name}' uses the same probe for liveness and readiness`));
        }
      }
      return out;
    });
  },
});
