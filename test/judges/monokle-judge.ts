/**
 * Judge (b): @monokle/validation 0.33.0, Pod Security Standards plugin (PSS1xx baseline + PSS2xx
 * restricted) and practices plugin (KBPxxx), every rule enabled. The library is ESM-only, so it runs in
 * one child process per call (`monokle-runner.mjs`).
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { formatDottedPath, refOf } from './objects';
import { Finding, Manifest } from './types';

const RUNNER = path.join(__dirname, 'monokle-runner.mjs');

/** Safety net for a hung child process; not an assertion on speed. */
const RUNNER_TIMEOUT_MS = 120_000;

/** A rule as the runner reports it. */
export interface MonokleRule {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
}

interface RunnerFinding {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly message: string;
  readonly level: string;
  readonly index: number;
  readonly path: string;
  readonly suppressed: boolean;
}

interface RunnerOutput {
  readonly rules: MonokleRule[];
  readonly findings: RunnerFinding[];
  readonly errors: string[];
}

function runRunner(input: string): Promise<RunnerOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER], { stdio: ['pipe', 'pipe', 'pipe'], timeout: RUNNER_TIMEOUT_MS });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      let parsed: RunnerOutput;
      try {
        parsed = JSON.parse(out) as RunnerOutput;
      } catch {
        reject(new Error(`Monokle runner (${RUNNER}) exited with ${code ?? signal} and no JSON answer.\nstdout: ${out}\nstderr: ${err}`));
        return;
      }
      if (code !== 0) {
        reject(new Error(`Monokle runner exited with ${code ?? signal}: ${parsed.errors.join('\n')}\nstderr: ${err}`));
        return;
      }
      resolve(parsed);
    });
    child.stdin.end(input);
  });
}

/** Every rule id the Monokle judge must enforce (the runner is checked against this list). */
export const MONOKLE_RULE_IDS: readonly string[] = [
  'PSS101', 'PSS102', 'PSS103', 'PSS104', 'PSS105', 'PSS106', 'PSS107', 'PSS108', 'PSS109', 'PSS110', 'PSS111',
  'PSS201', 'PSS202', 'PSS203', 'PSS204', 'PSS205', 'PSS206',
  'KBP001', 'KBP002', 'KBP003', 'KBP004', 'KBP005',
  'KBP100', 'KBP101', 'KBP102', 'KBP103', 'KBP104', 'KBP105', 'KBP106', 'KBP107', 'KBP108', 'KBP109',
  'KBP110', 'KBP111', 'KBP112', 'KBP113', 'KBP114', 'KBP115', 'KBP116',
];

/** Judge (b): runs Monokle over the manifests in a child process. */
export async function runMonokleJudge(manifests: readonly Manifest[]): Promise<{ findings: Finding[]; rules: MonokleRule[] }> {
  const output = await runRunner(JSON.stringify(manifests));
  const enabled = new Set(output.rules.filter((r) => r.enabled).map((r) => r.id));
  const missing = MONOKLE_RULE_IDS.filter((id) => !enabled.has(id));
  if (missing.length > 0) {
    throw new Error(`Monokle judge is not enforcing every rule; not enabled: ${missing.join(', ')}`);
  }
  const findings: Finding[] = output.findings.map((f) => {
    const obj = manifests[f.index];
    const ref = obj ? refOf(obj) : { apiVersion: '?', kind: '?', name: '?' };
    const findingPath = f.path ? formatDottedPath(f.path) : undefined;
    const container = containerName(obj, f.path);
    return {
      judge: 'monokle',
      id: f.ruleId,
      message: `${f.ruleName}: ${f.message}${f.suppressed ? ' (suppressed in source; suppressions are not honoured by the judges)' : ''}`,
      object: ref,
      path: findingPath,
      severity: f.level,
      ...(container ? { container } : {}),
    };
  });
  // Monokle skips a rule that throws; the runner reports it and the judge turns it into a finding,
  // because that rule's verdict on every object of the chart is unknown.
  for (const error of output.errors) {
    findings.push({
      judge: 'monokle',
      id: /^rule (\S+) crashed/.exec(error)?.[1] ?? 'runner-error',
      message: error,
      object: { apiVersion: '-', kind: '(every object)', name: '-' },
    });
  }
  return { findings, rules: output.rules };
}

/** The container a Monokle path such as `spec.template.spec.containers.0.image` points into. */
function containerName(obj: Manifest | undefined, dotted: string): string | undefined {
  const match = /^(.*?)\.?(initContainers|containers|ephemeralContainers)\.(\d+)(\.|$)/.exec(dotted);
  if (!obj || !match) return undefined;
  let node: any = obj;
  for (const key of [...match[1].split('.').filter((s) => s !== ''), match[2], match[3]]) {
    node = node?.[key];
  }
  return typeof node?.name === 'string' ? node.name : undefined;
}
