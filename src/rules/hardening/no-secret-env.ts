import { RelaxationName } from '../../hardening/relaxation';
import { defineRule, perPod } from '../internal/define';
import { arr, ContainerRef, finding, jsonPath, obj, PodRef, RuleFindingList } from '../internal/manifests';
import { checkov, cis, design, kubeLinter, kubescape } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Findings for every env var of a container that takes its value from a Secret. */
export function secretEnvFindings(pod: PodRef, c: ContainerRef): RuleFindingList {
  const out: RuleFindingList = [];
  arr(c.c.env).forEach((e, i) => {
    const ref = obj(obj(obj(e).valueFrom).secretKeyRef);
    if (Object.keys(ref).length > 0) {
      out.push(finding(pod.ref, jsonPath(c.path, 'env', i, 'valueFrom', 'secretKeyRef'), `container '${c.name}' reads Secret '${ref.name}' key '${ref.key}' into env var '${obj(e).name}'`));
    }
  });
  arr(c.c.envFrom).forEach((e, i) => {
    const ref = obj(obj(e).secretRef);
    if (Object.keys(ref).length > 0) {
      out.push(finding(pod.ref, jsonPath(c.path, 'envFrom', i, 'secretRef'), `container '${c.name}' loads every key of Secret '${ref.name}' into its environment`));
    }
  });
  return out;
}

/** Hardened profile: secrets as files, never env values. */
export const noSecretEnv = defineRule({
  id: 'SL-HARD-21',
  title: 'Secrets are mounted as files, never passed as environment variables',
  severity: RuleSeverity.ERROR,
  relaxedBy: [RelaxationName.SECRETS_IN_ENV],
  rationale: 'Environment variables leak into child processes, crash dumps, logs and `kubectl describe`; a file with mode 0400 does not.',
  remediation: 'Replace `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` with a `secret` volume (`defaultMode: 0400`) mounted read-only, and read the file.',
  references: [...design('§5', '§7'), ...cis('5.4.1'), ...kubescape('C-0207'), ...checkov('CKV_K8S_35'), ...kubeLinter('env-var-secret', 'read-secret-from-env-var')],
  check: (set) => perPod(set, (pod) => pod.containers.flatMap((c) => secretEnvFindings(pod, c))),
});
