import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, HardenedNamespace, NamespaceNetworkBaseline, NetworkPeer, NetworkPeerPort, WorkloadNetworkPolicy } from '../../src';
import { coverNetwork, find, goodContainer, newChart } from '../util';

const KUBE_DNS = {
  to: [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

describe('NamespaceNetworkBaseline', () => {
  test('default-deny selects every pod for Ingress and Egress', () => {
    const { chart } = newChart();
    new NamespaceNetworkBaseline(chart, 'net');
    const deny = find(Testing.synth(chart), 'NetworkPolicy', 'default-deny');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(deny.metadata.namespace).toBe('apps');
  });

  test('allow-dns lets every pod reach kube-dns on UDP and TCP 53, and nothing else', () => {
    const { chart } = newChart();
    new NamespaceNetworkBaseline(chart, 'net');
    const dns = find(Testing.synth(chart), 'NetworkPolicy', 'allow-dns');
    expect(dns.spec).toEqual({ podSelector: {}, policyTypes: ['Egress'], egress: [KUBE_DNS] });
  });

  test('a node-local DNS cache is allowed as an ipBlock on port 53', () => {
    const { chart } = newChart();
    new NamespaceNetworkBaseline(chart, 'net', { dns: { nodeLocalDnsCidr: '169.254.20.10/32' } });
    const dns = find(Testing.synth(chart), 'NetworkPolicy', 'allow-dns');
    expect(dns.spec.egress[1]).toEqual({ to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: KUBE_DNS.ports });
  });

  test('an invalid node-local DNS CIDR fails with the construct path, the field and the fix', () => {
    const { chart } = newChart();
    expect(() => new NamespaceNetworkBaseline(chart, 'net', { dns: { nodeLocalDnsCidr: '169.254.20.10/33' } }))
      .toThrow("[test/net]: dns.nodeLocalDnsCidr '169.254.20.10/33' has prefix /33, longer than the 32-bit address. Fix: write a network block");
  });
});

describe('WorkloadNetworkPolicy', () => {
  const setup = () => {
    const { app, chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    Harden.workload(web, { component: 'frontend' });
    coverNetwork(chart);
    return { app, chart, web };
  };

  test('selects the workload by matchLabels on its instance label and covers Ingress and Egress, with a readable name', () => {
    const { chart, web } = setup();
    new WorkloadNetworkPolicy(chart, 'policy', { workload: web });
    const p = find(Testing.synth(chart), 'NetworkPolicy', 'web-frontend');
    expect(p.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'web-frontend' } });
    expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(p.spec.ingress).toBeUndefined();
    expect(p.spec.egress).toEqual([KUBE_DNS]);
  });

  test('typed ingress from peers and egress to CIDRs on ports', () => {
    const { chart, web } = setup();
    const api = new kplus.Deployment(chart, 'api', { metadata: { name: 'api' }, containers: [goodContainer()] });
    Harden.workload(api);
    coverNetwork(chart, api);
    const policy = new WorkloadNetworkPolicy(chart, 'policy', {
      workload: web,
      allowDns: false,
      ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(8080)] }],
    });
    policy.allowEgressTo(NetworkPeer.cidr('203.0.113.0/24'), NetworkPeerPort.tcp(443));
    policy.allowEgressTo(NetworkPeer.workload(api), NetworkPeerPort.tcpRange(9000, 9100));
    const p = find(Testing.synth(chart), 'NetworkPolicy', 'web-frontend');
    expect(p.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(p.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'api' } } }], ports: [{ protocol: 'TCP', port: 9000, endPort: 9100 }] },
    ]);
  });

  test('NetworkPeer.workload() in the policy\'s namespace is a bare podSelector, in another one it also selects that namespace', () => {
    // GIVEN web in namespace apps, a peer in apps and a peer in another chart's namespace 'data'
    const { app, chart, web } = setup();
    const local = new kplus.Deployment(chart, 'cache', { containers: [goodContainer()] });
    const db = new kplus.Deployment(new Chart(app, 'data', { namespace: 'data', disableResourceNameHashes: true }), 'db', { containers: [goodContainer()] });
    Harden.workload(local);
    Harden.workload(db);
    coverNetwork(chart, local);
    coverNetwork(Chart.of(db), db);
    // WHEN web's policy allows egress to both and ingress from db
    new WorkloadNetworkPolicy(chart, 'policy', {
      workload: web,
      allowDns: false,
      ingress: [{ peer: NetworkPeer.workload(db) }],
      egress: [{ peer: NetworkPeer.workload(local) }, { peer: NetworkPeer.workload(db) }],
    });
    // THEN the local peer selects pods only, the remote one pods of namespace 'data'
    const p = find(Testing.synth(chart), 'NetworkPolicy', 'web-frontend');
    const inData = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'db' } } };
    expect(p.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'cache' } } }] },
      { to: [inData] },
    ]);
    expect(p.spec.ingress).toEqual([{ from: [inData] }]);
  });

  test('NetworkPeer.workload() compares with the policy\'s own namespace when the policy sets one', () => {
    // GIVEN web in apps, and a policy for it placed in namespace 'data' (where db also is)
    const { app, chart, web } = setup();
    const db = new kplus.Deployment(new Chart(app, 'data', { namespace: 'data', disableResourceNameHashes: true }), 'db', { containers: [goodContainer()] });
    Harden.workload(db);
    coverNetwork(Chart.of(db), db);
    new WorkloadNetworkPolicy(chart, 'policy', { workload: web, namespace: 'data', allowDns: false, egress: [{ peer: NetworkPeer.workload(db) }] });
    // (a policy in 'data' does not select web's pods in 'apps': web needs one there too)
    new WorkloadNetworkPolicy(chart, 'own-policy', { workload: web, name: 'web-frontend-own' });
    // THEN db is in the policy's namespace: a bare podSelector
    const p = find(Testing.synth(chart), 'NetworkPolicy', 'web-frontend');
    expect(p.spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'db' } } }] }]);
  });

  test.each([
    ['10.0.0.0/33', 'has prefix /33'],
    ['10.0.0.1/8', 'has host bits set after /8'],
    ['300.0.0.0/8', "has an invalid address '300.0.0.0'"],
    ['example.com', 'is not a CIDR'],
    ['2001:db8::1/32', 'has host bits set after /32'],
  ])('invalid CIDR %s is refused with the field and the fix', (cidr, problem) => {
    expect(() => NetworkPeer.cidr(cidr)).toThrow(new RegExp(`NetworkPeer.cidr: cidr '${cidr.replace(/[./]/g, '\\$&')}' ${problem}.*Fix:`));
  });

  test.each(['10.0.0.0/8', '0.0.0.0/0', '198.51.100.7/32', '2001:db8::/32', '::/0'])('valid CIDR %s is accepted', (cidr) => {
    expect(() => NetworkPeer.cidr(cidr)).not.toThrow();
  });

  test('a policy name over 63 characters is refused', () => {
    const { chart, web } = setup();
    expect(() => new WorkloadNetworkPolicy(chart, 'policy', { workload: web, name: 'p'.repeat(64) }))
      .toThrow(/\[test\/policy\]: name 'p{64}' is 64 characters; .*limited to 63\. Fix: choose a shorter name/);
  });

  test('a policy created before Harden.workload() renamed the workload follows the final identity', () => {
    const policyOf = (policyFirst: boolean) => {
      const { chart } = newChart();
      coverNetwork(chart);
      const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
      const policy = policyFirst ? new WorkloadNetworkPolicy(chart, 'policy', { workload: web }) : undefined;
      Harden.workload(web, { name: 'site' });
      const name = (policy ?? new WorkloadNetworkPolicy(chart, 'policy', { workload: web })).policyName;
      return { name, manifest: find(Testing.synth(chart), 'NetworkPolicy', 'site') };
    };
    const before = policyOf(true);
    expect(before.name).toBe('site');
    expect(before.manifest.metadata.name).toBe('site');
    expect(before.manifest.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'site' } });
    expect(before).toEqual(policyOf(false));
  });
});

describe('HardenedNamespace', () => {
  test('pins Pod Security Admission restricted v1.27 for enforce, audit and warn, and has no namespace itself', () => {
    const { chart } = newChart('team');
    new HardenedNamespace(chart, 'ns', { name: 'team' });
    const out = Testing.synth(chart);
    const ns = find(out, 'Namespace', 'team');
    expect(ns.metadata.namespace).toBeUndefined();
    for (const mode of ['enforce', 'audit', 'warn']) {
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}-version`]).toBe('v1.27');
    }
    expect(find(out, 'NetworkPolicy', 'default-deny').metadata.namespace).toBe('team');
  });

  test('refuses a name that is not a DNS label', () => {
    const { chart } = newChart();
    expect(() => new HardenedNamespace(chart, 'ns', { name: 'Team_A' })).toThrow(/name 'Team_A' is not a valid DNS label.*Fix: rename it, e.g. 'team-a'/);
  });
});
