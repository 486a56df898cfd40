import { evaluate } from './engine';
import type * as Loader from './internal/loader';
import { RulePack } from './pack';
import { acknowledgementNote, AuditFinding } from './report';
import { KubernetesVersion } from '../target/kubernetes-version';

/** Properties of the cdk8s-cli validation plugin (the `properties` of its `cdk8s.yaml` entry). */
export interface SuperlatchValidationProps {
  /**
   * Built-in pack to run: `restricted`, `baseline`, `pss-restricted` or `latch`.
   * @default 'restricted'
   */
  readonly pack?: string;

  /**
   * The Kubernetes version the manifests are judged at, e.g. `v1.30`: the Pod
   * Security Standards rules follow pod-security-admission's checks of that version.
   * @default 'v1.27'
   */
  readonly kubernetesVersion?: string;
}

/**
 * A cdk8s-cli validation plugin running a rule pack over the synthesized manifests.
 *
 * In `cdk8s.yaml`, naming the copy in the project's `node_modules` by its path
 * (a package name instead makes cdk8s-cli install that exact version into its
 * own plugins folder; see the README):
 *
 * ```yaml
 * validations:
 *   - package: ./node_modules/cdk8s-superlatch
 *     version: <installed version>
 *     class: SuperlatchValidation
 *     properties:
 *       pack: restricted
 *       kubernetesVersion: v1.30   # optional, default v1.27
 * ```
 *
 * Every finding becomes a violation (grouped by rule, with the resource name,
 * JSON path and manifest file); the report fails only on unacknowledged errors.
 */
export class SuperlatchValidation {
  private readonly pack: RulePack;
  private readonly version: KubernetesVersion;

  constructor(props: SuperlatchValidationProps = {}) {
    this.pack = RulePack.fromName(props.pack ?? 'restricted');
    this.version = props.kubernetesVersion === undefined ? KubernetesVersion.DEFAULT : KubernetesVersion.of(props.kubernetesVersion);
  }

  /**
   * Entry point called by the cdk8s CLI (`Validation.validate(context)`):
   * reads `context.manifests`, adds violations to `context.report` and submits it.
   *
   * @param context the cdk8s-cli `ValidationContext`
   */
  public async validate(context: any): Promise<void> {
    const files: string[] = [...(context.manifests ?? [])];
    // the YAML reader is loaded only here: an app that imports the library to synthesize never needs it
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadManifests } = require('./internal/loader') as typeof Loader;
    const loaded = loadManifests(files);
    if (loaded.errors.length > 0) {
      throw new Error(`superlatch: cannot validate the synthesized manifests:\n${loaded.errors.join('\n')}`);
    }
    const report = evaluate(this.pack.name, this.pack.rules, loaded.objects, { sources: loaded.sources, version: this.version });
    const byRule = new Map<string, AuditFinding[]>();
    for (const f of report.findings) {
      const key = f.acknowledged ? `${f.ruleId} (acknowledged)` : f.ruleId;
      byRule.set(key, [...(byRule.get(key) ?? []), f]);
    }
    for (const [key, findings] of byRule) {
      const first = findings[0];
      const resources = new Map<string, { resourceName: string; manifestPath: string; locations: string[] }>();
      for (const f of findings) {
        const manifestPath = f.file ?? '';
        const id = `${manifestPath}\u0000${f.name}\u0000${f.kind}`;
        const entry = resources.get(id) ?? { resourceName: f.name, manifestPath, locations: [] };
        entry.locations.push(f.acknowledged ? `${f.path} (${acknowledgementNote(f)})` : f.path);
        resources.set(id, entry);
      }
      context.report.addViolation({
        ruleName: `${key} [${first.severity}] ${first.title}`,
        recommendation: findings.map((f) => `${f.kind} ${f.name}: ${f.message}`).join('; '),
        fix: first.remediation,
        violatingResources: [...resources.values()],
      });
    }
    const errors = report.errors.length;
    context.report.submit(errors > 0 ? 'failure' : 'success', {
      pack: this.pack.name,
      errors: String(errors),
      warnings: String(report.warnings.length),
      acknowledged: String(report.acknowledged.length),
    });
  }
}
