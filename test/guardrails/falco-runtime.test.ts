/**
 * What the Falco rules raise on synthetic events: a healthy pod's whole lifecycle raises
 * nothing; each attack, and each former false positive, has its own case and raises exactly the
 * rule meant for it (or nothing).
 */
import { ApiObject, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { FalcoEvent, matchingRules } from './falco-eval';
import { AGENT, AGENT_GATE, AGENT_RUN, LEDGER, SHOP, WEB_SERVER, by, container, exec, openat, socket } from './falco-events';
import { hubAgentWorkload, hubGuardedWorkload, sidecarWorkload } from './latch-fixtures';
import { Harden } from '../../src';
import { FalcoRules, FalcoRulesProps } from '../../src/guardrails';
import { IMAGE, coverNetwork, find, newChart } from '../util';

jest.setTimeout(60_000);

const PROBE = ['/bin/sh', '-c', 'wget -q -O- http://127.0.0.1:8080/healthz && test -f /tmp/ready'];
const LIVENESS = ['sh', '-c', 'pgrep nginx > /dev/null'];
const NGINX = ['/usr/sbin/nginx', '-g', 'daemon off;'];

function rulesFor(props: FalcoRulesProps = {}): any[] {
  const { chart } = newChart('apps');
  sidecarWorkload(chart);
  hubGuardedWorkload(chart);
  hubAgentWorkload(chart);
  // a guarded web server whose probes are shell scripts
  const webObj = new ApiObject(chart, 'web', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web', 'superlatch.io/latch': 'payments', 'superlatch.io/role': 'guarded' } },
        spec: {
          containers: [{
            name: 'nginx',
            image: IMAGE,
            command: NGINX,
            ports: [{ containerPort: 8080 }, { containerPort: 5353, protocol: 'UDP' }],
            readinessProbe: { exec: { command: PROBE } },
            livenessProbe: { exec: { command: LIVENESS } },
          }],
        },
      },
    },
  });
  Harden.workload(webObj);
  coverNetwork(chart, webObj);
  // the hub pods' egress to a node-local DNS cache, as a latch given dns.nodeLocalDnsCidr writes it
  new ApiObject(chart, 'dns', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'ledger-dns' },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ledger' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    },
  });
  new FalcoRules(chart, 'falco', props);
  return parse(find(Testing.synth(chart), 'ConfigMap', 'superlatch-falco-rules').data['superlatch-rules.yaml']) as any[];
}

const items = rulesFor();
const WEB: FalcoEvent = { ...SHOP, 'k8s.pod.label[app.kubernetes.io/name]': 'web', 'k8s.pod.name': 'web-6f5d4c3b2-pqrst' };
const nginx = container(WEB, 'nginx', 'registry.example.com/app');
const app = container(SHOP, 'app');
const agent = container(SHOP, 'latch-agent');
const gate = container(SHOP, 'latch-gate');
const ledger = container(LEDGER, 'app');
const hubAgent = container(AGENT, 'latch-agent');
const TTY = { 'proc.tty': 34816 };
const STATUS = '/usr/share/latch/latch-info.json';
const probe = (args: string[]) => ['/nodejs/bin/node', '/opt/superlatch-agent/main.js', ...args];

const WRITE = 'Superlatch status volume written outside the latch agent';
const PROCESS = 'Superlatch unexpected process in a latch pod';
const CONTAINER = 'Superlatch process in an undeclared container of a latch pod';
const LISTEN = 'Superlatch undeclared listening port in a latch pod';
const IMAGE_RULE = 'Superlatch undeclared image in a latch pod';
const OUTBOUND = 'Superlatch outbound connection from a hub-mode guarded pod';

describe('a healthy lifecycle raises nothing', () => {
  test.each<[string, FalcoEvent]>([
    ['the pod sandbox starts (pause, pid 1, a container of its own)', exec(container(SHOP, 'shop-7d9f8b6c5-abcde', 'registry.k8s.io/pause'), ['/pause'], { 'proc.vpid': 1 })],
    ['the app starts', exec(app, WEB_SERVER, { 'proc.vpid': 1 })],
    ['the app listens on its declared port, all addresses', socket(app, WEB_SERVER, 'listen', '0.0.0.0', 8080)],
    ['the app listens on its declared port, IPv6', socket(app, WEB_SERVER, 'listen', '::', 8080)],
    ['the app reads the status file', openat(app, WEB_SERVER, STATUS, 'O_RDONLY|O_CLOEXEC')],
    ['the agent starts', exec(agent, AGENT_RUN, { 'proc.vpid': 1 })],
    ['the agent writes its temp file', openat(agent, AGENT_RUN, '/usr/share/latch/.latch-info.json.tmp', 'O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC')],
    ['the agent renames the temp file over the status file', by(agent, AGENT_RUN, { 'evt.type': 'renameat2', 'evt.rawres': 0, 'fs.path.source': '/usr/share/latch/.latch-info.json.tmp', 'fs.path.target': STATUS })],
    ['the agent resolves the Latch API (UDP to the cluster DNS)', socket(agent, AGENT_RUN, 'connect', '10.96.0.10', 53, { 'fd.l4proto': 'udp' })],
    ['the sidecar agent connects to the Latch API', socket(agent, AGENT_RUN, 'connect', '203.0.113.7', 443, { 'evt.rawres': -115, 'evt.res': 'EINPROGRESS' })],
    ['the agent liveness probe', exec(agent, probe(['health']))],
    ['the agent readiness probe', exec(agent, probe(['health', '--ready']))],
    ['the gate starts', exec(gate, AGENT_GATE, { 'proc.vpid': 1 })],
    ["the gate's check (its readiness probe)", exec(gate, probe(['check', '--file', STATUS]))],
    ['the gate reads the status file', openat(gate, AGENT_GATE, STATUS, 'O_RDONLY')],
    ['the hub-mode app starts', exec(ledger, WEB_SERVER, { 'proc.vpid': 1 })],
    ['the hub-mode app connects in the cluster', socket(ledger, WEB_SERVER, 'connect', '10.96.5.5', 8080)],
    ['the hub-mode app resolves names (DNS over UDP sendto, not connected)', socket(ledger, WEB_SERVER, 'sendto', '10.96.0.10', 53, { 'fd.l4proto': 'udp', 'fd.connected': 'false', 'fd.name_changed': 'true' })],
    ['the hub-mode app connects to the cluster over IPv6', socket(ledger, WEB_SERVER, 'connect', 'fd00:10:96::5', 8080)],
    ['the hub-mode app connects to a cluster IPv4 address from an IPv6 socket', socket(ledger, WEB_SERVER, 'connect', '::ffff:10.96.5.5', 8080)],
    ['the hub agent starts', exec(hubAgent, AGENT_RUN, { 'proc.vpid': 1 })],
    ['the hub agent connects to the Latch API', socket(hubAgent, AGENT_RUN, 'connect', '203.0.113.7', 443)],
    ['nginx starts', exec(nginx, NGINX, { 'proc.vpid': 1 })],
    ['nginx serves UDP on its declared port', socket(nginx, NGINX, 'bind', '0.0.0.0', 5353, { 'fd.l4proto': 'udp' })],
    ['the readiness probe shell', exec(nginx, PROBE)],
    ['the probe shell runs wget (a child, or exec in its place)', exec(nginx, ['/usr/bin/wget', '-q', '-O-', 'http://127.0.0.1:8080/healthz'], { 'proc.pcmdline': 'sh -c wget -q -O- http://127.0.0.1:8080/healthz && test -f /tmp/ready' })],
    ['the probe shell runs test', exec(nginx, ['/usr/bin/test', '-f', '/tmp/ready'])],
    ['the liveness probe shell', exec(nginx, LIVENESS)],
    ['the liveness probe shell runs pgrep (a child of the exact probe shell)', exec(nginx, ['/usr/bin/pgrep', 'nginx'], { 'proc.pname': 'sh', 'proc.pcmdline': 'sh -c pgrep nginx > /dev/null' })],
  ])('%s', (_what, event) => {
    expect(matchingRules(items, event)).toEqual([]);
  });
});

describe('former false positives raise nothing', () => {
  test.each<[string, FalcoEvent]>([
    ['a unix socket listen (no port)', by(agent, AGENT_RUN, { 'evt.type': 'listen', 'evt.rawres': 0, 'fd.typechar': 'u', 'fd.name': '/tmp/agent.sock' })],
    ['a failed listen', socket(app, WEB_SERVER, 'listen', '0.0.0.0', 4444, { 'evt.rawres': -98, 'evt.res': 'EADDRINUSE' })],
    ['a listen on loopback only', socket(agent, AGENT_RUN, 'listen', '127.0.0.1', 9229)],
    ['a UDP client binding port 0', socket(app, WEB_SERVER, 'bind', '0.0.0.0', 0, { 'fd.l4proto': 'udp' })],
    ['a hub-mode connect to ::1', socket(ledger, WEB_SERVER, 'connect', '::1', 8081)],
    ['a hub-mode connect to 127.0.0.1', socket(ledger, WEB_SERVER, 'connect', '127.0.0.1', 8081)],
    ['a hub-mode failed connect outside', socket(ledger, WEB_SERVER, 'connect', '203.0.113.7', 443, { 'evt.rawres': -111, 'evt.res': 'ECONNREFUSED' })],
    ['a hub-mode DNS query to NodeLocal DNSCache', socket(ledger, WEB_SERVER, 'sendto', '169.254.20.10', 53, { 'fd.l4proto': 'udp', 'fd.connected': 'false', 'fd.name_changed': 'true' })],
    ['a hub-mode TCP DNS query to NodeLocal DNSCache', socket(ledger, WEB_SERVER, 'connect', '169.254.20.10', 53)],
    ['a UDP sendto on a connected socket (its connect was checked)', socket(ledger, WEB_SERVER, 'sendto', '203.0.113.7', 53, { 'fd.l4proto': 'udp', 'fd.connected': 'true', 'fd.name_changed': 'false' })],
    ['every run of a shell exec probe', exec(nginx, PROBE, { 'proc.vpid': 31 })],
  ])('%s', (_what, event) => {
    expect(matchingRules(items, event)).toEqual([]);
  });
});

describe('each attack raises exactly its rule', () => {
  test.each<[string, FalcoEvent, string]>([
    ['kubectl debug --target=app: a shell that is not pid 1', exec(container(SHOP, 'debugger-x7k2p'), ['/bin/sh'], { 'proc.vpid': 12, ...TTY }), CONTAINER],
    ['kubectl debug without a target: pid 1 in its own namespace', exec(container(SHOP, 'debugger-q8m4z'), ['/bin/sh'], { 'proc.vpid': 1, ...TTY }), CONTAINER],
    ['a command in the debug container, after its first exec (metadata arrived late)', exec(container(SHOP, 'debugger-x7k2p'), ['/bin/cat', STATUS], { 'proc.vpid': 13 }), CONTAINER],
    ['a debug container named like the pause process is not the sandbox unless pid 1', exec(container(LEDGER, 'debugger-a1b2c'), ['/tmp/pause'], { 'proc.vpid': 9 }), CONTAINER],
    ['the app writing the status file (read-only mount: EROFS)', openat(app, WEB_SERVER, STATUS, 'O_WRONLY|O_TRUNC', -30), WRITE],
    ['a hub-mode app writing the ConfigMap volume', openat(ledger, WEB_SERVER, STATUS, 'O_RDWR', -30), WRITE],
    ['the gate creating a file in the status directory', openat(gate, AGENT_GATE, '/usr/share/latch/x', 'O_WRONLY|O_CREAT', -30), WRITE],
    ['the app truncating the status file with O_RDONLY|O_TRUNC', openat(app, WEB_SERVER, STATUS, 'O_RDONLY|O_TRUNC', -30), WRITE],
    ['the app mknod in the status directory', by(app, WEB_SERVER, { 'evt.type': 'mknod', 'evt.rawres': -30, 'evt.arg.path': '/usr/share/latch/fifo' }), WRITE],
    ['the app unlinking the status file', by(app, WEB_SERVER, { 'evt.type': 'unlinkat', 'evt.rawres': -30, 'fs.path.name': STATUS }), WRITE],
    ['kubectl exec -it -c latch-agent -- node -e', exec(agent, ['node', '-e', 'require("fs").writeFileSync(process.argv[1], "{}")'.replace(/"/g, "'")], TTY), PROCESS],
    ['kubectl exec -c latch-agent -- node -e (no terminal)', exec(agent, ['node', '-e', 'process.exit(0)']), PROCESS],
    ['that node -e writing the status file', openat(agent, ['node', '-e', 'x'], STATUS, 'O_WRONLY|O_CREAT|O_TRUNC', 3, TTY), WRITE],
    ['a shell with a terminal in the agent container writing the status file', openat(agent, ['/bin/sh'], STATUS, 'O_WRONLY', 3, TTY), WRITE],
    ['kubectl exec -it into the app with its own binary', exec(app, WEB_SERVER, TTY), PROCESS],
    ['a shell in the app', exec(app, ['/bin/sh']), PROCESS],
    ['curl in the app', exec(app, ['/usr/bin/curl', 'http://203.0.113.7']), PROCESS],
    ['a shell in the hub agent', exec(hubAgent, ['/bin/bash']), PROCESS],
    ['a shell in the probed container, not the probe', exec(nginx, ['/bin/sh']), PROCESS],
    ['a shell running another script in the probed container', exec(nginx, ['/bin/sh', '-c', 'wget -q -O- http://203.0.113.7/x']), PROCESS],
    ['wget with other arguments in the probed container', exec(nginx, ['/usr/bin/wget', 'http://203.0.113.7/x']), PROCESS],
    ['the app listening on an undeclared port', socket(app, WEB_SERVER, 'listen', '0.0.0.0', 4444), LISTEN],
    ['the agent listening at all (not loopback)', socket(agent, AGENT_RUN, 'listen', '0.0.0.0', 9229), LISTEN],
    ['the agent listening on IPv6', socket(agent, AGENT_RUN, 'listen', '::', 9229), LISTEN],
    ['a UDP server on an undeclared port', socket(app, WEB_SERVER, 'bind', '0.0.0.0', 5353, { 'fd.l4proto': 'udp' }), LISTEN],
    ['nginx on its UDP port but over TCP', socket(nginx, NGINX, 'listen', '0.0.0.0', 5353), LISTEN],
    ['a hub-mode app connecting to the Internet', socket(ledger, WEB_SERVER, 'connect', '203.0.113.7', 443), OUTBOUND],
    ['a hub-mode app connecting in progress (non-blocking)', socket(ledger, WEB_SERVER, 'connect', '203.0.113.7', 443, { 'evt.rawres': -115, 'evt.res': 'EINPROGRESS' }), OUTBOUND],
    ['a hub-mode app connecting over IPv6', socket(ledger, WEB_SERVER, 'connect', '2001:db8::7', 443), OUTBOUND],
    ['a hub-mode app connecting to an IPv4-mapped outside address', socket(ledger, WEB_SERVER, 'connect', '::ffff:203.0.113.7', 443), OUTBOUND],
    ['a hub-mode UDP sendto outside without connect', socket(ledger, WEB_SERVER, 'sendto', '198.51.100.53', 53, { 'fd.l4proto': 'udp', 'fd.connected': 'false', 'fd.name_changed': 'true' }), OUTBOUND],
    ['a hub-mode connect to the node-local DNS address on another port', socket(ledger, WEB_SERVER, 'connect', '169.254.20.10', 8080), OUTBOUND],
    ['the app started from another image', exec(container(SHOP, 'app', 'registry.example.com/evil'), WEB_SERVER, { 'proc.vpid': 1 }), IMAGE_RULE],
    ['a probe run in a container swapped to another image', exec(container(SHOP, 'latch-gate', 'docker.io/library/node'), probe(['health'])), IMAGE_RULE],
  ])('%s', (_what, event, rule) => {
    expect(matchingRules(items, event)).toEqual([rule]);
  });

  test('the same events outside the latch pods raise nothing', () => {
    const other = { 'k8s.ns.name': 'apps', 'k8s.pod.label[app.kubernetes.io/name]': 'other', 'k8s.pod.name': 'other-1' };
    expect(matchingRules(items, exec(container(other, 'debugger'), ['/bin/sh'], TTY))).toEqual([]);
    expect(matchingRules(items, socket(container(other, 'app'), WEB_SERVER, 'connect', '203.0.113.7', 443))).toEqual([]);
  });

  test('a process seen before its container metadata (no pod fields) matches no rule: Falco cannot place it', () => {
    expect(matchingRules(items, { 'evt.type': 'execve', 'evt.dir': '<', 'proc.name': 'sh', 'proc.vpid': 1, 'proc.tty': 34816, 'container.id': 'c0ffee123456' })).toEqual([]);
  });
});

describe('options of the network rules', () => {
  test('nodeLocalDnsCidrs replaces the addresses taken from the NetworkPolicies', () => {
    const explicit = rulesFor({ nodeLocalDnsCidrs: ['169.254.25.10/32'] });
    const query = (ip: string) => socket(ledger, WEB_SERVER, 'sendto', ip, 53, { 'fd.l4proto': 'udp', 'fd.connected': 'false', 'fd.name_changed': 'true' });
    expect(matchingRules(explicit, query('169.254.25.10'))).toEqual([]);
    expect(matchingRules(explicit, query('169.254.20.10'))).toEqual([OUTBOUND]);
  });

  test('IPv6 internal networks given by the user; IPv4 and IPv6 never share a list', () => {
    const v6 = rulesFor({ internalNetworks: ['10.0.0.0/16', '2001:db8:42::/48'] });
    const lists = new Map(v6.filter((i) => 'list' in i).map((i) => [i.list, i.items]));
    expect(lists.get('superlatch_internal_networks_ipv4')).toEqual(['"10.0.0.0/16"']);
    expect(lists.get('superlatch_internal_networks_ipv6')).toEqual(['"2001:db8:42::/48"', '"::ffff:10.0.0.0/112"']);
    for (const [name, values] of lists) {
      if (!/_(ipv4|ipv6)$/.test(String(name))) continue;
      expect([name, (values as string[]).every((v) => v.includes(':') === String(name).endsWith('_ipv6'))]).toEqual([name, true]);
    }
    expect(matchingRules(v6, socket(ledger, WEB_SERVER, 'connect', '2001:db8:42::9', 443))).toEqual([]);
    expect(matchingRules(v6, socket(ledger, WEB_SERVER, 'connect', '10.1.0.1', 443))).toEqual([OUTBOUND]);
  });

  test('a container with tty: true is not alerted on for its terminal, only for unexpected processes', () => {
    const { chart } = newChart('apps');
    const consoleObj = new ApiObject(chart, 'console', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'console', labels: { 'superlatch.io/latch': 'payments' } },
      spec: { containers: [{ name: 'c', image: IMAGE, command: ['/usr/local/bin/console'], tty: true, stdin: true, livenessProbe: { tcpSocket: { port: 8080 } }, readinessProbe: { httpGet: { path: '/ready', port: 8080 } } }] },
    });
    Harden.workload(consoleObj);
    coverNetwork(chart, consoleObj);
    new FalcoRules(chart, 'falco');
    const parsed = parse(find(Testing.synth(chart), 'ConfigMap').data['superlatch-rules.yaml']) as any[];
    const c = container({ 'k8s.ns.name': 'apps', 'k8s.pod.name': 'console' }, 'c', 'registry.example.com/app');
    expect(matchingRules(parsed, exec(c, ['/usr/local/bin/console'], TTY))).toEqual([]);
    expect(matchingRules(parsed, exec(c, ['/bin/sh'], TTY))).toEqual([PROCESS]);
  });

  test('an exec probe Falco cannot match exactly fails at synth with the fix', () => {
    const { chart } = newChart('apps');
    Harden.workload(new ApiObject(chart, 'quoted', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'quoted', labels: { 'superlatch.io/latch': 'payments' } },
      spec: { containers: [{ name: 'c', image: IMAGE, command: ['/app'], readinessProbe: { exec: { command: ['sh', '-c', 'test -f "/tmp/ready"'] } } }] },
    }));
    new FalcoRules(chart, 'falco');
    expect(() => Testing.synth(chart)).toThrow(/apps\/Pod\/quoted: container 'c': readinessProbe .* has a double quote, backslash or control character .* Fix: write the command on one line without them/);
  });
});
