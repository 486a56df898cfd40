/**
 * Would the Falco we name load the rules? No Falco runs here: the judges are the field registries
 * and event names of the libs of Falco 0.36 and 0.37, and the official macros of falco-rules-3.0.0
 * (test/fixtures/falco, SOURCES.md), against which the emitted file is checked field by field.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Testing } from 'cdk8s';
import { parse, parseDocument } from 'yaml';
import { FalcoEvent, matchingRules } from './falco-eval';
import { LEDGER, SHOP, WEB_SERVER, container, exec, socket } from './falco-events';
import { hubAgentWorkload, hubGuardedWorkload, sidecarWorkload } from './latch-fixtures';
import { Harden } from '../../src';
import { FalcoRules } from '../../src/guardrails';
import { FALCO_RELEASES, FIELD_REQUIREMENTS, compareVersions, fieldUses } from '../../src/guardrails/falco-fields';
import { IMAGE, coverNetwork, find, newChart } from '../util';

jest.setTimeout(60_000);

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'falco');
const ROOT = path.join(__dirname, '..', '..');
const lines = (file: string) => fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));

/** name -> { flags, args } of a vendored registry. */
function registry(file: string): Map<string, { flags: string; args?: string[] }> {
  return new Map(lines(file).map((l) => {
    const [name, , flags, args] = l.split(' ');
    return [name, { flags, args: args?.replace(/^args=/, '').split(',') }];
  }));
}
const REGISTRIES: Record<string, ReturnType<typeof registry>> = {
  '0.36.0': registry('libs-0.13.1-fields.txt'),
  '0.37.0': registry('libs-0.14.2-fields.txt'),
};
const EVENTS = new Set(lines('libs-0.14.2-events.txt'));

// GIVEN every kind of latch pod (both modes, a bare Pod, shell exec probes, UDP ports, tty) and the rules for them
const { chart } = newChart('apps');
sidecarWorkload(chart);
hubGuardedWorkload(chart);
hubAgentWorkload(chart);
const bareObj = new ApiObject(chart, 'bare', {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'bare', labels: { 'superlatch.io/latch': 'payments' } },
  spec: {
    containers: [
      { name: 'c', image: IMAGE, ports: [{ containerPort: 5353, protocol: 'UDP' }], livenessProbe: { exec: { command: ['sh', '-c', 'pgrep c > /dev/null'] } }, readinessProbe: { tcpSocket: { port: 5353 } } },
      { name: 'tty', image: IMAGE, command: ['/console'], tty: true, livenessProbe: { tcpSocket: { port: 8080 } }, readinessProbe: { httpGet: { path: '/ready', port: 8080 } } },
    ],
  },
});
Harden.workload(bareObj);
coverNetwork(chart, bareObj);
new FalcoRules(chart, 'falco', { nodeLocalDnsCidrs: ['169.254.20.10/32', 'fd00:20::a/128'] });
const text: string = find(Testing.synth(chart), 'ConfigMap', 'superlatch-falco-rules').data['superlatch-rules.yaml'];
const items = parse(text) as any[];
const conditions: string[] = items.filter((i) => 'condition' in i).map((i) => i.condition);
const outputs: string[] = items.filter((i) => 'output' in i).map((i) => i.output);
const uses = [...conditions.flatMap((c) => fieldUses(c)), ...outputs.flatMap((o) => fieldUses(o, 'output'))];
const minimum = Object.keys(FALCO_RELEASES).filter((v) => uses.every((u) => compareVersions(FIELD_REQUIREMENTS[u.field]?.falco ?? '99', v) <= 0)).sort(compareVersions)[0];

describe('required_engine_version and the named minimum Falco', () => {
  test('every field used is in the table, so the minimum is computed from all of them', () => {
    expect(uses.length).toBeGreaterThan(50);
    expect([...new Set(uses.map((u) => u.field))].filter((f) => !(f in FIELD_REQUIREMENTS))).toEqual([]);
    expect(minimum).toBe('0.37.0');
  });

  test('the file declares the engine version of that minimum, first, and the header names it', () => {
    expect(items[0]).toEqual({ required_engine_version: FALCO_RELEASES[minimum].engine });
    expect(FALCO_RELEASES[minimum].engine).toBe('0.31.0');
    expect(parseDocument(text).commentBefore).toContain(`Needs Falco ${minimum} or later`);
  });

  test('every field used exists in the field registry of the minimum Falco, and of the release the table names for it', () => {
    for (const u of uses) {
      expect([u.field, REGISTRIES[minimum].has(u.field)]).toEqual([u.field, true]);
      expect([u.field, REGISTRIES[FIELD_REQUIREMENTS[u.field].falco].has(u.field)]).toEqual([u.field, true]);
    }
  });

  test('a field argument is written only in a form the minimum Falco accepts (brackets for k8s labels only from 0.37)', () => {
    const withArgs = uses.filter((u) => u.argument);
    expect(withArgs.some((u) => u.field === 'k8s.pod.label' && u.argument!.form === 'bracket')).toBe(true);
    for (const u of withArgs) {
      const entry = REGISTRIES[minimum].get(u.field)!;
      expect(entry.flags).toMatch(/EPF_ARG_(REQUIRED|ALLOWED)/);
      if (entry.args) expect([u.field, u.argument!.form, entry.args.includes(u.argument!.form)]).toEqual([u.field, u.argument!.form, true]);
      // and the table names a release that accepts it
      const atTable = REGISTRIES[FIELD_REQUIREMENTS[u.field].falco].get(u.field)!;
      if (atTable.args) expect([u.field, atTable.args.includes(u.argument!.form)]).toEqual([u.field, true]);
    }
  });

  test('the reason the minimum is not 0.36 is in the 0.36 registry: k8s.pod.label there takes only the dot form', () => {
    expect(REGISTRIES['0.36.0'].get('k8s.pod.label')!.args).toEqual(['dot']);
    expect(FIELD_REQUIREMENTS['k8s.pod.label'].falco).toBe('0.37.0');
    // the dot form cannot be written either: the libs 0.13 lexer's field names have no '/'
    expect(/^[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+$/.test('k8s.pod.label.app.kubernetes.io/name')).toBe(false);
  });

  test('every event type compared is an event of the minimum Falco\'s libs', () => {
    const types = conditions.flatMap((c) => [...c.matchAll(/evt\.type\s*(?:=\s*([a-z0-9_]+)|in\s*\(([^)]*)\))/g)].flatMap((m) => (m[1] ? [m[1]] : m[2].split(',').map((x) => x.trim()))));
    expect(types.length).toBeGreaterThan(30);
    expect([...new Set(types)].filter((t) => !EVENTS.has(t))).toEqual([]);
  });

  test('only operators the Falco filter grammar has; every list is non-empty; no mixed-family network list', () => {
    const operators = conditions.flatMap((c) => [...c.replace(/"[^"]*"/g, '""').matchAll(/[a-z0-9_.\]]\s+(=|!=|<=|>=|<|>|in|pmatch|contains|startswith|exists)[\s(]/g)].map((m) => m[1]));
    expect([...new Set(operators)].sort()).toEqual(['!=', '=', '>=', 'contains', 'in', 'pmatch']);
    for (const l of items.filter((i) => 'list' in i)) {
      expect([l.list, l.items.length > 0]).toEqual([l.list, true]);
      const nets = l.items.filter((v: unknown) => typeof v === 'string' && /\/\d+"$/.test(v));
      if (nets.length > 0) expect([l.list, new Set(nets.map((v: string) => v.includes(':'))).size]).toEqual([l.list, 1]);
    }
  });

  test('the docs and the construct name the same minimum', () => {
    const guardrails = fs.readFileSync(path.join(ROOT, 'docs', 'guardrails.md'), 'utf8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const source = fs.readFileSync(path.join(ROOT, 'src', 'guardrails', 'falco-rules.ts'), 'utf8');
    for (const doc of [guardrails, readme, source]) {
      expect(doc).toContain(`Falco ${minimum}`);
      expect(doc).not.toMatch(/Falco 0\.36(\+| or later)/);
    }
    expect(guardrails).toContain(`required_engine_version: ${FALCO_RELEASES[minimum].engine}`);
  });
});

describe('agreement with the official falco-rules-3.0.0 macros', () => {
  const official = parse(fs.readFileSync(path.join(FIXTURES, 'falco-rules-3.0.0-excerpt.yaml'), 'utf8')) as any[];
  const judge = [...official.filter((i) => !('rule' in i)),
    { rule: 'outbound', condition: 'outbound' },
    ...official.filter((i) => 'rule' in i)];
  const ours = (e: FalcoEvent) => matchingRules(items, e).includes('Superlatch outbound connection from a hub-mode guarded pod');
  const theirs = (e: FalcoEvent) => matchingRules(judge, e).includes('outbound');
  const app = container(LEDGER, 'app');

  test.each<[string, FalcoEvent]>([
    ['a connect outside', socket(app, WEB_SERVER, 'connect', '203.0.113.7', 443)],
    ['a connect in progress', socket(app, WEB_SERVER, 'connect', '203.0.113.7', 443, { 'evt.rawres': -115, 'evt.res': 'EINPROGRESS' })],
    ['a refused connect', socket(app, WEB_SERVER, 'connect', '203.0.113.7', 443, { 'evt.rawres': -111, 'evt.res': 'ECONNREFUSED' })],
    ['a connect to RFC 1918', socket(app, WEB_SERVER, 'connect', '172.20.0.1', 443)],
    ['a connect to loopback', socket(app, WEB_SERVER, 'connect', '127.0.0.1', 8080, { 'fd.cip': '127.0.0.1' })],
    ['a connect to 0.0.0.0', socket(app, WEB_SERVER, 'connect', '0.0.0.0', 8080, { 'fd.cip': '127.0.0.1' })],
    ['an unconnected UDP sendto outside', socket(app, WEB_SERVER, 'sendto', '198.51.100.53', 53, { 'fd.l4proto': 'udp', 'fd.connected': 'false', 'fd.name_changed': 'true' })],
    ['a connected UDP sendto', socket(app, WEB_SERVER, 'sendto', '198.51.100.53', 53, { 'fd.l4proto': 'udp', 'fd.connected': 'true', 'fd.name_changed': 'false' })],
    ['a TCP sendto', socket(app, WEB_SERVER, 'sendto', '198.51.100.53', 443, { 'fd.connected': 'false', 'fd.name_changed': 'true' })],
    ['a unix socket connect', { ...socket(app, WEB_SERVER, 'connect', '203.0.113.7', 443), 'fd.typechar': 'u' }],
  ])('IPv4 %s: the hub outbound rule agrees with the official outbound macro (RFC 1918 as the internal networks)', (_what, event) => {
    expect(ours(event)).toBe(theirs(event));
  });

  test('IPv6 loopback: the official macro alerts on ::1 (its loopback guard is IPv4-only), ours does not', () => {
    const e = socket(app, WEB_SERVER, 'connect', '::1', 8080, { 'fd.cip': '::1' });
    expect([theirs(e), ours(e)]).toEqual([true, false]);
  });

  test('a shell with a terminal: the official "Terminal shell in container" and our process rule both fire; a probe fires neither', () => {
    const shop = container(SHOP, 'app');
    const shell = exec(shop, ['/bin/bash'], { 'proc.tty': 34816 });
    expect(matchingRules(judge, shell)).toContain('Terminal shell in container');
    expect(matchingRules(items, shell)).toEqual(['Superlatch unexpected process in a latch pod']);
    const agentProbe = exec(container(SHOP, 'latch-agent'), ['/nodejs/bin/node', '/opt/superlatch-agent/main.js', 'health']);
    expect(matchingRules(judge, agentProbe)).toEqual([]);
    expect(matchingRules(items, agentProbe)).toEqual([]);
  });
});
