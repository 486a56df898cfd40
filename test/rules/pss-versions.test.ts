import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { Rule, RuleContext, RulePack, RuleResult, RuleSeverity, RuleStatus, SecurityTesting, SuperlatchValidation } from '../../src/rules';
import { evaluate } from '../../src/rules/engine';
import { KubernetesTarget, KubernetesVersion } from '../../src/target/kubernetes-version';

/**
 * The Pod Security Standards rules follow the checks of the policy version an
 * object is judged at: each behaviour change of pod-security-admission between
 * v1.27 and v1.36 is asserted at its boundary (the last version without it and
 * the first with it), then through every entry point that chooses the version.
 */
const V = KubernetesVersion;

/** A bare Pod that passes PSS baseline at every version. */
function baselinePod(): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'pod', namespace: 'shop' },
    spec: {
      initContainers: [{ name: 'init', image: 'registry.k8s.io/pause' }],
      containers: [{ name: 'app', image: 'registry.k8s.io/pause', securityContext: {} }],
    },
  };
}

/** A bare Pod that passes PSS restricted at every version. */
function restrictedPod(): any {
  const pod = baselinePod();
  const sc = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  pod.spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  pod.spec.initContainers[0].securityContext = sc();
  pod.spec.containers[0].securityContext = sc();
  return pod;
}

const app = (pod: any) => pod.spec.containers[0];

/** The rules with error findings when `pack` judges `pod` at `version`. */
function failing(pack: RulePack, pod: any, version: KubernetesVersion): string[] {
  return [...new Set(pack.evaluate([pod], { kubernetesVersion: version }).errors.map((f) => f.ruleId))];
}

interface Boundary {
  readonly pack: () => RulePack;
  /** A pod whose verdict changes at `first`. */
  readonly pod: () => any;
  /** The last version before the change, and the failing rules there. */
  readonly before: [KubernetesVersion, string[]];
  /** The first version with the change, and the failing rules there. */
  readonly after: [KubernetesVersion, string[]];
}

const BOUNDARIES: { [change: string]: Boundary } = {
  'sysctls: net.ipv4.tcp_keepalive_time is safe from v1.29': {
    pack: RulePack.baseline,
    pod: () => { const p = baselinePod(); p.spec.securityContext = { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '600' }] }; return p; },
    before: [V.V1_28, ['SL-PSS-10']],
    after: [V.V1_29, []],
  },
  'sysctls: net.ipv4.tcp_fin_timeout, tcp_keepalive_intvl and tcp_keepalive_probes are safe from v1.29': {
    pack: RulePack.baseline,
    pod: () => {
      const p = baselinePod();
      p.spec.securityContext = { sysctls: ['tcp_fin_timeout', 'tcp_keepalive_intvl', 'tcp_keepalive_probes'].map((s) => ({ name: `net.ipv4.${s}`, value: '9' })) };
      return p;
    },
    before: [V.V1_28, ['SL-PSS-10']],
    after: [V.V1_29, []],
  },
  'sysctls: net.ipv4.tcp_rmem and tcp_wmem are safe from v1.32': {
    pack: RulePack.baseline,
    pod: () => { const p = baselinePod(); p.spec.securityContext = { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }, { name: 'net.ipv4.tcp_wmem', value: '4096 16384 4194304' }] }; return p; },
    before: [V.V1_31, ['SL-PSS-10']],
    after: [V.V1_32, []],
  },
  'sysctls: a node-wide sysctl stays forbidden at v1.36': {
    pack: RulePack.baseline,
    pod: () => { const p = baselinePod(); p.spec.securityContext = { sysctls: [{ name: 'net.ipv4.tcp_slow_start_after_idle', value: '0' }] }; return p; },
    before: [V.V1_27, ['SL-PSS-10']],
    after: [V.V1_36, ['SL-PSS-10']],
  },
  'seLinuxOptions: the type container_engine_t is allowed from v1.31': {
    pack: RulePack.baseline,
    pod: () => { const p = baselinePod(); app(p).securityContext.seLinuxOptions = { type: 'container_engine_t' }; return p; },
    before: [V.V1_30, ['SL-PSS-7']],
    after: [V.V1_31, []],
  },
  'hostProbesAndHostLifecycle: a probe host fails from v1.34 (SL-PSS-18)': {
    pack: RulePack.baseline,
    pod: () => { const p = baselinePod(); app(p).livenessProbe = { tcpSocket: { host: '10.0.0.1', port: 8080 } }; return p; },
    before: [V.V1_33, []],
    after: [V.V1_34, ['SL-PSS-18']],
  },
  'hostProbesAndHostLifecycle: a lifecycle hook host fails from v1.34, at restricted too': {
    pack: RulePack.pssRestricted,
    pod: () => { const p = restrictedPod(); app(p).lifecycle = { preStop: { httpGet: { host: 'metadata.internal', port: 80 } } }; return p; },
    before: [V.V1_33, []],
    after: [V.V1_34, ['SL-PSS-18']],
  },
  'procMount (baseline): a user-namespaced pod may unmask /proc from v1.35': {
    pack: RulePack.baseline,
    pod: () => { const p = baselinePod(); p.spec.hostUsers = false; app(p).securityContext.procMount = 'Unmasked'; return p; },
    before: [V.V1_34, ['SL-PSS-8']],
    after: [V.V1_35, []],
  },
  'procMount (baseline): a pod in the host user namespace still may not, at v1.35': {
    pack: RulePack.baseline,
    pod: () => { const p = baselinePod(); p.spec.hostUsers = true; app(p).securityContext.procMount = 'Unmasked'; return p; },
    before: [V.V1_34, ['SL-PSS-8']],
    after: [V.V1_35, ['SL-PSS-8']],
  },
  'procMount_restricted: from v1.35 SL-PSS-19 replaces SL-PSS-8 at restricted, without the exemption': {
    pack: RulePack.pssRestricted,
    pod: () => { const p = restrictedPod(); p.spec.hostUsers = false; app(p).securityContext.procMount = 'Unmasked'; return p; },
    before: [V.V1_34, ['SL-PSS-8']],
    after: [V.V1_35, ['SL-PSS-19']],
  },
  'procMount_restricted: a pod in the host user namespace fails SL-PSS-19 alone from v1.35': {
    pack: RulePack.pssRestricted,
    pod: () => { const p = restrictedPod(); app(p).securityContext.procMount = 'Unmasked'; return p; },
    before: [V.V1_34, ['SL-PSS-8']],
    after: [V.V1_35, ['SL-PSS-19']],
  },
  'runAsNonRoot: a user-namespaced pod may run as root from v1.35': {
    pack: RulePack.pssRestricted,
    pod: () => { const p = restrictedPod(); p.spec.hostUsers = false; p.spec.securityContext.runAsNonRoot = false; return p; },
    before: [V.V1_34, ['SL-PSS-14']],
    after: [V.V1_35, []],
  },
  'runAsUser: a user-namespaced pod may set runAsUser 0 from v1.35': {
    pack: RulePack.pssRestricted,
    pod: () => { const p = restrictedPod(); p.spec.hostUsers = false; app(p).securityContext.runAsUser = 0; return p; },
    before: [V.V1_34, ['SL-PSS-15']],
    after: [V.V1_35, []],
  },
  'runAsUser: hostUsers unset is not a user namespace, at v1.35 either': {
    pack: RulePack.pssRestricted,
    pod: () => { const p = restrictedPod(); app(p).securityContext.runAsUser = 0; return p; },
    before: [V.V1_34, ['SL-PSS-15']],
    after: [V.V1_35, ['SL-PSS-15']],
  },
  'appArmorProfile: the field form is checked at every version (upstream has one variant)': {
    pack: RulePack.baseline,
    pod: () => { const p = baselinePod(); app(p).securityContext.appArmorProfile = { type: 'Unconfined' }; return p; },
    before: [V.V1_27, ['SL-PSS-6']],
    after: [V.V1_36, ['SL-PSS-6']],
  },
};

describe.each(Object.entries(BOUNDARIES))('%s', (_change, b) => {
  test(`${b.before[0].name}: ${b.before[1].join(', ') || 'allowed'}; ${b.after[0].name}: ${b.after[1].join(', ') || 'allowed'}`, () => {
    // GIVEN the pod  WHEN the pack judges it at the last version before the change, then at the first with it
    // THEN the verdicts are upstream's
    expect(failing(b.pack(), b.pod(), b.before[0])).toEqual(b.before[1]);
    expect(failing(b.pack(), b.pod(), b.after[0])).toEqual(b.after[1]);
  });
});

describe('rule outcomes at a version', () => {
  const outcome = (pack: RulePack, manifests: any[], version: KubernetesVersion, id: string) =>
    pack.evaluate(manifests, { kubernetesVersion: version }).outcomes.find((o) => o.ruleId === id)!.status;

  test('a rule that starts at a version is not applicable to older objects (the 1.27 default included)', () => {
    expect(outcome(RulePack.baseline(), [baselinePod()], V.V1_33, 'SL-PSS-18')).toBe(RuleStatus.NOT_APPLICABLE);
    expect(outcome(RulePack.baseline(), [baselinePod()], V.V1_34, 'SL-PSS-18')).toBe(RuleStatus.COMPLIANT);
    expect(RulePack.pssRestricted().evaluate([restrictedPod()]).outcomes.find((o) => o.ruleId === 'SL-PSS-19')!.status).toBe(RuleStatus.NOT_APPLICABLE);
  });

  test('in a restricted pack, the replaced SL-PSS-8 is not applicable where SL-PSS-19 judges every pod', () => {
    expect(outcome(RulePack.pssRestricted(), [restrictedPod()], V.V1_35, 'SL-PSS-8')).toBe(RuleStatus.NOT_APPLICABLE);
    expect(outcome(RulePack.pssRestricted(), [restrictedPod()], V.V1_35, 'SL-PSS-19')).toBe(RuleStatus.COMPLIANT);
    // in the baseline pack nothing replaces it
    expect(outcome(RulePack.baseline(), [baselinePod()], V.V1_35, 'SL-PSS-8')).toBe(RuleStatus.COMPLIANT);
  });

  test('objects of one evaluation are judged each at its own version', () => {
    // GIVEN two copies of a pod with a probe host, the first at 1.33, the second at 1.34
    const pod = (name: string) => { const p = baselinePod(); p.metadata.name = name; app(p).readinessProbe = { httpGet: { host: 'bad.host', port: 80 } }; return p; };
    const report = evaluate('baseline', RulePack.baseline().rules, [pod('old'), pod('new')], { versions: [V.V1_33, V.V1_34] });
    // THEN only the second one fails the 1.34 check
    expect(report.errors.map((f) => `${f.ruleId} ${f.name}`)).toEqual(['SL-PSS-18 new']);
  });

  test('a custom rule reads the version of each object from its context', () => {
    class NewerThan130 extends Rule {
      constructor() {
        super({ id: 'ACME-VER-1', title: 'Objects target 1.30 or newer', severity: RuleSeverity.ERROR, rationale: 'r', remediation: 'f' });
      }
      public check(manifests: any[], context?: RuleContext): RuleResult {
        const old = manifests.map((_m, i) => i).filter((i) => !context!.versionOf(i).isAtLeast(V.V1_30));
        return old.length ? RuleResult.nonCompliant(old.map((i) => ({ objectIndex: i, path: '', message: `targets ${context!.versionOf(i).name}` }))) : RuleResult.compliant();
      }
    }
    const pack = RulePack.custom('acme-versions', [new NewerThan130()]);
    expect(pack.evaluate([baselinePod()]).errors.map((f) => f.message)).toEqual(['targets v1.27']);
    expect(pack.evaluate([baselinePod()], { kubernetesVersion: V.V1_30 }).errors).toEqual([]);
    expect(RuleContext.perObject([V.V1_31]).versionOf(0)).toBe(V.V1_31);
    expect(RuleContext.perObject([V.V1_31]).versionOf(1)).toBe(V.DEFAULT);
  });
});

describe('entry points that choose the version', () => {
  const probeHost = () => { const p = baselinePod(); app(p).startupProbe = { httpGet: { host: 'bad.host', port: 80 } }; return p; };

  test('SecurityTesting.assertManifestsCompliant judges at its kubernetesVersion option', () => {
    expect(() => SecurityTesting.assertManifestsCompliant([probeHost()], RulePack.baseline())).not.toThrow();
    expect(() => SecurityTesting.assertManifestsCompliant([probeHost()], RulePack.baseline(), { kubernetesVersion: V.V1_34 }))
      .toThrow(/\[SL-PSS-18\].*startupProbe\.httpGet\.host: startupProbe of container 'app' connects to host 'bad\.host'/);
  });

  describe('synthesis: each ApiObject at the KubernetesTarget of its chart', () => {
    let warn: jest.SpyInstance;
    beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => {}); });
    afterEach(() => warn.mockRestore());

    function twoCharts() {
      const a = Testing.app();
      for (const [id, version] of [['old', V.V1_33], ['new', V.V1_34]] as const) {
        const chart = new Chart(a, id);
        KubernetesTarget.set(chart, version);
        new ApiObject(chart, 'pod', probeHost());
      }
      return a;
    }

    test('an attached pack fails synthesis on the chart whose target has the check', () => {
      const a = twoCharts();
      const validation = RulePack.baseline().attachTo(a);
      expect(() => a.synth()).toThrow(/\[new\/pod\] \[SL-PSS-18\]/);
      expect(validation.report!.errors.map((f) => `${f.ruleId} ${f.constructPath}`)).toEqual(['SL-PSS-18 new/pod']);
    });

    test('SecurityTesting.assertCompliant reads the targets too', () => {
      expect(() => SecurityTesting.assertCompliant(twoCharts(), RulePack.baseline())).toThrow(/1 error\(s\)[\s\S]*\[SL-PSS-18\] new\/pod /);
    });
  });

  describe('the cdk8s-cli plugin: the kubernetesVersion property', () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'superlatch-pss-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function status(props: { kubernetesVersion?: string }): Promise<string> {
      const file = path.join(dir, 'pod.k8s.yaml');
      fs.writeFileSync(file, stringify(probeHost()));
      let submitted = '';
      await new SuperlatchValidation({ pack: 'baseline', ...props }).validate({
        manifests: [file],
        report: { addViolation: () => undefined, submit: (s: string) => { submitted = s; } },
      });
      return submitted;
    }

    test('judges at v1.27 by default, at the given version otherwise; rejects an unsupported one', async () => {
      expect(await status({})).toBe('success');
      expect(await status({ kubernetesVersion: 'v1.33' })).toBe('success');
      expect(await status({ kubernetesVersion: 'v1.34' })).toBe('failure');
      expect(() => new SuperlatchValidation({ kubernetesVersion: 'v1.37' })).toThrow(/Kubernetes version 'v1.37' is not supported/);
    });
  });
});
