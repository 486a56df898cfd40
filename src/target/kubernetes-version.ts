import { IConstruct } from 'constructs';

/** Context key under which the target version of an App or Chart is stored. */
export const TARGET_CONTEXT_KEY = 'superlatch.io/kubernetes-version';

/**
 * A Kubernetes minor version the library can write manifests for.
 *
 * The supported range is 1.27 (the API of cdk8s-plus-27, our construct base)
 * to 1.36, the newest minor whose OpenAPI schema ships in a registry package
 * (`kubernetes-models` 5.1.0 is generated from Kubernetes v1.36.0). What the
 * target changes in the output is listed in docs/kubernetes-versions.md.
 */
export class KubernetesVersion {
  /** Kubernetes 1.27: the default, and the API of cdk8s-plus-27. */
  public static readonly V1_27 = new KubernetesVersion(27);
  /** Kubernetes 1.28. */
  public static readonly V1_28 = new KubernetesVersion(28);
  /** Kubernetes 1.29: sidecar containers (init containers with `restartPolicy: Always`) on by default. */
  public static readonly V1_29 = new KubernetesVersion(29);
  /** Kubernetes 1.30: the `appArmorProfile` field; ValidatingAdmissionPolicy GA. */
  public static readonly V1_30 = new KubernetesVersion(30);
  /** Kubernetes 1.31. */
  public static readonly V1_31 = new KubernetesVersion(31);
  /** Kubernetes 1.32. */
  public static readonly V1_32 = new KubernetesVersion(32);
  /** Kubernetes 1.33: user namespaces (`hostUsers: false`) on by default. */
  public static readonly V1_33 = new KubernetesVersion(33);
  /** Kubernetes 1.34. */
  public static readonly V1_34 = new KubernetesVersion(34);
  /** Kubernetes 1.35. */
  public static readonly V1_35 = new KubernetesVersion(35);
  /** Kubernetes 1.36: the newest supported minor. */
  public static readonly V1_36 = new KubernetesVersion(36);

  /** The oldest supported minor (1.27). */
  public static readonly OLDEST = KubernetesVersion.V1_27;
  /** The newest supported minor (1.36). */
  public static readonly NEWEST = KubernetesVersion.V1_36;
  /** The target when none is set (1.27: the output of earlier releases). */
  public static readonly DEFAULT = KubernetesVersion.V1_27;

  /** Every supported minor, oldest first. */
  public static all(): KubernetesVersion[] {
    return [...SUPPORTED];
  }

  /**
   * A supported version from its text: `v1.30`, `1.30` (a patch, `v1.30.2`, is ignored).
   * @param version the version text
   */
  public static of(version: string): KubernetesVersion {
    const m = /^v?1\.(\d+)(\.\d+)?$/.exec(version.trim());
    const found = m && SUPPORTED.find((v) => v.minor === Number(m[1]));
    if (!found) {
      throw new Error(`Kubernetes version '${version}' is not supported: use one of ${SUPPORTED.map((v) => v.name).join(', ')} (KubernetesVersion.V1_27 ... KubernetesVersion.V1_36)`);
    }
    return found;
  }

  /** The minor number (27 for 1.27). */
  public readonly minor: number;

  private constructor(minor: number) {
    this.minor = minor;
  }

  /** `v1.<minor>`, as in Pod Security Admission version labels. */
  public get name(): string {
    return `v1.${this.minor}`;
  }

  /**
   * Whether this version is `other` or newer.
   * @param other the version to compare with
   */
  public isAtLeast(other: KubernetesVersion): boolean {
    return this.minor >= other.minor;
  }

  /** `v1.<minor>`. */
  public toString(): string {
    return this.name;
  }
}

const SUPPORTED: readonly KubernetesVersion[] = [
  KubernetesVersion.V1_27, KubernetesVersion.V1_28, KubernetesVersion.V1_29, KubernetesVersion.V1_30,
  KubernetesVersion.V1_31, KubernetesVersion.V1_32, KubernetesVersion.V1_33, KubernetesVersion.V1_34,
  KubernetesVersion.V1_35, KubernetesVersion.V1_36,
];

/** Scopes whose target `KubernetesTarget.set` has set. */
const SET_ON = new WeakSet<IConstruct>();

/**
 * The Kubernetes version an App or a Chart targets.
 *
 * Set it once, on the App (every chart) or on one Chart, right after creating
 * it and before adding anything to it; every construct of the library in that
 * scope reads it. Without it the target is `KubernetesVersion.DEFAULT` (1.27).
 *
 * ```ts
 * const app = new App();
 * KubernetesTarget.set(app, KubernetesVersion.V1_36);
 * ```
 */
export class KubernetesTarget {
  /**
   * Sets the target version of an App or Chart.
   *
   * It must come before any child is added to the scope (the constructs read
   * the target when they are created), and a scope's target is set only once.
   * @param scope an App or a Chart
   * @param version the target version
   */
  public static set(scope: IConstruct, version: KubernetesVersion): void {
    if (SET_ON.has(scope)) {
      throw new Error(`[${scope.node.path || '(app)'}] KubernetesTarget.set: the target is already ${KubernetesTarget.of(scope).name}. Fix: set it once per App or Chart`);
    }
    if (scope.node.children.length > 0) {
      throw new Error(`[${scope.node.path || '(app)'}] KubernetesTarget.set: '${scope.node.children[0].node.id}' was added before the target was set. Fix: call KubernetesTarget.set(scope, version) right after creating the App or Chart, before adding charts or constructs to it`);
    }
    scope.node.setContext(TARGET_CONTEXT_KEY, version.name);
    SET_ON.add(scope);
  }

  /**
   * The target version of a construct: that of its nearest App or Chart that sets one.
   * @param scope any construct
   */
  public static of(scope: IConstruct): KubernetesVersion {
    const value = scope.node.tryGetContext(TARGET_CONTEXT_KEY);
    if (value === undefined) return KubernetesVersion.DEFAULT;
    if (typeof value !== 'string') {
      throw new Error(`[${scope.node.path}] context '${TARGET_CONTEXT_KEY}' must be a version string such as 'v1.36', got ${JSON.stringify(value)}`);
    }
    try {
      return KubernetesVersion.of(value);
    } catch (e) {
      throw new Error(`[${scope.node.path}] context '${TARGET_CONTEXT_KEY}': ${(e as Error).message}`);
    }
  }

  private constructor() {}
}
