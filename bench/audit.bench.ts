/**
 * `superlatch audit` on 1000 workloads: generates a folder of 1000 manifest
 * files (ServiceAccount + Deployment + Service + NetworkPolicy each, plus the
 * namespace default-deny; one in ten images is not pinned, so the report is not
 * empty), then times the restricted pack in process and as the real command.
 * Budget (issue 5): under 2 s for the command on this machine.
 * Then, side by side (interleaved, medians of 5): the audit of 1000 and 10000
 * workloads against a bare js-yaml parse of the same files (read + loadAll, no
 * rules), each run a fresh process, whole-process CPU. Budget (issue 13): at
 * most 1.5x the parse at 10000; a parse that keeps its documents is shown beside
 * it, without a budget. BENCH_QUICK=1 measures 1000 only.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { bareParse } from './lib/bare-parse';
import { median, printBudgets, QUICK, runChild } from './lib/compare';
import { main } from '../src/cli/main';

const WORKLOADS = 1000;
const BUDGET_MS = 2000;
const root = path.join(__dirname, '..');

function workload(i: number): any[] {
  const name = `app-${String(i).padStart(4, '0')}`;
  const labels = { 'app.kubernetes.io/name': name };
  const sc = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'bench' }, automountServiceAccountToken: false },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'bench', labels },
      spec: {
        replicas: i % 3 === 0 ? 2 : 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: { [`container.apparmor.security.beta.kubernetes.io/${name}`]: 'runtime/default' } },
          spec: {
            automountServiceAccountToken: false,
            serviceAccountName: name,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name,
              image: i % 10 === 0 ? `registry.example.com/${name}:1.0` : `registry.example.com/${name}:1.0@sha256:${'b'.repeat(64)}`,
              ports: [{ containerPort: 8080 }],
              securityContext: sc,
              resources: { limits: { 'cpu': '1', 'memory': '256Mi', 'ephemeral-storage': '1Gi' }, requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '64Mi' } },
              livenessProbe: { httpGet: { path: '/live', port: 8080 } },
              readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'bench' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: 'bench' },
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } }] }], egress: [] },
    },
  ];
}

function generate(dir: string, workloads = WORKLOADS) {
  fs.writeFileSync(path.join(dir, 'namespace.yaml'), stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: 'bench' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] },
  }));
  for (let i = 0; i < workloads; i++) {
    fs.writeFileSync(path.join(dir, `workload-${i}.yaml`), workload(i).map((o) => stringify(o, { aliasDuplicateObjects: false })).join('---\n'));
  }
}

/** Runs the CLI process 3 times; prints each wall time and the median against the budget. */
function timeProcess(label: string, args: string[]): void {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 1) {
      console.error(`${label}: unexpected exit ${r.status}: ${r.stderr}`);
      process.exitCode = 1;
      return;
    }
  }
  const middle = median(times);
  const verdict = middle <= BUDGET_MS ? 'within' : 'OVER';
  console.log(`${label}: median ${middle.toFixed(0)} ms (runs ${times.map((t) => t.toFixed(0)).join(', ')}) for ${WORKLOADS} workloads, ${verdict} the ${BUDGET_MS} ms budget`);
}

function bench(dir: string) {
  generate(dir);
  const files = fs.readdirSync(dir).length;

  // in-process: parse + evaluate + format, without node start-up
  const runs: number[] = [];
  let lines = 0;
  let code = 0;
  for (let i = 0; i < 3; i++) {
    let out = '';
    const start = process.hrtime.bigint();
    code = main(['audit', dir], { out: (t) => { out += t; }, err: () => {} });
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
    lines = out.split('\n').length;
  }
  console.log(`in-process audit of ${files} files (${WORKLOADS * 4 + 1} objects): best ${Math.min(...runs).toFixed(0)} ms, first ${runs[0].toFixed(0)} ms; exit ${code}, ${lines} report lines`);

  // the real command: compiled bin/superlatch when lib/ exists (after `npx projen compile`)
  if (fs.existsSync(path.join(root, 'lib', 'cli', 'main.js'))) {
    timeProcess('npx superlatch audit (bin/superlatch, compiled lib/)', [path.join(root, 'bin', 'superlatch'), 'audit', dir]);
  } else {
    console.log('lib/cli/main.js not found: run `npx projen compile` to time bin/superlatch; timing the TypeScript sources instead');
    const script = path.join(dir, '..', `superlatch-bench-run-${process.pid}.js`);
    fs.writeFileSync(script, `require(${JSON.stringify(path.join(root, 'src', 'cli', 'main.ts'))}).run();\n`);
    try {
      timeProcess('superlatch audit (ts-node transpile-only, includes compiling)', ['-r', 'ts-node/register/transpile-only', script, 'audit', dir]);
    } finally {
      fs.rmSync(script, { force: true });
    }
  }
}

const PARSE_BUDGET = 1.5;
const ROUNDS = 5;

interface ChildSample { cpuMs: number; rssMb: number }

/**
 * Audit / bare parse at `workloads`. The budget's figure: whole-process CPU, each
 * run a fresh process (`superlatch audit` against a process that only reads and
 * parses the files), interleaved, medians of ROUNDS. For reference: against a
 * js-yaml parse that keeps every document to the end (the audit must keep the
 * objects its cross-object rules compare; the floor keeps nothing, so its
 * collector never copies a survivor), and the same in this process, warm
 * (after one run of each), wall time.
 */
function againstParse(workloads: number): { floor: number; keeping: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-bench-parse-'));
  try {
    generate(dir, workloads);
    const audit: ChildSample[] = [];
    const parse: ChildSample[] = [];
    const keeping: ChildSample[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      audit.push(runChild<ChildSample>('audit-child', ['audit', dir]));
      parse.push(runChild<ChildSample>('audit-child', ['parse', dir]));
      keeping.push(runChild<ChildSample>('audit-child', ['parse-keep', dir]));
    }
    const cpu = (xs: ChildSample[]) => median(xs.map((x) => x.cpuMs));
    const rss = (xs: ChildSample[]) => median(xs.map((x) => x.rssMb));
    const ratio = cpu(audit) / cpu(parse);
    console.log(`audit of ${workloads} workloads, whole process: CPU median ${cpu(audit).toFixed(0)} ms, peak RSS ${rss(audit).toFixed(0)} MB; `
      + `bare js-yaml parse of the same files: ${cpu(parse).toFixed(0)} ms, ${rss(parse).toFixed(0)} MB; CPU ratio ${ratio.toFixed(2)}, RSS ratio ${(rss(audit) / rss(parse)).toFixed(2)}`);
    const keepingRatio = cpu(audit) / cpu(keeping);
    console.log(`  for reference, js-yaml parse keeping every document: ${cpu(keeping).toFixed(0)} ms, ${rss(keeping).toFixed(0)} MB; audit / it: CPU ${keepingRatio.toFixed(2)}`);

    const inProcess = () => main(['audit', dir], { out: () => {}, err: () => {} });
    const timed = (fn: () => unknown) => {
      const start = process.hrtime.bigint();
      fn();
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    timed(inProcess);
    timed(() => bareParse(dir));
    const a: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      a.push(timed(inProcess));
      p.push(timed(() => bareParse(dir)));
    }
    console.log(`  for reference, in this process and warm (wall time): audit ${median(a).toFixed(0)} ms, bare parse ${median(p).toFixed(0)} ms, ratio ${(median(a) / median(p)).toFixed(2)}`);
    return { floor: ratio, keeping: keepingRatio };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-bench-'));
try {
  bench(dir);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const sizes = QUICK ? [1000] : [1000, 10000];
const ratios = sizes.map((n) => againstParse(n));
const n = sizes[sizes.length - 1];
const ok = printBudgets(`audit / bare js-yaml parse (whole-process CPU${QUICK ? '; judged at 10000 without BENCH_QUICK' : ''})`, [
  ...sizes.slice(0, -1).map((s, i) => ({ what: `audit / bare parse, ${s} workloads`, value: ratios[i].floor })),
  ...sizes.map((s, i) => ({ what: `audit / js-yaml parse keeping the documents, ${s} workloads`, value: ratios[i].keeping })),
  { what: `audit / bare parse, ${n} workloads`, value: ratios[ratios.length - 1].floor, budget: PARSE_BUDGET },
]);
if (!ok && !QUICK) process.exitCode = 1;
