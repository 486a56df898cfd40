import { IConstruct } from 'constructs';
import { evaluate } from './engine';
import { compareRuleIds, PACKS, packRules, registerRule } from './registry';
import { AuditReport } from './report';
import { Rule } from './rule';
import { AttachOptions, PackValidation } from './validation';
import { KubernetesVersion } from '../target/kubernetes-version';

/** Options of `RulePack.evaluate()`. */
export interface EvaluateOptions {
  /**
   * The Kubernetes version the objects are judged at: the Pod Security
   * Standards rules follow pod-security-admission's checks of that policy
   * version (e.g. more safe sysctls from 1.29, the probe-host check from 1.34,
   * the user-namespace exemptions from 1.35).
   * @default KubernetesVersion.DEFAULT (1.27)
   */
  readonly kubernetesVersion?: KubernetesVersion;
}

/** Names of the built-in packs. */
export enum PackName {
  /** PSS restricted + the hardened profile + network coverage (the default). */
  RESTRICTED = 'restricted',
  /** PSS baseline only. */
  BASELINE = 'baseline',
  /** PSS restricted only, exactly as pod-security-admission at the objects' version (v1.27 to v1.36). */
  PSS_RESTRICTED = 'pss-restricted',
  /** The latch invariants. */
  LATCH = 'latch',
}

/**
 * A named list of rules, run together over the final manifests.
 *
 * @example
 * RulePack.restricted().attachTo(app); // app.synth() now fails on error findings
 */
export class RulePack {
  /** PSS restricted + hardened profile (DESIGN.md §5) + network coverage. The default pack. */
  public static restricted(): RulePack {
    return new RulePack(PackName.RESTRICTED, packRules(PackName.RESTRICTED));
  }

  /** Pod Security Standards baseline (policy v1.27 to v1.36: each object at its version). */
  public static baseline(): RulePack {
    return new RulePack(PackName.BASELINE, packRules(PackName.BASELINE));
  }

  /** Pod Security Standards restricted (policy v1.27 to v1.36: each object at its version), nothing else. */
  public static pssRestricted(): RulePack {
    return new RulePack(PackName.PSS_RESTRICTED, packRules(PackName.PSS_RESTRICTED));
  }

  /** The latch invariants: one writer, read-only readers, credentials only in the agent, hub isolation. */
  public static latch(): RulePack {
    return new RulePack(PackName.LATCH, packRules(PackName.LATCH));
  }

  /** A built-in pack by name (`restricted`, `baseline`, `pss-restricted`, `latch`). */
  public static fromName(name: string): RulePack {
    return new RulePack(name, packRules(name));
  }

  /** Names of the built-in packs. */
  public static names(): string[] {
    return Object.keys(PACKS);
  }

  /**
   * A pack of your own rules (built-in ones included, if you like).
   * Their ids become acknowledgeable.
   */
  public static custom(name: string, rules: Rule[]): RulePack {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
      throw new Error(`RulePack.custom: name '${name}' must be lower-case letters, digits and dashes`);
    }
    rules.forEach(registerRule);
    return new RulePack(name, rules);
  }

  /** The rules, in id order. */
  public readonly rules: Rule[];

  private constructor(
    /** The pack's name. */
    public readonly name: string,
    rules: Rule[],
  ) {
    const ids = new Set<string>();
    for (const rule of rules) {
      if (ids.has(rule.id)) {
        throw new Error(`Rule pack '${name}' lists rule ${rule.id} twice`);
      }
      ids.add(rule.id);
    }
    this.rules = [...rules].sort((a, b) => compareRuleIds(a.id, b.id));
  }

  /**
   * Runs the pack over manifest objects (plain JSON, e.g. `Testing.synth(chart)`).
   * Acknowledgements written in each object's `superlatch.io/acknowledged-rules`
   * annotation are honoured. The objects are judged at `options.kubernetesVersion`
   * (default 1.27).
   */
  public evaluate(manifests: any[], options: EvaluateOptions = {}): AuditReport {
    return evaluate(this.name, this.rules, manifests, { version: options.kubernetesVersion });
  }

  /**
   * Validates every ApiObject under `scope` (a Chart or the App) at synth time:
   * `app.synth()` and `Testing.synth()` throw on error findings, naming the
   * construct path, rule id, JSON path and fix. Warnings are printed, not thrown.
   * Each object is judged at the `KubernetesTarget` of its chart.
   */
  public attachTo(scope: IConstruct, options: AttachOptions = {}): PackValidation {
    const validation = new PackValidation(scope, this, options);
    scope.node.addValidation(validation);
    return validation;
  }
}
