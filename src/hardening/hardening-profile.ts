import { Size } from 'cdk8s';
import { Relaxation, RelaxationName } from './relaxation';
import { ID_FLOOR } from '../internal/ids';
import { mebibytes } from '../internal/objects';

/** Named starting points of a hardening profile. */
export enum HardeningPreset {
  /**
   * Everything in the hardened profile (DESIGN.md §5): passes Pod Security
   * Standards "restricted" and the workload rules of the common judges.
   */
  RESTRICTED = 'restricted',
  /**
   * "restricted" with the relaxations legacy images usually need (root user,
   * writable root filesystem, privilege escalation, tag-only images,
   * ports below 1024), each recorded in the relaxations annotation.
   * Still passes Pod Security Standards "baseline".
   */
  BASELINE = 'baseline',
}

/** A seccomp profile for pods and containers. */
export class SeccompProfile {
  /** The container runtime's default profile. */
  public static runtimeDefault(): SeccompProfile {
    return new SeccompProfile('RuntimeDefault');
  }

  /**
   * A profile file on the node, relative to the kubelet's seccomp directory
   * (e.g. `operator/latch-agent.json` for the Security Profiles Operator).
   */
  public static localhost(localhostProfile: string): SeccompProfile {
    if (!localhostProfile || localhostProfile.startsWith('/') || localhostProfile.includes('..')) {
      throw new Error(`SeccompProfile.localhost: '${localhostProfile}' must be a relative path under the kubelet seccomp directory, e.g. 'operator/agent.json'`);
    }
    return new SeccompProfile('Localhost', localhostProfile);
  }

  private constructor(public readonly type: string, public readonly localhostProfile?: string) {}

  /** @internal */
  public _toKube(): any {
    return this.localhostProfile ? { type: this.type, localhostProfile: this.localhostProfile } : { type: this.type };
  }
}

/**
 * Requests and limits given to containers that do not set their own.
 * Values a container already sets are never changed. A cdk8s-plus container
 * created without `resources` counts as setting none: cdk8s-plus's own
 * defaults (cpu 1000m/1500m, memory 512Mi/2048Mi) are replaced by these.
 */
export interface ResourceDefaults {
  /** @default "100m" */
  readonly cpuRequest?: string;
  /** @default "500m" */
  readonly cpuLimit?: string;
  /** @default Size.mebibytes(64) */
  readonly memoryRequest?: Size;
  /** @default Size.mebibytes(256) */
  readonly memoryLimit?: Size;
  /** @default Size.mebibytes(64) */
  readonly ephemeralStorageRequest?: Size;
  /** @default Size.mebibytes(256) */
  readonly ephemeralStorageLimit?: Size;
}

/** Options of a hardening profile; every field has a hardened default. */
export interface HardeningProfileProps {
  /**
   * User id of the pod and of every container (`runAsUser`). Must be above 10000
   * unless `Relaxation.lowIds` is given.
   * @default 10001
   */
  readonly user?: number;

  /**
   * Group id of the pod and of every container (`runAsGroup`).
   * @default 10001
   */
  readonly group?: number;

  /**
   * Pod `fsGroup` (owner group of mounted volumes), with `fsGroupChangePolicy: OnRootMismatch`.
   * @default 10001
   */
  readonly fsGroup?: number;

  /**
   * Seccomp profile of the pod and of every container.
   * @default SeccompProfile.runtimeDefault()
   */
  readonly seccompProfile?: SeccompProfile;

  /**
   * AppArmor profile: `runtime/default` or `localhost/<profile>`. Up to a
   * Kubernetes 1.29 target it is written as the annotation
   * `container.apparmor.security.beta.kubernetes.io/<container>` for every
   * container; from 1.30 as the pod's `securityContext.appArmorProfile` field
   * (`RuntimeDefault`, or `Localhost` with `localhostProfile`).
   * @default "runtime/default"
   */
  readonly appArmorProfile?: string;

  /**
   * Run the pods in a user namespace of their own (`hostUsers: false`): uid 0
   * inside the pod is an unprivileged uid on the node. Needs a Kubernetes 1.33
   * target or later (user namespaces on by default; the node needs Linux 6.3+
   * and a runtime that supports them); refused for earlier targets.
   * @default false
   */
  readonly userNamespaces?: boolean;

  /**
   * Mount a small `emptyDir` at `/tmp` in every container that has no mount there,
   * so that a read-only root filesystem still has a scratch directory.
   * @default true
   */
  readonly tmpVolume?: boolean;

  /**
   * Size limit of the `/tmp` emptyDir.
   * @default Size.mebibytes(32)
   */
  readonly tmpSizeLimit?: Size;

  /**
   * Requests and limits for containers that set none.
   * @default - cpu 100m/500m, memory 64Mi/256Mi, ephemeral-storage 64Mi/256Mi
   */
  readonly resourceDefaults?: ResourceDefaults;

  /**
   * Explicit exceptions to the profile, each with a reason. They are added to
   * the preset's own relaxations.
   * @default - none
   */
  readonly relaxations?: Relaxation[];
}

/** The hardened profile rendered by the internal transform. @internal */
export interface ResolvedProfile {
  readonly preset: HardeningPreset;
  readonly user: number;
  readonly group: number;
  readonly fsGroup: number;
  readonly seccompProfile: any;
  readonly appArmorProfile: string;
  readonly tmpSizeLimit?: string;
  readonly resources: { requests: Record<string, string>; limits: Record<string, string> };
  readonly relaxations: Relaxation[];
  readonly relaxed: Set<RelaxationName>;
  readonly addCapabilities: string[];
  readonly userNamespaces: boolean;
}

/**
 * A hardened workload profile: a preset plus per-field options and explicit
 * relaxations. Apply it with `Harden.workload()` or `Harden.chart()`.
 *
 * @example
 * const profile = HardeningProfile.restricted({ user: 20000, group: 20000, fsGroup: 20000 });
 * Harden.workload(deployment, { profile });
 */
export class HardeningProfile {
  /** The full hardened profile (the default everywhere). */
  public static restricted(props: HardeningProfileProps = {}): HardeningProfile {
    return new HardeningProfile(HardeningPreset.RESTRICTED, props);
  }

  /** The profile with the relaxations of Pod Security Standards "baseline", each recorded. */
  public static baseline(props: HardeningProfileProps = {}): HardeningProfile {
    return new HardeningProfile(HardeningPreset.BASELINE, props);
  }

  /** The preset this profile starts from. */
  public readonly preset: HardeningPreset;

  /** Every relaxation in force: the preset's, then the explicit ones. */
  public readonly relaxations: Relaxation[];

  private readonly props: HardeningProfileProps;

  private constructor(preset: HardeningPreset, props: HardeningProfileProps) {
    this.preset = preset;
    this.props = props;
    const presetRelaxations = preset === HardeningPreset.BASELINE ? baselineRelaxations() : [];
    this.relaxations = [...presetRelaxations, ...(props.relaxations ?? [])];
    const names = this.relaxations.map((r) => r.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i && n !== RelaxationName.ADD_CAPABILITIES);
    if (dup) {
      throw new Error(`HardeningProfile: relaxation '${dup}' is given twice${preset === HardeningPreset.BASELINE ? ' (the baseline preset already includes it)' : ''}; remove the duplicate`);
    }
    const lowIds = names.includes(RelaxationName.LOW_IDS);
    for (const [field, value] of [['user', props.user], ['group', props.group], ['fsGroup', props.fsGroup]] as const) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0) {
        throw new Error(`HardeningProfile: ${field} must be a non-negative integer (got ${value})`);
      }
      if (value <= ID_FLOOR && !lowIds) {
        throw new Error(`HardeningProfile: ${field} ${value} is not above ${ID_FLOOR} (ids at or below ${ID_FLOOR} may collide with host users); use an id above ${ID_FLOOR} or add Relaxation.lowIds(reason)`);
      }
      if (value === 0) {
        throw new Error(field === 'fsGroup'
          ? 'HardeningProfile: fsGroup 0 would give every pod volume to the root group; use a non-zero fsGroup'
          : `HardeningProfile: ${field} 0 is root; use Relaxation.runAsRoot(reason) instead of a zero id`);
      }
    }
    const appArmor = props.appArmorProfile;
    if (appArmor !== undefined && appArmor !== 'runtime/default' && !/^localhost\/[\w.-]+$/.test(appArmor)) {
      throw new Error(`HardeningProfile: appArmorProfile '${appArmor}' must be 'runtime/default' or 'localhost/<profile>'; to go without AppArmor use Relaxation.noAppArmor(reason)`);
    }
  }

  /** Whether a relaxation is in force. */
  public isRelaxed(name: RelaxationName): boolean {
    return this.relaxations.some((r) => r.name === name);
  }

  /** @internal */
  public _resolve(): ResolvedProfile {
    const p = this.props;
    const r = p.resourceDefaults ?? {};
    const mi = (s: Size | undefined, d: number) => mebibytes(s ?? Size.mebibytes(d));
    return {
      preset: this.preset,
      user: p.user ?? 10001,
      group: p.group ?? 10001,
      fsGroup: p.fsGroup ?? 10001,
      seccompProfile: (p.seccompProfile ?? SeccompProfile.runtimeDefault())._toKube(),
      appArmorProfile: p.appArmorProfile ?? 'runtime/default',
      tmpSizeLimit: p.tmpVolume === false ? undefined : mi(p.tmpSizeLimit, 32),
      resources: {
        requests: { 'cpu': r.cpuRequest ?? '100m', 'memory': mi(r.memoryRequest, 64), 'ephemeral-storage': mi(r.ephemeralStorageRequest, 64) },
        limits: { 'cpu': r.cpuLimit ?? '500m', 'memory': mi(r.memoryLimit, 256), 'ephemeral-storage': mi(r.ephemeralStorageLimit, 256) },
      },
      relaxations: this.relaxations,
      relaxed: new Set(this.relaxations.map((x) => x.name)),
      addCapabilities: [...new Set(this.relaxations.flatMap((x) => x.capabilities))].sort(),
      userNamespaces: p.userNamespaces ?? false,
    };
  }
}

function baselineRelaxations(): Relaxation[] {
  const why = 'preset baseline (Pod Security Standards baseline)';
  return [
    Relaxation.runAsRoot(why),
    Relaxation.writableRootFilesystem(why),
    Relaxation.privilegeEscalation(why),
    Relaxation.tagOnlyImages(why),
    Relaxation.privilegedPorts(why),
  ];
}
