/**
 * A relaxation recorded by the profile counts, in every pack, as the
 * acknowledgement of the rules it lifts, with the relaxation's reason.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { stringify } from 'yaml';
import {
  Harden, HardenedNamespace, HardeningProfile, HardeningProfileProps, Latch, LatchCredentials, NetworkPeer, NetworkPeerPort, Relaxation,
  RelaxationName, RuleAcknowledgements, RuleCatalog, RulePack, SuperlatchKeys, WorkloadNetworkPolicy,
} from '../../src';
import { main } from '../../src/cli/main';
import { renderRulesMarkdown } from '../../src/rules/docs';
import { parseRelaxations } from '../../src/rules/relaxations';
import { coverNetwork, find, goodContainer, IMAGE, newChart, podSpec } from '../util';

const reasonOf = (name: RelaxationName) => `accepted ${name} for the test`;
const TAG_REASON = reasonOf(RelaxationName.TAG_ONLY_IMAGES);

/** For each relaxation: the workload that needs it, so that every rule it lifts has findings. */
interface Need {
  readonly make: (reason: string) => Relaxation;
  /** Merged into the app container. */
  readonly container?: any;
  /** Pod-template annotations. */
  readonly annotations?: Record<string, string>;
  readonly profile?: HardeningProfileProps;
  /** No default-deny and no policy of its own (the traffic is governed outside the app). */
  readonly unmanagedNetwork?: boolean;
}

const NEEDS: Record<RelaxationName, Need> = {
  [RelaxationName.RUN_AS_ROOT]: { make: Relaxation.runAsRoot, container: { securityContext: { runAsUser: 0 } } },
  [RelaxationName.WRITABLE_ROOT_FILESYSTEM]: { make: Relaxation.writableRootFilesystem },
  [RelaxationName.PRIVILEGE_ESCALATION]: { make: Relaxation.privilegeEscalation },
  [RelaxationName.ADD_CAPABILITIES]: { make: (reason) => Relaxation.addCapabilities(['NET_BIND_SERVICE', 'SYS_TIME'], reason) },
  [RelaxationName.NO_SECCOMP]: { make: Relaxation.noSeccomp, container: { securityContext: { seccompProfile: { type: 'Unconfined' } } } },
  [RelaxationName.NO_APPARMOR]: { make: Relaxation.noAppArmor, annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } },
  [RelaxationName.SERVICE_ACCOUNT_TOKEN]: { make: Relaxation.serviceAccountToken },
  [RelaxationName.TAG_ONLY_IMAGES]: { make: Relaxation.tagOnlyImages, container: { image: 'nginx:1.27' } },
  [RelaxationName.PRIVILEGED_PORTS]: { make: Relaxation.privilegedPorts, container: { ports: [{ containerPort: 80 }] } },
  [RelaxationName.NO_PROBES]: { make: Relaxation.noProbes, container: { livenessProbe: undefined, readinessProbe: undefined } },
  [RelaxationName.LOW_IDS]: { make: Relaxation.lowIds, profile: { user: 1000, group: 1000, fsGroup: 1000 } },
  [RelaxationName.SECRETS_IN_ENV]: { make: Relaxation.secretsInEnv, container: { env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] } },
  [RelaxationName.NO_NETWORK_POLICY]: { make: Relaxation.noNetworkPolicy, unmanagedNetwork: true },
};

/** The relaxation `name`, with its test reason. */
const relaxation = (name: RelaxationName) => NEEDS[name].make(reasonOf(name));

/** The synthesized chart of a workload that needs `name`, hardened with it. */
const synthRelaxed = (name: RelaxationName) => Testing.synth(relaxedChart(NEEDS[name], [relaxation(name)]).chart);

/** The rules each relaxation lifts: pinned, so that a change shows up in review. */
const MAPPING: Record<RelaxationName, string[]> = {
  [RelaxationName.RUN_AS_ROOT]: ['SL-PSS-14', 'SL-PSS-15', 'SL-HARD-1', 'SL-HARD-2', 'SL-HARD-24'],
  [RelaxationName.WRITABLE_ROOT_FILESYSTEM]: ['SL-HARD-5'],
  [RelaxationName.PRIVILEGE_ESCALATION]: ['SL-PSS-13'],
  [RelaxationName.ADD_CAPABILITIES]: ['SL-PSS-3', 'SL-PSS-17', 'SL-HARD-6'],
  [RelaxationName.NO_SECCOMP]: ['SL-PSS-9', 'SL-PSS-16', 'SL-HARD-3'],
  [RelaxationName.NO_APPARMOR]: ['SL-PSS-6', 'SL-HARD-16'],
  [RelaxationName.SERVICE_ACCOUNT_TOKEN]: ['SL-HARD-10', 'SL-HARD-12'],
  [RelaxationName.TAG_ONLY_IMAGES]: ['SL-HARD-15'],
  [RelaxationName.PRIVILEGED_PORTS]: ['SL-HARD-9'],
  [RelaxationName.NO_PROBES]: ['SL-HARD-14'],
  [RelaxationName.LOW_IDS]: ['SL-HARD-2', 'SL-HARD-25'],
  [RelaxationName.SECRETS_IN_ENV]: ['SL-HARD-21'],
  [RelaxationName.NO_NETWORK_POLICY]: ['SL-NET-1', 'SL-NET-2'],
};

const liftedBy = (name: RelaxationName) => RuleCatalog.all().filter((r) => r.relaxedBy.includes(name)).map((r) => r.id);

/** A namespace, one Deployment `w` hardened with `relaxations`, and its policy: nothing else for the packs to find. */
function relaxedChart(need: Omit<Need, 'make'>, relaxations: Relaxation[]) {
  const { app, chart } = newChart();
  new HardenedNamespace(chart, 'ns', { name: 'apps', networkBaseline: !need.unmanagedNetwork });
  const labels = { 'app.kubernetes.io/name': 'w' };
  const w = new ApiObject(chart, 'w', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'w' },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: need.annotations },
        spec: {
          containers: [{
            name: 'app',
            image: IMAGE,
            ports: [{ containerPort: 8080 }],
            livenessProbe: { tcpSocket: { port: 8080 } },
            readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
            ...need.container,
          }],
        },
      },
    },
  });
  Harden.workload(w, { profile: HardeningProfile.restricted({ ...need.profile, relaxations }) });
  if (!need.unmanagedNetwork) new WorkloadNetworkPolicy(chart, 'policy', { workload: w, ingress: [{ peer: NetworkPeer.namespace('ingress-nginx'), ports: [NetworkPeerPort.tcp(8080)] }] });
  return { app, chart };
}

const evaluateAll = (manifests: any[]) => RulePack.names().map((n) => RulePack.fromName(n).evaluate(manifests));

describe('the relaxation -> rule mapping', () => {
  test('each rule names the relaxations that lift it; the mapping is pinned', () => {
    for (const name of Object.values(RelaxationName)) {
      expect([name, liftedBy(name)]).toEqual([name, MAPPING[name]]);
    }
  });

  test.each(Object.values(RelaxationName))('%s: hardened with it, every pack acknowledges each rule it lifts with its reason, and nothing else fails', (name) => {
    const reports = evaluateAll(synthRelaxed(name));
    for (const report of reports) {
      expect([report.packName, report.errors]).toEqual([report.packName, []]);
      for (const f of report.findings.filter((x) => MAPPING[name].includes(x.ruleId))) {
        expect(f).toMatchObject({ acknowledged: true, relaxation: name, acknowledgedReason: reasonOf(name) });
      }
    }
    // every rule it lifts had a finding to lift, in some pack; but the ServiceAccount the profile
    // derives keeps automountServiceAccountToken: false even when relaxed (the pod mounts the
    // token), so SL-HARD-12 has nothing to lift there (see the ServiceAccount test below)
    const acknowledged = new Set(reports.flatMap((r) => r.acknowledged.map((f) => f.ruleId)));
    const lifted = MAPPING[name].filter((id) => !(name === RelaxationName.SERVICE_ACCOUNT_TOKEN && id === 'SL-HARD-12'));
    expect([...acknowledged].sort()).toEqual([...lifted].sort());
  });

  test('without the relaxation in the trace, the same findings are errors again', () => {
    const out = synthRelaxed(RelaxationName.PRIVILEGE_ESCALATION);
    delete find(out, 'Deployment', 'w').metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION];
    expect(RulePack.pssRestricted().evaluate(out).errors.map((f) => f.ruleId)).toEqual(['SL-PSS-13']);
  });
});

describe('a tag-only image with Relaxation.tagOnlyImages', () => {
  const tagOnly = () => relaxedChart(NEEDS[RelaxationName.TAG_ONLY_IMAGES], [relaxation(RelaxationName.TAG_ONLY_IMAGES)]);

  test('synthesizes with the restricted pack attached; SL-HARD-15 is acknowledged with the relaxation\'s reason', () => {
    const { chart } = tagOnly();
    const validation = RulePack.restricted().attachTo(chart);
    const out = Testing.synth(chart);
    expect(validation.report!.acknowledged).toEqual([expect.objectContaining({
      ruleId: 'SL-HARD-15', path: 'spec.template.spec.containers[0].image', relaxation: RelaxationName.TAG_ONLY_IMAGES, acknowledgedReason: TAG_REASON,
    })]);
    // the trace already says it: no second acknowledgement is written
    expect(find(out, 'Deployment', 'w').metadata.annotations[SuperlatchKeys.SUPPRESSIONS_ANNOTATION]).toBeUndefined();
  });

  test('reports show it as acknowledged by the relaxation, in text and JSON', () => {
    const report = RulePack.restricted().evaluate(Testing.synth(tagOnly().chart));
    expect(report.toText()).toContain(`SL-HARD-15   Deployment/apps/w  spec.template.spec.containers[0].image  container 'app' image 'nginx:1.27' is not pinned by a sha256 or sha512 digest; pin it as 'nginx:1.27@sha256:<64 hex digits>' or 'nginx:1.27@sha512:<128 hex digits>' [acknowledged by relaxation tag-only-images: ${TAG_REASON}]`);
    expect(report.toJson().findings[0]).toMatchObject({ ruleId: 'SL-HARD-15', acknowledged: true, acknowledgedReason: TAG_REASON, relaxation: 'tag-only-images' });
    expect(report.summary()).toBe('restricted: 0 error(s), 0 warning(s), 1 acknowledged');
  });

  test('an acknowledgement of the same rule wins, with its own reason', () => {
    const { chart } = tagOnly();
    RuleAcknowledgements.acknowledgeRule(chart, 'SL-HARD-15', 'mirror pins the digest for us');
    const validation = RulePack.restricted().attachTo(chart);
    Testing.synth(chart);
    const [f] = validation.report!.acknowledged;
    expect([f.acknowledgedReason, f.relaxation]).toEqual(['mirror pins the digest for us', undefined]);
  });
});

describe('what a relaxation does not cover', () => {
  test('the latch\'s strict containers: a tag-only agent image stays an error, the relaxed app image is acknowledged', () => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer({ image: 'nginx:1.27' })] });
    Harden.workload(web, { profile: HardeningProfile.restricted({ relaxations: [relaxation(RelaxationName.TAG_ONLY_IMAGES)] }) });
    coverNetwork(chart, web);
    new Latch(chart, 'latch', { credentials: LatchCredentials.fromSecret('latch-credentials'), api: { cidrs: ['203.0.113.0/24'] }, image: IMAGE }).guard(web);
    const out = Testing.synth(chart);
    const deployment = find(out, 'Deployment', 'web');
    const containers = podSpec(deployment).containers;
    const agent = containers.findIndex((c: any) => c.name === 'latch-agent');
    expect(deployment.spec.template.metadata.annotations[SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION]).toContain('latch-agent');
    containers[agent].image = 'registry.example.com/latch-agent:1.0'; // edited after synthesis

    const digest = RulePack.restricted().evaluate(out).findings.filter((f) => f.ruleId === 'SL-HARD-15');
    expect(digest).toHaveLength(2);
    expect(digest).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: `spec.template.spec.containers[${1 - agent}].image`, acknowledged: true, relaxation: RelaxationName.TAG_ONLY_IMAGES }),
      expect.objectContaining({ path: `spec.template.spec.containers[${agent}].image`, acknowledged: false }),
    ]));
  });

  test('add-capabilities lifts only the capabilities it names', () => {
    const out = Testing.synth(relaxedChart({}, [Relaxation.addCapabilities(['SYS_TIME'], reasonOf(RelaxationName.ADD_CAPABILITIES))]).chart);
    podSpec(find(out, 'Deployment', 'w')).containers[0].securityContext.capabilities.add.push('SYS_ADMIN'); // edited after synthesis
    const report = RulePack.restricted().evaluate(out);
    expect(report.findings.map((f) => [f.ruleId, f.path.replace(/^.*capabilities\./, ''), f.acknowledged])).toEqual([
      ['SL-PSS-17', 'add[0]', true],
      ['SL-PSS-17', 'add[1]', false],
      ['SL-HARD-6', 'add', false],
    ]);
  });

  test('a ServiceAccount that a workload without the relaxation also uses', () => {
    const out = synthRelaxed(RelaxationName.SERVICE_ACCOUNT_TOKEN);
    // an account that mounts its token itself (as a user's own ServiceAccount may)
    find(out, 'ServiceAccount', 'w').automountServiceAccountToken = true;
    const other = JSON.parse(JSON.stringify(find(out, 'Deployment', 'w')));
    other.metadata = { name: 'other', namespace: 'apps' };
    const findings = (set: any[]) => RulePack.restricted().evaluate(set).findings.filter((f) => f.ruleId === 'SL-HARD-12').map((f) => f.acknowledged);
    expect(findings(out)).toEqual([true]);
    expect(findings([...out, other])).toEqual([false]);
    // ...unless the account itself records the relaxation
    find(out, 'ServiceAccount', 'w').metadata.annotations = { [SuperlatchKeys.RELAXATIONS_ANNOTATION]: relaxation(RelaxationName.SERVICE_ACCOUNT_TOKEN).toString() };
    expect(findings([...out, other])).toEqual([true]);
  });

  test('a relaxation the rule does not name', () => {
    const out = synthRelaxed(RelaxationName.TAG_ONLY_IMAGES);
    find(out, 'Deployment', 'w').metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION] = Relaxation.noProbes(reasonOf(RelaxationName.NO_PROBES)).toString();
    expect(RulePack.restricted().evaluate(out).errors.map((f) => f.ruleId)).toEqual(['SL-HARD-15']);
  });
});

describe('the relaxations annotation', () => {
  test('parses back every relaxation the profile writes', () => {
    for (const r of Object.values(RelaxationName).map(relaxation)) {
      expect(parseRelaxations(r.toString(), 'here')).toEqual([{ name: r.name, reason: r.reason, capabilities: r.capabilities }]);
    }
  });

  test('a malformed entry, an unknown name or a short reason is refused, naming the object', () => {
    expect(() => parseRelaxations('tag-only-images', 'Deployment apps/w')).toThrow(/^Deployment apps\/w: annotation superlatch.io\/relaxations has a malformed entry 'tag-only-images'/);
    expect(() => parseRelaxations('no-limits: we like it that way', 'here')).toThrow(/malformed entry 'no-limits: we like it that way'; write one 'name: reason' per line, with a name from RelaxationName \(run-as-root, /);
    expect(() => parseRelaxations('tag-only-images: short', 'here')).toThrow(/relaxation 'tag-only-images' .* needs a reason of at least 10 characters \(got 'short'\)/);
  });
});

describe('superlatch audit on YAML', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-relaxations-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function audit(objects: any[]) {
    const file = path.join(dir, 'app.yaml');
    fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    const out: string[] = [];
    const err: string[] = [];
    const code = main(['audit', file], { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  const synthesized = () => synthRelaxed(RelaxationName.TAG_ONLY_IMAGES);

  test('honours the relaxations annotation and shows the finding as acknowledged by it', () => {
    const r = audit(synthesized());
    expect(r.code).toBe(0);
    expect(r.out).toContain(`SL-HARD-15   Deployment/apps/w  spec.template.spec.containers[0].image  container 'app' image 'nginx:1.27' is not pinned by a sha256 or sha512 digest; pin it as 'nginx:1.27@sha256:<64 hex digits>' or 'nginx:1.27@sha512:<128 hex digits>' [acknowledged by relaxation tag-only-images: ${TAG_REASON}]`);
    expect(r.out).toMatch(/restricted: 0 error\(s\), 0 warning\(s\), 1 acknowledged$/);
  });

  test('a hand-written annotation is honoured too, and never silently: remove it and the error is back', () => {
    const out = synthesized();
    const w = find(out, 'Deployment', 'w');
    w.metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION] = 'tag-only-images: added by hand after review';
    expect(audit(out).out).toContain('[acknowledged by relaxation tag-only-images: added by hand after review]');
    delete w.metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION];
    expect(audit(out).code).toBe(1);
  });

  test('a malformed annotation is bad input, named by file and line', () => {
    const out = synthesized();
    find(out, 'Deployment', 'w').metadata.annotations[SuperlatchKeys.RELAXATIONS_ANNOTATION] = 'tag-only: reason long enough';
    const r = audit(out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/app\.yaml:\d+ \(Deployment apps\/w\): annotation superlatch.io\/relaxations has a malformed entry 'tag-only: reason long enough'/);
  });
});

describe('docs/RULES.md', () => {
  const md = renderRulesMarkdown();
  const section = (id: string) => md.slice(md.indexOf(`\n## ${id}\n`), md.indexOf('\n## ', md.indexOf(`\n## ${id}\n`) + 1));

  test('lists the relaxation that lifts each rule, by its factory', () => {
    expect(section('SL-HARD-15')).toContain('- Lifted by: `Relaxation.tagOnlyImages`');
    expect(section('SL-HARD-2')).toContain('- Lifted by: `Relaxation.lowIds`, `Relaxation.runAsRoot`');
    expect(section('SL-HARD-16')).toContain('- Lifted by: `Relaxation.noAppArmor`');
    expect(section('SL-HARD-13')).not.toContain('Lifted by');
  });

  test('says that a relaxed PSS rule is still refused at admission', () => {
    expect(section('SL-PSS-14')).toContain('Pod Security Admission rejects it in a namespace that enforces `restricted`');
    expect(section('SL-PSS-3')).toContain('Pod Security Admission rejects it in a namespace that enforces `baseline`');
    expect(section('SL-HARD-15')).not.toContain('Pod Security Admission');
  });
});
