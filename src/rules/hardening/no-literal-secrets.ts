import { defineRule } from '../internal/define';
import { arr, finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { design, kubescape, polaris } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Names that announce a secret value. */
const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth[_-]?key|client[_-]?key)/i;
/** Names that announce a reference to a secret, not the secret. */
const REFERENCE_NAME = /(_|-)(file|path|dir|name|url|endpoint|ref|id)$/i;
/** Values that are secrets whatever the name. */
const SECRET_VALUES = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bAKIA[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{36}\b/,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
];

/** Does a name/value pair look like a literal secret? */
export function looksSecret(name: string, value: unknown): boolean {
  if (typeof value !== 'string' || value.trim() === '') return false;
  if (SECRET_VALUES.some((re) => re.test(value))) return true;
  if (!SECRET_NAME.test(name) || REFERENCE_NAME.test(name)) return false;
  // paths, booleans and numbers are configuration, not secrets
  return !(/^\//.test(value) || /^(true|false|yes|no|on|off|enabled|disabled)$/i.test(value) || /^\d+$/.test(value));
}

/** Literal secrets in env values or ConfigMaps. */
export const noLiteralSecrets = defineRule({
  id: 'SL-HARD-23',
  title: 'No literal secret in env values or ConfigMap data',
  severity: RuleSeverity.ERROR,
  rationale: 'A secret written into a manifest is in Git history, in every GitOps diff and readable by anyone who can read the object.',
  remediation: 'Move the value into a Secret (created out of band or by an external-secrets operator) and mount it as a file with mode 0400.',
  references: [...design('§7'), ...polaris('sensitiveContainerEnvVar', 'sensitiveConfigmapContent'), ...kubescape('C-0012')],
  check: (set) => {
    const maps = set.ofKind('ConfigMap');
    if (set.pods.length === 0 && maps.length === 0) return undefined;
    const out: RuleFindingList = [];
    for (const c of set.containers()) {
      arr(c.c.env).forEach((e, i) => {
        if (looksSecret(String(obj(e).name ?? ''), obj(e).value)) {
          out.push(finding(c.pod.ref, jsonPath(c.path, 'env', i, 'value'), `container '${c.name}' env var '${obj(e).name}' holds a literal secret`));
        }
      });
    }
    for (const map of maps) {
      for (const [key, value] of Object.entries(obj(map.obj.data))) {
        if (looksSecret(key, value)) {
          out.push(finding(map, jsonPath('data', key), `ConfigMap '${map.name}' key '${key}' holds a literal secret`));
        }
      }
    }
    return out;
  },
});
