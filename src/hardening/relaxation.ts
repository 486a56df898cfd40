import { SuperlatchKeys } from '../contract';

/**
 * One named, reasoned exception to the hardened profile.
 *
 * Every relaxation switches exactly one hardened default off and is written,
 * with its reason, into the `superlatch.io/relaxations` annotation of the
 * workload so that reviewers see it in the GitOps diff. Every rule pack counts
 * it as the acknowledgement, with the same reason, of the rules it lifts (each
 * rule's `relaxedBy`; listed in docs/RULES.md), except on the latch's own containers.
 *
 * The reason (at least 10 characters, one line) is checked when the relaxation is
 * created, where it is written: a relaxation belongs to no construct yet and may
 * serve many workloads, so the error names the call (`Relaxation.noProbes(reason)`),
 * the field and the fix rather than a construct path.
 *
 * @example
 * HardeningProfile.restricted({
 *   relaxations: [Relaxation.writableRootFilesystem('legacy app writes its PID file next to the binary')],
 * });
 */
export class Relaxation {
  /**
   * Let containers run as root: `runAsNonRoot`, `runAsUser` and `runAsGroup`
   * are no longer set, so the image's own user applies.
   */
  public static runAsRoot(reason: string): Relaxation {
    return new Relaxation(RelaxationName.RUN_AS_ROOT, reason);
  }

  /** Leave the container root filesystem writable (`readOnlyRootFilesystem: false`). */
  public static writableRootFilesystem(reason: string): Relaxation {
    return new Relaxation(RelaxationName.WRITABLE_ROOT_FILESYSTEM, reason);
  }

  /** Allow privilege escalation: `allowPrivilegeEscalation` is removed from every container (the runtime default, true, applies). */
  public static privilegeEscalation(reason: string): Relaxation {
    return new Relaxation(RelaxationName.PRIVILEGE_ESCALATION, reason);
  }

  /**
   * Add Linux capabilities on top of `drop: [ALL]` (names without the `CAP_`
   * prefix, e.g. `NET_BIND_SERVICE`). Pod Security Standards "restricted"
   * accepts only `NET_BIND_SERVICE`: the packs report anything else as acknowledged
   * by this relaxation, but Pod Security Admission still rejects it.
   */
  public static addCapabilities(capabilities: string[], reason: string): Relaxation {
    if (capabilities.length === 0) {
      throw new Error('Relaxation.addCapabilities(capabilities, reason): capabilities is empty. Fix: list at least one capability, e.g. NET_BIND_SERVICE');
    }
    const names = capabilities.map((c) => c.toUpperCase().replace(/^CAP_/, ''));
    for (const name of names) {
      if (!/^[A-Z_]+$/.test(name)) {
        throw new Error(`Relaxation.addCapabilities(capabilities, reason): capabilities '${name}' is not a capability name. Fix: use names like NET_BIND_SERVICE`);
      }
    }
    return new Relaxation(RelaxationName.ADD_CAPABILITIES, reason, [...new Set(names)].sort());
  }

  /** Do not set a seccomp profile (the runtime's default, often `Unconfined`, applies). */
  public static noSeccomp(reason: string): Relaxation {
    return new Relaxation(RelaxationName.NO_SECCOMP, reason);
  }

  /** Do not add the AppArmor `runtime/default` annotation (e.g. nodes without AppArmor). */
  public static noAppArmor(reason: string): Relaxation {
    return new Relaxation(RelaxationName.NO_APPARMOR, reason);
  }

  /** Mount the ServiceAccount token into the pod (`automountServiceAccountToken: true`). */
  public static serviceAccountToken(reason: string): Relaxation {
    return new Relaxation(RelaxationName.SERVICE_ACCOUNT_TOKEN, reason);
  }

  /** Accept images referenced by tag only, without an `@sha256:` or `@sha512:` digest. */
  public static tagOnlyImages(reason: string): Relaxation {
    return new Relaxation(RelaxationName.TAG_ONLY_IMAGES, reason);
  }

  /** Accept container ports below 1024. */
  public static privilegedPorts(reason: string): Relaxation {
    return new Relaxation(RelaxationName.PRIVILEGED_PORTS, reason);
  }

  /** Accept long-running containers without liveness and readiness probes. */
  public static noProbes(reason: string): Relaxation {
    return new Relaxation(RelaxationName.NO_PROBES, reason);
  }

  /** Accept user and group ids of 10000 or less (they may collide with host users). */
  public static lowIds(reason: string): Relaxation {
    return new Relaxation(RelaxationName.LOW_IDS, reason);
  }

  /**
   * Accept Secrets read into environment variables (`env[].valueFrom.secretKeyRef`,
   * `envFrom[].secretRef`) in the application containers, e.g. for upstream
   * software that reads its password only from the environment.
   */
  public static secretsInEnv(reason: string): Relaxation {
    return new Relaxation(RelaxationName.SECRETS_IN_ENV, reason);
  }

  /**
   * Accept a workload that the app's own NetworkPolicies do not fully cover: no
   * namespace default-deny, or no policy of its own (by `matchLabels`) for
   * Ingress and Egress — for traffic governed outside the app (a mesh, a
   * cluster-wide policy) or software whose peers cannot be listed yet.
   */
  public static noNetworkPolicy(reason: string): Relaxation {
    return new Relaxation(RelaxationName.NO_NETWORK_POLICY, reason);
  }

  /** Stable name of what is relaxed, as written in the annotation. */
  public readonly name: RelaxationName;

  /** Why; at least 10 characters. */
  public readonly reason: string;

  /** Capabilities added (only for `add-capabilities`). */
  public readonly capabilities: string[];

  private constructor(name: RelaxationName, reason: string, capabilities: string[] = []) {
    // Checked here, where the reason is written: a relaxation belongs to no construct yet
    // (one can serve the profiles of many workloads), so the error names the call instead.
    const where = `${factoryOf(name)}(reason)`;
    const trimmed = (reason ?? '').trim();
    if (trimmed.length < 10) {
      throw new Error(`${where}: reason '${trimmed}' is ${trimmed.length} characters; at least 10 are needed to say why the exception is acceptable (reviewers read it in the ${SuperlatchKeys.RELAXATIONS_ANNOTATION} annotation). Fix: write the reason, e.g. ${factoryOf(name)}('${EXAMPLE_REASON}')`);
    }
    if (/[\n\r]/.test(trimmed)) {
      throw new Error(`${where}: reason is several lines; the annotation holds one line per relaxation. Fix: write the reason on one line`);
    }
    this.name = name;
    this.reason = trimmed;
    this.capabilities = capabilities;
  }

  /** The annotation line: `name: reason` (with the capability list when there is one). */
  public toString(): string {
    const what = this.capabilities.length > 0 ? `${this.name}(${this.capabilities.join(',')})` : this.name;
    return `${what}: ${this.reason}`;
  }
}

const EXAMPLE_REASON = 'vendor image, reviewed in SEC-123';

/** `Relaxation.<factory>` of a relaxation name (`no-probes` -> `Relaxation.noProbes`). */
function factoryOf(name: RelaxationName): string {
  const camel = name === RelaxationName.NO_APPARMOR ? 'noAppArmor' : name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  return `Relaxation.${camel}`;
}

/** How a relaxation is written in code, for messages: `Relaxation.noProbes(reason)`. */
export function relaxationCall(name: RelaxationName): string {
  return `${factoryOf(name)}(${name === RelaxationName.ADD_CAPABILITIES ? 'capabilities, reason' : 'reason'})`;
}

/** Names of the relaxations, as written in the `superlatch.io/relaxations` annotation. */
export enum RelaxationName {
  /** See `Relaxation.runAsRoot`. */
  RUN_AS_ROOT = 'run-as-root',
  /** See `Relaxation.writableRootFilesystem`. */
  WRITABLE_ROOT_FILESYSTEM = 'writable-root-filesystem',
  /** See `Relaxation.privilegeEscalation`. */
  PRIVILEGE_ESCALATION = 'privilege-escalation',
  /** See `Relaxation.addCapabilities`. */
  ADD_CAPABILITIES = 'add-capabilities',
  /** See `Relaxation.noSeccomp`. */
  NO_SECCOMP = 'no-seccomp',
  /** See `Relaxation.noAppArmor`. */
  NO_APPARMOR = 'no-apparmor',
  /** See `Relaxation.serviceAccountToken`. */
  SERVICE_ACCOUNT_TOKEN = 'service-account-token',
  /** See `Relaxation.tagOnlyImages`. */
  TAG_ONLY_IMAGES = 'tag-only-images',
  /** See `Relaxation.privilegedPorts`. */
  PRIVILEGED_PORTS = 'privileged-ports',
  /** See `Relaxation.noProbes`. */
  NO_PROBES = 'no-probes',
  /** See `Relaxation.lowIds`. */
  LOW_IDS = 'low-ids',
  /** See `Relaxation.secretsInEnv`. */
  SECRETS_IN_ENV = 'secrets-in-env',
  /** See `Relaxation.noNetworkPolicy`. */
  NO_NETWORK_POLICY = 'no-network-policy',
}
