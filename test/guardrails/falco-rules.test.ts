import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parse, parseDocument } from 'yaml';
import { FalcoEvent, matchingRules, referencedNames } from './falco-eval';
import { container, exec } from './falco-events';
import { AGENT_REPO, hubAgentWorkload, hubGuardedWorkload, sidecarWorkload } from './latch-fixtures';
import { Harden } from '../../src';
import { FalcoRules, FalcoRulesProps } from '../../src/guardrails';
import { expectNoFindings } from '../judges';
import { coverNetwork, errorOf, find, goodContainer, newChart } from '../util';

jest.setTimeout(60_000);

function setup(props: FalcoRulesProps = {}, extra?: (chart: Chart) => void) {
  const { chart } = newChart('apps');
  sidecarWorkload(chart);
  hubGuardedWorkload(chart);
  hubAgentWorkload(chart);
  // a workload that is not a latch pod: never in the rules
  const other = new kplus.Deployment(chart, 'other', { metadata: { name: 'other' }, containers: [goodContainer()] });
  Harden.workload(other);
  coverNetwork(chart, other);
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
    const other = new kplus.Deployment(chart, 'other', { metadata: { name: 'other' }, containers: [goodContainer()] });
    Harden.workload(other);
    coverNetwork(chart, other);
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
  test('the engine version first, then only lists, macros and rules, each with exactly its keys', () => {
    expect(items[0]).toEqual({ required_engine_version: '0.31.0' });
    for (const item of items.slice(1)) {
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
      ['Superlatch process in an undeclared container of a latch pod', 'ERROR'],
      ['Superlatch undeclared listening port in a latch pod', 'WARNING'],
      ['Superlatch undeclared image in a latch pod', 'ERROR'],
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
    for (const item of items.slice(1)) {
      const name = item.list ?? item.macro ?? item.rule;
      expect(defined.has(name)).toBe(false);
      const refs = 'list' in item ? item.items.filter((i: unknown) => typeof i === 'string' && /^[a-z_]+$/.test(i)) : referencedNames(item.condition);
      for (const ref of refs) {
        expect([name, ref, defined.has(ref)]).toEqual([name, ref, true]);
        used.add(ref);
      }
      defined.add(name);
    }
    for (const item of items.filter((i) => 'list' in i || 'macro' in i)) expect([item.list ?? item.macro, used.has(item.list ?? item.macro)]).toEqual([item.list ?? item.macro, true]);
  });

  test('no rule condition is empty or always true: each needs an event type and a latch pod', () => {
    const nothing: FalcoEvent = {};
    expect(matchingRules(items, nothing)).toEqual([]);
    for (const r of rules) {
      expect(r.condition.trim()).not.toBe('');
      expect(r.condition).toMatch(/^\(?superlatch_(file_change|spawned_process|listen|outbound) /);
      // a matching event type alone, outside the latch pods, matches nothing
      for (const evt of ['execve', 'openat', 'listen', 'connect']) {
        expect(matchingRules(items, { 'evt.type': evt, 'evt.dir': '<', 'evt.is_open_write': 'true', 'evt.rawres': 0, 'fd.typechar': 4, 'fd.sip': '203.0.113.7', 'proc.vpid': 1, 'proc.tty': 34816, 'k8s.ns.name': 'apps', 'container.name': 'app', 'proc.name': 'sh' })).toEqual([]);
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

  test('the expected processes: the command by name; the latch containers\' entrypoint and exec probes by exact command line', () => {
    expect(lists.get('superlatch_apps_shop_app_processes')).toEqual(['"web-server"']);
    expect(lists.get('superlatch_apps_shop_latch_agent_processes')).toBeUndefined();
    expect(lists.get('superlatch_apps_shop_latch_agent_cmdlines')).toEqual([
      '"node --jitless --no-expose-wasm /opt/superlatch-agent/main.js run"',
      '"node /opt/superlatch-agent/main.js health"',
      '"node /opt/superlatch-agent/main.js health --ready"',
    ]);
    expect(lists.get('superlatch_apps_shop_latch_gate_cmdlines')).toEqual([
      '"node --jitless --no-expose-wasm /opt/superlatch-agent/main.js gate"',
      '"node /opt/superlatch-agent/main.js check --file /usr/share/latch/latch-info.json"',
      '"node /opt/superlatch-agent/main.js health"',
    ]);
    expect(lists.get('superlatch_apps_shop_latch_agent_writer_processes')).toEqual(['"node"']);
    expect(lists.get('superlatch_apps_shop_containers')).toEqual(['"app"', '"latch-agent"', '"latch-gate"']);
  });
});

// what the rules raise on synthetic events: falco-runtime.test.ts

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
      coverNetwork(chart, obj);
    });
    expect(parseDocument(t2).commentBefore).toContain('No process allow-list (only shells are alerted on; declare expectedProcesses):\n   apps/Pod/bare:c');
    const c = container({ 'k8s.ns.name': 'apps', 'k8s.pod.name': 'bare' }, 'c', 'docker.io/library/nginx');
    expect(matchingRules(i2, exec(c, ['/usr/sbin/nginx']))).toEqual([]);
    expect(matchingRules(i2, exec(c, ['/bin/sh']))).toEqual(['Superlatch unexpected process in a latch pod']);
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
    expect(parsed.find((i) => i.list === 'superlatch_internal_networks_ipv4').items).toEqual(['"10.0.0.0/16"']);
    expect(parsed.find((i) => i.list === 'superlatch_internal_networks_ipv6').items).toEqual(['"::ffff:10.0.0.0/112"']);
    expect(r.fileName).toBe('latch.yaml');
  });

  test('without hub-mode guarded pods there is no outbound rule', () => {
    const { chart } = newChart('apps');
    sidecarWorkload(chart);
    new FalcoRules(chart, 'falco');
    const parsed = parse(find(Testing.synth(chart), 'ConfigMap').data['superlatch-rules.yaml']) as any[];
    expect(parsed.filter((i) => 'rule' in i).map((i) => i.rule)).not.toContain('Superlatch outbound connection from a hub-mode guarded pod');
    expect(parsed.some((i) => /^superlatch_internal_networks/.test(i.list ?? ''))).toBe(false);
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
    [{ nodeLocalDnsCidrs: ['169.254.20.10'] }, "[test/falco]: nodeLocalDnsCidrs '169.254.20.10' is not a CIDR"],
    [{ expectedProcesses: [{ container: 'app', processNames: [] }] }, "[test/falco]: expectedProcesses for container 'app' must list process names"],
  ])('%j', (props, message) => {
    const { chart } = newChart('apps');
    expect(errorOf(() => new FalcoRules(chart, 'falco', props))).toContain(message);
  });
});
