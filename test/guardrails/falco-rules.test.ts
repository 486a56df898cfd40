import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parse, parseDocument } from 'yaml';
import { FalcoEvent, matchingRules, referencedNames } from './falco-eval';
import { AGENT_REPO, hubAgentWorkload, hubGuardedWorkload, sidecarWorkload } from './latch-fixtures';
import { Harden } from '../../src';
import { FalcoRules, FalcoRulesProps } from '../../src/guardrails';
import { expectNoFindings } from '../judges';
import { errorOf, find, goodContainer, newChart } from '../util';

jest.setTimeout(60_000);

function setup(props: FalcoRulesProps = {}, extra?: (chart: Chart) => void) {
  const { chart } = newChart('apps');
  sidecarWorkload(chart);
  hubGuardedWorkload(chart);
  hubAgentWorkload(chart);
  // a workload that is not a latch pod: never in the rules
  Harden.workload(new kplus.Deployment(chart, 'other', { metadata: { name: 'other' }, containers: [goodContainer()] }));
  extra?.(chart);
  const rules = new FalcoRules(chart, 'falco', props);
  const manifests = Testing.synth(chart);
  const cm = find(manifests, 'ConfigMap', 'superlatch-falco-rules');
  const text: string = cm.data['superlatch-rules.yaml'];
  return { rules, manifests, cm, text, items: parse(text) as any[] };
}

// GIVEN the latch workloads of both modes and the Falco rules in their chart
const { manifests, cm, text, items } = setup();
const rules = items.filter((i) => 'rule' in i);
const lists = new Map<string, any[]>(items.filter((i) => 'list' in i).map((i) => [i.list, i.items]));

const SHOP = { 'k8s.ns.name': 'apps', 'k8s.pod.label[app.kubernetes.io/name]': 'shop', 'k8s.pod.label[superlatch.io/latch]': 'payments', 'k8s.pod.label[superlatch.io/role]': 'guarded', 'k8s.pod.name': 'shop-7d9f-abcde' };
const LEDGER = { ...SHOP, 'k8s.pod.label[app.kubernetes.io/name]': 'ledger' };
const AGENT = { ...SHOP, 'k8s.pod.label[app.kubernetes.io/name]': 'payments-latch-agent', 'k8s.pod.label[superlatch.io/role]': 'agent' };
const exec = (pod: FalcoEvent, container: string, proc: string, extra: FalcoEvent = {}): FalcoEvent =>
  ({ ...pod, 'evt.type': 'execve', 'evt.dir': '<', 'container.name': container, 'proc.name': proc, 'proc.vpid': 7, ...extra });
const openWrite = (pod: FalcoEvent, container: string, proc: string, path: string): FalcoEvent =>
  ({ ...pod, 'evt.type': 'openat', 'evt.dir': '<', 'evt.is_open_write': 'true', 'container.name': container, 'proc.name': proc, 'fd.name': path });

describe('the ConfigMap', () => {
  test('matches the snapshot', () => {
    expect(cm).toMatchSnapshot();
  });

  test('lives in the falco namespace, labelled as a rule set, with one key mountable at /etc/falco/rules.d', () => {
    expect(cm.metadata).toEqual({
      name: 'superlatch-falco-rules',
      namespace: 'falco',
      labels: { 'app.kubernetes.io/managed-by': 'cdk8s-superlatch', 'superlatch.io/rules': 'falco' },
    });
    expect(Object.keys(cm.data)).toEqual(['superlatch-rules.yaml']);
  });

  test('toYaml() gives the same file, for the Helm chart customRules, also before synthesis', () => {
    const { rules: construct, text: inConfigMap } = setup();
    expect(construct.toYaml()).toBe(inConfigMap);
    const { chart } = newChart('apps');
    sidecarWorkload(chart);
    hubGuardedWorkload(chart);
    hubAgentWorkload(chart);
    Harden.workload(new kplus.Deployment(chart, 'other', { metadata: { name: 'other' }, containers: [goodContainer()] }));
    expect(new FalcoRules(chart, 'falco').toYaml()).toBe(inConfigMap);
  });

  test('the header lists the workloads and says to run falco --validate', () => {
    const header = parseDocument(text).commentBefore ?? '';
    expect(header).toContain('apps/Deployment/ledger');
    expect(header).toContain('apps/Deployment/payments-latch-agent');
    expect(header).toContain('apps/Deployment/shop');
    expect(header).toContain('falco --validate');
    expect(header).not.toContain('apps/Deployment/other');
  });

  test('zero findings from the judges on the ConfigMap', async () => {
    await expectNoFindings([cm]);
  });
});

describe('the YAML shape', () => {
  test('only lists, macros and rules, each with exactly its keys', () => {
    for (const item of items) {
      if ('list' in item) expect(Object.keys(item).sort()).toEqual(['items', 'list']);
      else if ('macro' in item) expect(Object.keys(item).sort()).toEqual(['condition', 'macro']);
      else expect(Object.keys(item).sort()).toEqual(['condition', 'desc', 'output', 'priority', 'rule', 'tags']);
    }
  });

  test('rules have a description, an output with fields, a valid priority and string tags', () => {
    const priorities = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'INFO', 'DEBUG'];
    expect(rules.map((r) => [r.rule, r.priority])).toEqual([
      ['Superlatch status volume written outside the latch agent', 'CRITICAL'],
      ['Superlatch unexpected process in a latch pod', 'ERROR'],
      ['Superlatch undeclared listening port in a latch pod', 'WARNING'],
      ['Superlatch undeclared image or container in a latch pod', 'ERROR'],
      ['Superlatch outbound connection from a hub-mode guarded pod', 'ERROR'],
    ]);
    for (const r of rules) {
      expect(priorities).toContain(r.priority);
      expect(r.desc).toMatch(/^[A-Z].{20,}\.$/);
      expect(r.output).toMatch(/%proc\.name/);
      expect(r.output).toMatch(/%k8s\.pod\.name/);
      expect(r.tags[0]).toBe('superlatch');
      for (const t of r.tags) expect(typeof t).toBe('string');
    }
  });

  test('names are unique, and every list and macro is defined before it is used, and used', () => {
    const defined = new Set<string>();
    const used = new Set<string>();
    for (const item of items) {
      const name = item.list ?? item.macro ?? item.rule;
      expect(defined.has(name)).toBe(false);
      const refs = 'list' in item ? item.items.filter((i: unknown) => typeof i === 'string' && /^[a-z_]+$/.test(i)) : referencedNames(item.condition);
      for (const ref of refs) {
        expect([name, ref, defined.has(ref)]).toEqual([name, ref, true]);
        used.add(ref);
      }
      defined.add(name);
    }
    for (const item of items.filter((i) => !('rule' in i))) expect([item.list ?? item.macro, used.has(item.list ?? item.macro)]).toEqual([item.list ?? item.macro, true]);
  });

  test('no rule condition is empty or always true: each needs an event type and a latch pod', () => {
    const nothing: FalcoEvent = {};
    expect(matchingRules(items, nothing)).toEqual([]);
    for (const r of rules) {
      expect(r.condition.trim()).not.toBe('');
      expect(r.condition).toMatch(/^superlatch_(file_change|spawned_process|listen|container_start|connect) /);
      // a matching event type alone, outside the latch pods, matches nothing
      for (const evt of ['execve', 'openat', 'listen', 'connect']) {
        expect(matchingRules(items, { 'evt.type': evt, 'evt.dir': '<', 'evt.is_open_write': 'true', 'proc.vpid': 1, 'k8s.ns.name': 'apps', 'container.name': 'app', 'proc.name': 'sh' })).toEqual([]);
      }
    }
  });
});

describe('the rules reference exactly the workloads, images, ports and paths of the chart', () => {
  const latchManifests = manifests.filter((m) => m.kind === 'Deployment' && m.metadata.name !== 'other');

  test('one pod macro per latch workload, by namespace and stable labels; nothing for other workloads', () => {
    const pods = items.filter((i) => /^superlatch_.*_pod$/.test(i.macro ?? ''));
    expect(pods).toEqual([
      { macro: 'superlatch_apps_ledger_pod', condition: 'k8s.ns.name = "apps" and k8s.pod.label[app.kubernetes.io/name] = "ledger" and k8s.pod.label[superlatch.io/latch] = "payments" and k8s.pod.label[superlatch.io/role] = "guarded"' },
      { macro: 'superlatch_apps_payments_latch_agent_pod', condition: 'k8s.ns.name = "apps" and k8s.pod.label[app.kubernetes.io/name] = "payments-latch-agent" and k8s.pod.label[superlatch.io/latch] = "payments" and k8s.pod.label[superlatch.io/role] = "agent"' },
      { macro: 'superlatch_apps_shop_pod', condition: 'k8s.ns.name = "apps" and k8s.pod.label[app.kubernetes.io/name] = "shop" and k8s.pod.label[superlatch.io/latch] = "payments" and k8s.pod.label[superlatch.io/role] = "guarded"' },
    ]);
    expect(text).not.toContain('apps/Deployment/other');
    expect(text).not.toContain('"other"');
  });

  test('the images of every container, as declared and as runtimes normalise them', () => {
    const declared = new Set(latchManifests.flatMap((m) => m.spec.template.spec.containers.map((c: any) => c.image.split('@')[0].replace(/:[^/:]*$/, ''))));
    const inRules = new Set([...lists].filter(([k]) => k.endsWith('_images')).flatMap(([, v]) => v.map((x: string) => x.replace(/"/g, ''))));
    expect([...inRules].sort()).toEqual([...declared].sort());
    expect(lists.get('superlatch_apps_shop_latch_agent_images')).toEqual([`"${AGENT_REPO}"`]);
  });

  test('the declared ports, per container', () => {
    const portLists = [...lists].filter(([k]) => k.endsWith('_ports'));
    expect(portLists).toEqual([
      ['superlatch_apps_ledger_app_ports', [8080]],
      ['superlatch_apps_shop_app_ports', [8080]],
    ]);
  });

  test('the status volume mount paths, per container that mounts it', () => {
    const pathLists = [...lists].filter(([k]) => k.endsWith('_status_paths'));
    expect(pathLists).toEqual([
      ['superlatch_apps_ledger_app_status_paths', ['"/usr/share/latch"']],
      ['superlatch_apps_shop_app_status_paths', ['"/usr/share/latch"']],
      ['superlatch_apps_shop_latch_agent_status_paths', ['"/usr/share/latch"']],
      ['superlatch_apps_shop_latch_gate_status_paths', ['"/usr/share/latch"']],
    ]);
  });

  test('the expected processes: the command, exec probes, and node for the latch containers', () => {
    expect(lists.get('superlatch_apps_shop_app_processes')).toEqual(['"web-server"']);
    expect(lists.get('superlatch_apps_shop_latch_agent_processes')).toEqual(['"node"']);
    expect(lists.get('superlatch_apps_shop_latch_gate_processes')).toEqual(['"node"']);
    expect(lists.get('superlatch_apps_shop_containers')).toEqual(['"app"', '"latch-agent"', '"latch-gate"']);
  });
});

describe('what the rules alert on (synthetic events)', () => {
  test.each<[string, FalcoEvent, string[]]>([
    ['the app writing the status file', openWrite(SHOP, 'app', 'web-server', '/usr/share/latch/latch-info.json'), ['Superlatch status volume written outside the latch agent']],
    ['the gate trying to create a file in the status directory', openWrite(SHOP, 'latch-gate', 'node', '/usr/share/latch/x'), ['Superlatch status volume written outside the latch agent']],
    ['a hub-mode app writing the ConfigMap volume', openWrite(LEDGER, 'app', 'web-server', '/usr/share/latch/latch-info.json'), ['Superlatch status volume written outside the latch agent']],
    ['a shell in the agent container writing the status file', openWrite(SHOP, 'latch-agent', 'sh', '/usr/share/latch/latch-info.json'), ['Superlatch status volume written outside the latch agent']],
    ['the agent renaming its temp file over the status file', { ...SHOP, 'evt.type': 'rename', 'evt.dir': '<', 'container.name': 'latch-agent', 'proc.name': 'node', 'fs.path.source': '/usr/share/latch/.tmp', 'fs.path.target': '/usr/share/latch/latch-info.json' }, []],
    ['the agent writing its temp file', openWrite(SHOP, 'latch-agent', 'node', '/usr/share/latch/.latch-info.json.tmp'), []],
    ['the app writing /tmp', openWrite(SHOP, 'app', 'web-server', '/tmp/cache'), []],
    ['a path that only starts like the status directory', openWrite(SHOP, 'app', 'web-server', '/usr/share/latch-other/x'), []],
    ['a shell in the app', exec(SHOP, 'app', 'sh'), ['Superlatch unexpected process in a latch pod']],
    ['curl in the app', exec(SHOP, 'app', 'curl'), ['Superlatch unexpected process in a latch pod']],
    ['the app entrypoint', exec(SHOP, 'app', 'web-server'), []],
    ['the gate readiness probe (node)', exec(SHOP, 'latch-gate', 'node'), []],
    ['a shell in the hub agent', exec(AGENT, 'latch-agent', 'bash'), ['Superlatch unexpected process in a latch pod']],
    ['a shell in a pod that is not a latch pod', exec({ ...SHOP, 'k8s.pod.label[app.kubernetes.io/name]': 'other' }, 'app', 'sh'), []],
    ['the app listening on its port', { ...SHOP, 'evt.type': 'listen', 'evt.dir': '<', 'container.name': 'app', 'proc.name': 'web-server', 'fd.sport': 8080 }, []],
    ['the app listening on another port', { ...SHOP, 'evt.type': 'listen', 'evt.dir': '<', 'container.name': 'app', 'proc.name': 'web-server', 'fd.sport': 4444 }, ['Superlatch undeclared listening port in a latch pod']],
    ['the agent listening at all', { ...SHOP, 'evt.type': 'listen', 'evt.dir': '<', 'container.name': 'latch-agent', 'proc.name': 'node', 'fd.sport': 9000 }, ['Superlatch undeclared listening port in a latch pod']],
    ['a hub-mode app connecting to the Internet', { ...LEDGER, 'evt.type': 'connect', 'evt.dir': '<', 'fd.typechar': 4, 'fd.sip': '203.0.113.7', 'container.name': 'app', 'proc.name': 'web-server' }, ['Superlatch outbound connection from a hub-mode guarded pod']],
    ['a hub-mode app connecting in the cluster', { ...LEDGER, 'evt.type': 'connect', 'evt.dir': '<', 'fd.typechar': 4, 'fd.sip': '10.96.0.10', 'container.name': 'app', 'proc.name': 'web-server' }, []],
    ['the sidecar agent connecting to the Latch API', { ...SHOP, 'evt.type': 'connect', 'evt.dir': '<', 'fd.typechar': 4, 'fd.sip': '203.0.113.7', 'container.name': 'latch-agent', 'proc.name': 'node' }, []],
    ['the app started from its image', exec(SHOP, 'app', 'web-server', { 'proc.vpid': 1, 'container.image.repository': 'registry.example.com/app' }), []],
    ['the app started from another image', exec(SHOP, 'app', 'web-server', { 'proc.vpid': 1, 'container.image.repository': 'registry.example.com/evil' }), ['Superlatch undeclared image or container in a latch pod']],
    ['an ephemeral debug container', exec(SHOP, 'debugger', 'sh', { 'proc.vpid': 1, 'container.image.repository': 'docker.io/library/busybox' }), ['Superlatch undeclared image or container in a latch pod']],
    ['the pod sandbox', exec(SHOP, 'POD', 'pause', { 'proc.vpid': 1, 'container.image.repository': 'registry.k8s.io/pause' }), []],
  ])('%s', (_what, event, expected) => {
    expect(matchingRules(items, event)).toEqual(expected);
  });
});

describe('options', () => {
  test('declared processes replace the derived ones; probes are still allowed', () => {
    const { items: declared } = setup({ expectedProcesses: [{ container: 'app', processNames: ['/usr/sbin/nginx'], workload: 'shop' }] });
    const l = new Map<string, any[]>(declared.filter((i) => 'list' in i).map((i) => [i.list, i.items]));
    expect(l.get('superlatch_apps_shop_app_processes')).toEqual(['"nginx"']);
    expect(l.get('superlatch_apps_ledger_app_processes')).toEqual(['"web-server"']);
  });

  test('a container with no known process: only shells alert, and the header says so', () => {
    const { items: i2, text: t2 } = setup({}, (chart) => {
      const obj = new ApiObject(chart, 'bare', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'bare', labels: { 'superlatch.io/latch': 'payments' } },
        spec: { containers: [{ name: 'c', image: 'nginx:1.27@sha256:' + 'ef'.repeat(32), livenessProbe: { tcpSocket: { port: 8080 } }, readinessProbe: { httpGet: { path: '/', port: 8080 } } }] },
      });
      Harden.workload(obj);
    });
    expect(parseDocument(t2).commentBefore).toContain('No process allow-list (only shells are alerted on; declare expectedProcesses):\n   apps/Pod/bare:c');
    const pod = { 'k8s.ns.name': 'apps', 'k8s.pod.name': 'bare' };
    expect(matchingRules(i2, exec(pod, 'c', 'nginx'))).toEqual([]);
    expect(matchingRules(i2, exec(pod, 'c', 'sh'))).toEqual(['Superlatch unexpected process in a latch pod']);
    // Docker Hub images are matched as written and as runtimes normalise them
    const l = new Map<string, any[]>(i2.filter((i) => 'list' in i).map((i) => [i.list, i.items]));
    expect(l.get('superlatch_apps_bare_c_images')).toEqual(['"docker.io/library/nginx"', '"nginx"']);
  });

  test('custom name, namespace, file name, internal networks, and sources in another chart', () => {
    const { app, chart } = newChart('apps');
    sidecarWorkload(chart);
    hubGuardedWorkload(chart);
    const platform = new Chart(app, 'platform', { namespace: 'security' });
    const r = new FalcoRules(platform, 'falco', { name: 'latch-rules', namespace: 'runtime-security', fileName: 'latch.yaml', sources: [chart], internalNetworks: ['10.0.0.0/16'] });
    const c = find(Testing.synth(platform), 'ConfigMap', 'latch-rules');
    expect(c.metadata.namespace).toBe('runtime-security');
    const parsed = parse(c.data['latch.yaml']) as any[];
    expect(parsed.find((i) => i.list === 'superlatch_internal_networks').items).toEqual(['"10.0.0.0/16"']);
    expect(r.fileName).toBe('latch.yaml');
  });

  test('without hub-mode guarded pods there is no outbound rule', () => {
    const { chart } = newChart('apps');
    sidecarWorkload(chart);
    new FalcoRules(chart, 'falco');
    const parsed = parse(find(Testing.synth(chart), 'ConfigMap').data['superlatch-rules.yaml']) as any[];
    expect(parsed.filter((i) => 'rule' in i).map((i) => i.rule)).not.toContain('Superlatch outbound connection from a hub-mode guarded pod');
    expect(parsed.some((i) => i.list === 'superlatch_internal_networks')).toBe(false);
  });
});

describe('bad input fails with the construct path, the field and the fix', () => {
  test('no latch pod under the sources', () => {
    const { chart } = newChart('apps');
    new FalcoRules(chart, 'falco');
    expect(errorOf(() => Testing.synth(chart))).toContain('[test/falco] no latch pod (superlatch.io labels or annotations) under test, so there is nothing to watch. Fix:');
  });

  test('a latch pod without a namespace', () => {
    const { chart } = newChart('');
    const c2 = new Chart(Testing.app(), 'nons');
    sidecarWorkload(c2);
    new FalcoRules(chart, 'falco', { sources: [c2] });
    expect(errorOf(() => Testing.synth(chart))).toContain('[test/falco] (no namespace)/Deployment/shop: a latch pod without metadata.namespace cannot be matched by Falco (k8s.ns.name). Fix: give the chart or the object a namespace');
  });

  test.each<[FalcoRulesProps, string]>([
    [{ fileName: 'rules.txt' }, "[test/falco]: fileName 'rules.txt' is not a .yaml file name"],
    [{ namespace: 'Falco' }, "[test/falco]: namespace 'Falco' is not a valid DNS label"],
    [{ internalNetworks: ['10.0.0.0/33'] }, "[test/falco]: internalNetworks '10.0.0.0/33' has prefix /33"],
    [{ expectedProcesses: [{ container: 'app', processNames: [] }] }, "[test/falco]: expectedProcesses for container 'app' must list process names"],
  ])('%j', (props, message) => {
    const { chart } = newChart('apps');
    expect(errorOf(() => new FalcoRules(chart, 'falco', props))).toContain(message);
  });
});
