import { evaluate } from '../rules/engine';
import { ManifestLoadError, loadManifests } from '../rules/internal/loader';
import { PACKS, packRules } from '../rules/registry';
import { sarifLog } from '../rules/sarif';
import { KubernetesVersion } from '../target/kubernetes-version';

/** Where the CLI writes: stdout and stderr (tests capture them). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Exit codes: no error findings, error findings, unreadable input (after the report) or bad usage. */
export enum ExitCode {
  OK = 0,
  FINDINGS = 1,
  INPUT = 2,
}

const USAGE = `Usage: superlatch audit [--pack ${Object.keys(PACKS).join('|')}] [--format text|json|sarif] [--kubernetes-version v1.N] PATH...

Runs a rule pack over Kubernetes YAML manifests (files, folders, multi-document files).
Each finding names the file and line of its field; --format sarif writes SARIF 2.1.0.
--kubernetes-version (-k) is the version the manifests are judged at, ${KubernetesVersion.OLDEST.name} to ${KubernetesVersion.NEWEST.name}
(default ${KubernetesVersion.DEFAULT.name}): the Pod Security Standards rules follow pod-security-admission's checks of that version.
Every readable file is audited; each file that cannot be read or parsed is named on stderr.
Exit status: 0 without error findings, 1 with error findings, 2 on unreadable input or bad usage.`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = typeof FORMATS[number];

interface AuditArgs {
  readonly pack: string;
  readonly format: Format;
  readonly version: KubernetesVersion;
  readonly paths: string[];
}

function parseVersion(text: string): KubernetesVersion {
  try {
    return KubernetesVersion.of(text);
  } catch {
    throw new UsageError(`--kubernetes-version must be one of ${KubernetesVersion.all().map((v) => v.name).join(', ')}, not '${text}'`);
  }
}

function parseAuditArgs(args: string[]): AuditArgs {
  let pack = 'restricted';
  let format: Format = 'text';
  let version = KubernetesVersion.DEFAULT;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--pack' || flag === '-p') {
      pack = value();
    } else if (flag === '--format' || flag === '-f') {
      const v = value();
      if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be text, json or sarif, not '${v}'`);
      format = v as Format;
    } else if (flag === '--kubernetes-version' || flag === '-k') {
      version = parseVersion(value());
    } else if (flag === '--') {
      paths.push(...args.slice(i + 1));
      break;
    } else if (flag.startsWith('-') && flag !== '-') {
      throw new UsageError(`unknown option '${flag}'`);
    } else {
      paths.push(arg);
    }
  }
  if (paths.length === 0) throw new UsageError('name at least one file or folder to audit');
  if (!Object.prototype.hasOwnProperty.call(PACKS, pack)) {
    throw new UsageError(`Unknown rule pack '${pack}': use one of ${Object.keys(PACKS).join(', ')}`);
  }
  return { pack, format, version, paths };
}

class UsageError extends Error {}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export function main(argv: string[], io: CliIo = processIo): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? ExitCode.INPUT : ExitCode.OK;
  }
  if (command !== 'audit') {
    io.err(`superlatch: unknown command '${command}'\n${USAGE}`);
    return ExitCode.INPUT;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(USAGE);
    return ExitCode.OK;
  }
  try {
    const args = parseAuditArgs(rest);
    const rules = packRules(args.pack);
    const loaded = loadManifests(args.paths);
    for (const error of loaded.errors) {
      io.err(`superlatch audit: ${error}`);
    }
    for (const where of loaded.skipped) {
      io.err(`superlatch: skipped ${where}: not a Kubernetes object (no kind)`);
    }
    const report = (() => {
      try {
        return evaluate(args.pack, rules, loaded.objects, { sources: loaded.sources, version: args.version });
      } catch (e) {
        // malformed acknowledgement annotations are bad input, named by file and line
        throw new ManifestLoadError((e as Error).message);
      }
    })();
    const json = args.format === 'json' ? report.toJson() : args.format === 'sarif' ? sarifLog(report, rules) : undefined;
    io.out(json === undefined ? report.toText() : JSON.stringify(json, null, 2));
    if (loaded.errors.length > 0) return ExitCode.INPUT;
    return report.hasErrors ? ExitCode.FINDINGS : ExitCode.OK;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`superlatch audit: ${e.message}\n${USAGE}`);
      return ExitCode.INPUT;
    }
    if (e instanceof ManifestLoadError) {
      io.err(`superlatch audit: ${e.message}`);
      return ExitCode.INPUT;
    }
    io.err(`superlatch audit: internal error: ${(e as Error).stack ?? e}`);
    return ExitCode.INPUT;
  }
}

/** Entry point of `bin/superlatch`. */
export function run(): void {
  process.exitCode = main(process.argv.slice(2));
}
