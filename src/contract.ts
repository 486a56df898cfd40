/**
 * Well-known labels and annotations that cdk8s-superlatch writes into manifests.
 *
 * They are the contract between the constructs (which write them) and the rule
 * pack / admission policies (which read them from the final manifests, so they
 * also work on manifests produced by other tools that follow the same contract).
 */
export class SuperlatchKeys {
  /** Prefix of every key below. */
  public static readonly PREFIX = 'superlatch.io';

  /**
   * Label on every object a latch emits or guards: the latch's name.
   * On a pod template it says which latch guards (or runs in) the pod.
   */
  public static readonly LATCH_LABEL = 'superlatch.io/latch';

  /**
   * Label on every object a latch emits: `agent` (the master Deployment and its
   * ServiceAccount, Role, RoleBinding, ConfigMap, NetworkPolicy) or `guarded`
   * (pod templates of guarded workloads).
   */
  public static readonly ROLE_LABEL = 'superlatch.io/role';

  /** Pod-template annotation: the latch's mode, `sidecar` (`MODE_SIDECAR`) or `hub` (`MODE_HUB`). */
  public static readonly MODE_ANNOTATION = 'superlatch.io/mode';

  /** `superlatch.io/mode` value of the pods a sidecar-mode latch (`LatchMode.sidecar()`) guards: each runs its own agent. */
  public static readonly MODE_SIDECAR = 'sidecar';

  /**
   * `superlatch.io/mode` value of the pods of a hub-mode latch (`LatchMode.hub()`): the
   * latch master and the pods it guards, which read the status ConfigMap.
   */
  public static readonly MODE_HUB = 'hub';

  /** Pod-template annotation: name of the pod volume that carries the status file. */
  public static readonly STATUS_VOLUME_ANNOTATION = 'superlatch.io/status-volume';

  /**
   * Pod-template annotation: name of the only container allowed to mount the
   * status volume read-write (the latch agent); absent in hub-mode guarded pods,
   * where nobody writes the volume.
   */
  public static readonly WRITER_ANNOTATION = 'superlatch.io/status-writer';

  /**
   * Pod-template annotation: comma-separated names of the latch's own containers
   * (agent, gate). They always get the full restricted container settings, even
   * when the workload's profile relaxes something for its application containers.
   */
  public static readonly LATCH_CONTAINERS_ANNOTATION = 'superlatch.io/latch-containers';

  /** Pod-template annotation: name of the volume holding the Latch credentials (agent only). */
  public static readonly CREDENTIALS_VOLUME_ANNOTATION = 'superlatch.io/credentials-volume';

  /** Annotation on the top-level object of a hardened workload: the preset it was hardened with. */
  public static readonly PROFILE_ANNOTATION = 'superlatch.io/hardening-profile';

  /** Annotation on the top-level object: the hardening relaxations in force, one per line, each `name: reason`. */
  public static readonly RELAXATIONS_ANNOTATION = 'superlatch.io/relaxations';

  /**
   * Stricter securityContext values the workload already had and a relaxation
   * left as they were (one `path: value` per line): relaxing stops enforcing, it never weakens.
   */
  public static readonly STRICTER_KEPT_ANNOTATION = 'superlatch.io/stricter-kept';

  /**
   * Annotation on the top-level object: acknowledged rule findings, one per line,
   * `RULE-ID: reason` or `RULE-ID @ json.path: reason`.
   */
  public static readonly SUPPRESSIONS_ANNOTATION = 'superlatch.io/acknowledged-rules';

  /** Role label value of the latch agent's own objects. */
  public static readonly ROLE_AGENT = 'agent';

  /** Role label value of guarded workloads. */
  public static readonly ROLE_GUARDED = 'guarded';

  /**
   * Label on ConfigMaps that carry admission or runtime-security rules (e.g.
   * Falco rules, policy bundles); its value names the rule set. The testing
   * helper `SecurityTesting.securityObjects()` includes these ConfigMaps.
   */
  public static readonly RULES_LABEL = 'superlatch.io/rules';

  private constructor() {}
}
