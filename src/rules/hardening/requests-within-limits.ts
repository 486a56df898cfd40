import { quantity } from '../../internal/quantity';
import { defineRule, perPod } from '../internal/define';
import { finding, jsonPath, obj } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: no request above its limit (the profile fills the others without ever creating one). */
export const requestsWithinLimits = defineRule({
  id: 'SL-HARD-26',
  title: 'No container requests more of a resource than its limit',
  severity: RuleSeverity.ERROR,
  rationale: 'A request above its limit is rejected by the API server when the pod is created: the workload never starts, and the error appears only at apply time, far from the code that wrote it.',
  remediation: 'Raise the limit or lower the request, so that every `resources.requests` value is at most the matching `resources.limits` value.',
  references: [...design('§5')],
  check: (set) => perPod(set, (pod) => pod.containers.flatMap((c) => {
    const requests = obj(obj(c.c.resources).requests);
    const limits = obj(obj(c.c.resources).limits);
    return Object.entries(requests).filter(([r, req]) => {
      const lim = limits[r];
      if (lim === undefined || lim === req) return false;
      const [q, l] = [quantity(req as string), quantity(lim)];
      return q !== undefined && l !== undefined && q > l;
    }).map(([r, req]) => finding(pod.ref, jsonPath(c.path, 'resources', 'requests', r), `container '${c.name}' requests ${req} of ${r}, more than its limit ${limits[r]}`));
  })),
});
