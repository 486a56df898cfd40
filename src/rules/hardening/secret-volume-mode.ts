import { defineRule } from '../internal/define';
import { arr, finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Permission bits a secret file must not have: group write and anything for others. */
const LOOSE_BITS = 0o027;

function loose(mode: unknown): boolean {
  // eslint-disable-next-line no-bitwise
  return typeof mode !== 'number' || (mode & LOOSE_BITS) !== 0;
}

/** Hardened profile: secret files with a restrictive mode. */
export const secretVolumeMode = defineRule({
  id: 'SL-HARD-22',
  title: 'Secret volumes set a restrictive file mode (e.g. 0400)',
  severity: RuleSeverity.WARNING,
  rationale: 'The default mode 0644 makes secret files readable by every user in the container, not only the process that needs them.',
  remediation: 'Set `defaultMode: 0400` (256 in JSON) on `secret` volumes and on projected volumes with secret sources; item modes must not grant group write or any access to others.',
  references: [...design('§5', '§7')],
  check: (set) => {
    const hasSecretVolume = (v: unknown) => obj(v).secret || arr(obj(obj(v).projected).sources).some((s) => obj(s).secret);
    const pods = set.pods.filter((p) => arr(p.spec.volumes).some(hasSecretVolume));
    if (pods.length === 0) return undefined;
    return pods.flatMap((pod) => {
      const out: RuleFindingList = [];
      arr(pod.spec.volumes).forEach((v, i) => {
        const vol = obj(v);
        const path = jsonPath(pod.specPath, 'volumes', i);
        const checkItems = (items: unknown, base: string) => arr(items).forEach((item, j) => {
          if (obj(item).mode !== undefined && loose(obj(item).mode)) {
            out.push(finding(pod.ref, jsonPath(base, 'items', j, 'mode'), `secret item '${obj(item).key}' of volume '${vol.name}' has a loose mode`));
          }
        });
        if (vol.secret) {
          if (loose(obj(vol.secret).defaultMode)) {
            out.push(finding(pod.ref, jsonPath(path, 'secret', 'defaultMode'), `secret volume '${vol.name}' does not set a restrictive defaultMode`));
          }
          checkItems(obj(vol.secret).items, jsonPath(path, 'secret'));
        }
        const sources = arr(obj(vol.projected).sources);
        if (sources.some((s) => obj(s).secret)) {
          if (loose(obj(vol.projected).defaultMode)) {
            out.push(finding(pod.ref, jsonPath(path, 'projected', 'defaultMode'), `projected volume '${vol.name}' with secrets does not set a restrictive defaultMode`));
          }
          sources.forEach((s, j) => {
            if (obj(s).secret) checkItems(obj(obj(s).secret).items, jsonPath(path, 'projected', 'sources', j, 'secret'));
          });
        }
      });
      return out;
    });
  },
});
