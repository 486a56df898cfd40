import { APPARMOR_PREFIX } from '../../../src/hardening/pod-hardening';

/** One security setting of a pod template that the hardened output made weaker than upstream had it. */
export interface Weakening {
  /** `spec.securityContext.runAsNonRoot`, `spec.containers[web].securityContext.readOnlyRootFilesystem`, `spec.hostPID`... */
  readonly path: string;
  readonly upstream: unknown;
  readonly hardened: unknown;
}

/** Whether `hardened` is weaker than `upstream` for one field (either may be undefined: not set). */
type Weaker = (upstream: any, hardened: any) => boolean;

const trueLost: Weaker = (u, h) => u === true && h !== true;
const falseLost: Weaker = (u, h) => u === false && h !== false;
const turnedOn: Weaker = (u, h) => h === true && u !== true;
const nonRootLost: Weaker = (u, h) => isNonRootId(u) && !isNonRootId(h);
const confinementLost: Weaker = (u, h) => confined(u) && !confined(h);

function isNonRootId(v: unknown): boolean {
  return typeof v === 'number' && v !== 0;
}

/** A seccomp profile (`{ type }`) or AppArmor value that confines the process. */
function confined(v: any): boolean {
  const value = typeof v === 'string' ? v : v?.type;
  return ['RuntimeDefault', 'Localhost', 'runtime/default'].includes(value) || /^localhost\//.test(value ?? '');
}

/** Fields a container inherits from the pod's securityContext when it does not set them. */
const INHERITED: Record<string, Weaker> = {
  runAsNonRoot: trueLost,
  runAsUser: nonRootLost,
  runAsGroup: nonRootLost,
  seccompProfile: confinementLost,
};

const POD_SECURITY_CONTEXT: Record<string, Weaker> = {
  ...INHERITED,
  fsGroup: (u, h) => isNonRootId(u) && h === 0,
};

const POD_SPEC: Record<string, Weaker> = {
  automountServiceAccountToken: falseLost,
  hostNetwork: turnedOn,
  hostPID: turnedOn,
  hostIPC: turnedOn,
  shareProcessNamespace: turnedOn,
};

const CONTAINER_SECURITY_CONTEXT: Record<string, Weaker> = {
  readOnlyRootFilesystem: trueLost,
  allowPrivilegeEscalation: falseLost,
  privileged: turnedOn,
  procMount: (u, h) => h === 'Unmasked' && u !== 'Unmasked',
};

/**
 * Every security setting where the upstream pod template (`{ metadata, spec }`)
 * was stricter than the hardened one: pod-level fields as written, and per
 * container (matched by name) the effective value, inherited from the pod's
 * securityContext when the container sets none. Changing a value to another
 * equally strict one (uid 999 to 10001, Localhost seccomp to RuntimeDefault)
 * is not a weakening; an upstream container missing from the hardened pod is.
 */
export function securityContextWeakenings(upstream: any, hardened: any): Weakening[] {
  const out: Weakening[] = [];
  const compare = (prefix: string, fields: Record<string, Weaker>, u: any = {}, h: any = {}) => {
    for (const [field, weaker] of Object.entries(fields)) {
      if (weaker(u[field], h[field])) out.push({ path: `${prefix}${field}`, upstream: u[field], hardened: h[field] });
    }
  };
  const up = upstream?.spec ?? {};
  const hard = hardened?.spec ?? {};
  compare('spec.', POD_SPEC, up, hard);
  compare('spec.securityContext.', POD_SECURITY_CONTEXT, up.securityContext, hard.securityContext);
  for (const name of sysctlNames(hard).filter((n) => !sysctlNames(up).includes(n))) out.push({ path: `spec.securityContext.sysctls[${name}]`, upstream: undefined, hardened: 'set' });

  for (const list of ['initContainers', 'containers']) {
    for (const uc of up[list] ?? []) {
      const prefix = `spec.${list}[${uc.name}]`;
      const hc = (hard[list] ?? []).find((c: any) => c.name === uc.name);
      if (!hc) {
        out.push({ path: prefix, upstream: 'present', hardened: undefined });
        continue;
      }
      compare(`${prefix}.securityContext.`, INHERITED,
        effective(uc, up.securityContext, Object.keys(INHERITED)), effective(hc, hard.securityContext, Object.keys(INHERITED)));
      compare(`${prefix}.securityContext.`, CONTAINER_SECURITY_CONTEXT, uc.securityContext, hc.securityContext);
      for (const cap of grantedCapabilities(uc.securityContext?.capabilities, hc.securityContext?.capabilities)) {
        out.push({ path: `${prefix}.securityContext.capabilities[${cap}]`, upstream: 'removed', hardened: 'granted' });
      }
      const upArmor = appArmorOf(upstream, uc, up);
      const hardArmor = appArmorOf(hardened, hc, hard);
      if (confinementLost(upArmor, hardArmor)) out.push({ path: `${prefix} AppArmor`, upstream: upArmor, hardened: hardArmor });
    }
  }
  return out;
}

function effective(container: any, podSecurityContext: any = {}, fields: string[]): any {
  const own = container.securityContext ?? {};
  return Object.fromEntries(fields.map((f) => [f, own[f] ?? podSecurityContext[f]]));
}

function sysctlNames(spec: any): string[] {
  return (spec.securityContext?.sysctls ?? []).map((s: any) => s.name);
}

/** Capabilities upstream removed (dropped, or `ALL` dropped, and not added back) that the hardened container has. */
function grantedCapabilities(upstream: any, hardened: any): string[] {
  const norm = (list: string[] | undefined) => (list ?? []).map((c) => c.toUpperCase().replace(/^CAP_/, ''));
  const removed = (caps: any, cap: string) => {
    const drop = norm(caps?.drop);
    return !norm(caps?.add).includes(cap) && (drop.includes('ALL') || drop.includes(cap));
  };
  const candidates = [...new Set([...norm(upstream?.drop), ...norm(hardened?.add)])];
  return candidates.filter((cap) => removed(upstream, cap) && !removed(hardened, cap));
}

/** The AppArmor setting of a container: the 1.27 annotation, else the container's, else the pod's `appArmorProfile` field. */
function appArmorOf(template: any, container: any, spec: any): unknown {
  return template?.metadata?.annotations?.[`${APPARMOR_PREFIX}${container.name}`]
    ?? container.securityContext?.appArmorProfile ?? spec.securityContext?.appArmorProfile;
}
