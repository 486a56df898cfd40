import { Construct } from 'constructs';
import { LATCH_AGENT_SYSCALLS } from './agent-syscalls';
import { SpoSeccompProfile } from './custom-resources';
import { SeccompProfile } from '../hardening/hardening-profile';
import { emit } from '../internal/manifest';
import { MANAGED_BY } from '../internal/objects';
import { SynthesisPipeline } from '../internal/pipeline';
import { checkDnsLabel } from '../internal/validation';

/** What seccomp does with a system call that is not on the list. */
export enum SeccompAction {
  /** Fail the call with an error (EPERM): the enforcing default. */
  ERRNO = 'SCMP_ACT_ERRNO',
  /** Allow the call and log it (for learning the list before enforcing it). */
  LOG = 'SCMP_ACT_LOG',
  /** Kill the whole process. */
  KILL_PROCESS = 'SCMP_ACT_KILL_PROCESS',
}

/** CPU architectures a seccomp profile covers (libseccomp names). */
export enum SeccompArchitecture {
  /** x86-64. */
  X86_64 = 'SCMP_ARCH_X86_64',
  /** 64-bit ARM. */
  AARCH64 = 'SCMP_ARCH_AARCH64',
}

/** Options of a Security Profiles Operator seccomp profile. */
export interface OperatorSeccompProfileProps {
  /**
   * Name of the SeccompProfile; the node file is `operator/<name>.json`.
   * @default "latch-agent"
   */
  readonly name?: string;

  /**
   * The system calls allowed.
   * @default OperatorSeccompProfile.LATCH_AGENT_SYSCALLS
   */
  readonly syscalls?: string[];

  /**
   * What happens to every other system call.
   * @default SeccompAction.ERRNO
   */
  readonly defaultAction?: SeccompAction;

  /**
   * Architectures the profile covers.
   * @default [SeccompArchitecture.X86_64, SeccompArchitecture.AARCH64]
   */
  readonly architectures?: SeccompArchitecture[];
}

/**
 * A custom seccomp profile for the latch agent, distributed to every node by the
 * Security Profiles Operator (`security-profiles-operator.x-k8s.io/v1beta1`
 * SeccompProfile, cluster-scoped since SPO v0.9, so it never carries a
 * namespace). Opt-in: pods use it as a `Localhost` profile, e.g.
 * `HardeningProfile.restricted({ seccompProfile: profile.seccompProfile })`.
 *
 * Cost: Checkov CKV_K8S_31 and Kubescape C-0210 demand `RuntimeDefault` and
 * report a `Localhost` profile; Pod Security Standards "restricted" and this
 * project's rule pack accept it. The admission policy accepts it only when
 * listed in `allowedLocalhostProfiles`.
 */
export class OperatorSeccompProfile extends Construct {
  /** The system calls the latch agent needs (see `agent-syscalls.ts` for how they were found). */
  public static readonly LATCH_AGENT_SYSCALLS: string[] = LATCH_AGENT_SYSCALLS;

  /** Name of the SeccompProfile. */
  public readonly profileName: string;

  /** The path pods give as `localhostProfile`: `operator/<name>.json`. */
  public readonly localhostProfile: string;

  /** This profile as a pod/container seccomp profile (`type: Localhost`). */
  public readonly seccompProfile: SeccompProfile;

  constructor(scope: Construct, id: string, props: OperatorSeccompProfileProps = {}) {
    super(scope, id);
    const where = `[${this.node.path}]`;
    this.profileName = props.name ?? 'latch-agent';
    checkDnsLabel(where, 'name', this.profileName);
    const syscalls = [...new Set(props.syscalls ?? LATCH_AGENT_SYSCALLS)].sort();
    if (syscalls.length === 0) {
      throw new Error(`${where}: syscalls is empty, so every system call would be refused. Fix: list the calls the container needs (e.g. OperatorSeccompProfile.LATCH_AGENT_SYSCALLS)`);
    }
    const bad = syscalls.find((s) => !/^[a-z0-9_]+$/.test(s));
    if (bad !== undefined) {
      throw new Error(`${where}: syscalls '${bad}' is not a system call name. Fix: use lower-case names such as 'openat'`);
    }
    const architectures = [...new Set(props.architectures ?? [SeccompArchitecture.X86_64, SeccompArchitecture.AARCH64])].sort();
    if (architectures.length === 0) throw new Error(`${where}: architectures is empty. Fix: leave it out, or list the nodes' architectures`);
    this.localhostProfile = `operator/${this.profileName}.json`;
    this.seccompProfile = SeccompProfile.localhost(this.localhostProfile);

    const obj = emit<SpoSeccompProfile>(this, 'Resource', {
      apiVersion: 'security-profiles-operator.x-k8s.io/v1beta1',
      kind: 'SeccompProfile',
      metadata: { name: this.profileName, labels: { ...MANAGED_BY } },
      spec: {
        defaultAction: props.defaultAction ?? SeccompAction.ERRNO,
        architectures,
        syscalls: [{ action: 'SCMP_ACT_ALLOW', names: syscalls }],
      },
    });
    SynthesisPipeline.of(obj).track(obj); // cluster-scoped: the pipeline's clean-up drops its namespace
  }
}
