/**
 * A faithful, minimal reproduction of the cdk8s-cli validation plugin contract
 * (cdk8s-cli `src/plugins/validation.ts` and `_manager.ts`): how `cdk8s synth`
 * loads a plugin named in `cdk8s.yaml` from a local path, builds the
 * ValidationContext and reads the report. cdk8s-cli itself is not a dependency.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

export interface ValidationConfig {
  readonly package: string;
  readonly version: string;
  readonly class: string;
  readonly properties?: { [key: string]: any };
}

export interface ValidationViolatingResource {
  readonly resourceName: string;
  readonly locations: readonly string[];
  readonly manifestPath: string;
}

export interface ValidationViolation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: readonly ValidationViolatingResource[];
}

export class ValidationReport {
  public readonly violations: any[] = [];
  private summary?: { status: 'success' | 'failure'; plugin: string; version: string; metadata?: { [key: string]: string } };

  constructor(private readonly pkg: string, private readonly version: string, private readonly metadata: { [name: string]: { path: string } }) {}

  public addViolation(violation: ValidationViolation) {
    if (this.summary) throw new Error('Violations cannot be added to report after its submitted');
    this.violations.push({
      ruleName: violation.ruleName,
      recommendation: violation.recommendation,
      fix: violation.fix,
      violatingConstructs: violation.violatingResources.map((r) => ({ ...r, constructPath: this.metadata[r.resourceName]?.path })),
    });
  }

  public submit(status: 'success' | 'failure', metadata?: { [key: string]: string }) {
    this.summary = { status, plugin: this.pkg, version: this.version, metadata };
  }

  public get success(): boolean {
    if (!this.summary) throw new Error('Unable to determine report status: Report is incomplete. Call \'report.submit\'');
    return this.summary.status === 'success';
  }

  public toJson() {
    if (!this.summary) throw new Error('Report is incomplete');
    return { title: `Validation Report (${this.pkg}@${this.version})`, violations: this.violations, summary: this.summary };
  }
}

export class ValidationContext {
  public readonly report: ValidationReport;
  public readonly logger = { log: (message: string) => void message };

  constructor(
    public readonly manifests: readonly string[],
    public readonly pkg: string,
    public readonly version: string,
    public readonly metadata: { [name: string]: { path: string } } = {},
  ) {
    this.report = new ValidationReport(pkg, version, metadata);
  }
}

function findPackageJson(dir: string): string {
  const candidate = path.join(dir, 'package.json');
  if (fs.existsSync(candidate)) return candidate;
  if (path.dirname(dir) === dir) throw new Error('Unable to locate package.json file');
  return findPackageJson(path.dirname(dir));
}

/** `cdk8s synth` with validations: load each plugin of `<project>/cdk8s.yaml`, validate `<outdir>`, return the reports. */
export async function validateLikeCdk8sCli(project: string, outdir: string): Promise<ValidationReport[]> {
  const config = parse(fs.readFileSync(path.join(project, 'cdk8s.yaml'), 'utf-8'));
  const manifests = fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(outdir, f));
  const metadataFile = path.join(outdir, 'construct-metadata.json');
  const metadata: { [name: string]: { path: string } } = {};
  if (fs.existsSync(metadataFile)) {
    const contents = JSON.parse(fs.readFileSync(metadataFile, 'utf-8'));
    if (contents.version !== '1.0.0') throw new Error(`Unexpected version of construct metadata: ${contents.version}`);
    for (const [name, m] of Object.entries(contents.resources)) metadata[name] = { path: (m as any).path };
  }
  const reports: ValidationReport[] = [];
  for (const validation of config.validations as ValidationConfig[]) {
    // local plugins: an absolute path, or a relative one starting with './'
    if (!(path.isAbsolute(validation.package) || validation.package.startsWith(`.${path.sep}`))) {
      throw new Error('this reproduction only loads local plugins');
    }
    const modulePath = require.resolve(path.resolve(project, validation.package));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(modulePath);
    const manifest = JSON.parse(fs.readFileSync(findPackageJson(path.dirname(modulePath)), 'utf-8'));
    if (manifest.version !== validation.version) {
      throw new Error(`Version mismatch for package ${validation.package}. Found ${manifest.version} but requested ${validation.version}`);
    }
    const clazz = module[validation.class];
    if (!clazz) throw new Error(`Unable to locate class '${validation.class}' in package '${validation.package}@${validation.version}'`);
    const instance = new clazz(validation.properties ?? {});
    if (typeof instance.validate !== 'function') throw new Error(`Instance of class '${validation.class}' is not a validation plugin`);
    const context = new ValidationContext(manifests, manifest.name, manifest.version, metadata);
    await instance.validate(context);
    reports.push(context.report);
  }
  return reports;
}
