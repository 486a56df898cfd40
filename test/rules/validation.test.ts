import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { chartOf, hardenedChart } from './support/charts';
import { compliantSet, ctr, find, spec } from './support/fixtures';
import { RuleAcknowledgements, RulePack } from '../../src/rules';

const ACK = 'superlatch.io/acknowledged-rules';

function deploymentOf(manifests: any[], name: string) {
  return manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name);
}

describe('synth-time validation', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => { warn = jest.spyOn(console, 'warn').mockImplementation(() => {}); });
  afterEach(() => warn.mockRestore());

  test('a hardened chart synthesizes with the restricted and latch packs attached', () => {
    const chart = hardenedChart();
    RulePack.restricted().attachTo(chart);
    RulePack.latch().attachTo(chart);
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(warn).not.toHaveBeenCalled();
  });

  test('an error finding fails Testing.synth with construct path, rule id, JSON path and fix', () => {
    // GIVEN a chart whose web container has a writable root filesystem
    const chart = hardenedChart((s) => { ctr(s, 'web', 'app').securityContext.readOnlyRootFilesystem = false; });
    RulePack.restricted().attachTo(chart);
    // WHEN it is synthesized THEN synthesis fails with a message that locates and fixes the finding
    expect(() => Testing.synth(chart)).toThrow(
      '[shop/web/Deployment] [SL-HARD-5] (Deployment/shop/web) spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: '
      + "container 'app' has a writable root filesystem. Fix: Set `securityContext.readOnlyRootFilesystem: true`",
    );
  });

  test('app.synth() fails too when the pack is attached to the app', () => {
    const app = Testing.app();
    const set = compliantSet();
    spec(set, 'web').hostPID = true;
    chartOf(set, app);
    RulePack.baseline().attachTo(app);
    expect(() => app.synth()).toThrow(/\[shop\/web\/Deployment\] \[SL-PSS-1\] \(Deployment\/shop\/web\) spec\.template\.spec\.hostPID: hostPID is true/);
  });

  test('escape-hatch patches are validated: rules see the final manifest', () => {
    const chart = hardenedChart();
    const web = chart.node.findAll().find((c) => ApiObject.isApiObject(c) && c.kind === 'Deployment' && c.name === 'web') as ApiObject;
    web.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/securityContext/privileged', true));
    RulePack.baseline().attachTo(chart);
    expect(() => Testing.synth(chart)).toThrow(/\[SL-PSS-2\].*containers\[0\]\.securityContext\.privileged/);
  });

  test('warnings are reported once each and do not fail synthesis', () => {
    const chart = hardenedChart((s) => { find(s, 'NetworkPolicy', 'web').spec.ingress = [{}]; });
    const validation = RulePack.restricted().attachTo(chart);
    expect(() => Testing.synth(chart)).not.toThrow();
    Testing.synth(chart);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^superlatch restricted warning \[SL-NET-4\] shop\/web\/NetworkPolicy \(NetworkPolicy\/shop\/web\) spec\.ingress\[0\]/);
    expect(validation.report!.warnings.map((f) => f.ruleId)).toEqual(['SL-NET-4']);
  });

  test('warnings can be silenced', () => {
    const chart = hardenedChart((s) => { find(s, 'NetworkPolicy', 'web').spec.ingress = [{}]; });
    RulePack.restricted().attachTo(chart, { reportWarnings: false });
    Testing.synth(chart);
    expect(warn).not.toHaveBeenCalled();
  });

  test('the report maps each finding back to the construct that produced the object', () => {
    const chart = hardenedChart((s) => { delete spec(s, 'api').automountServiceAccountToken; });
    const validation = RulePack.latch().attachTo(chart);
    expect(() => Testing.synth(chart)).toThrow(/SL-LATCH-7/);
    expect(validation.report!.errors.map((f) => [f.ruleId, f.constructPath])).toEqual([['SL-LATCH-7', 'shop/api/Deployment']]);
  });
});

describe('acknowledgements', () => {
  test('a rule acknowledged on a parent construct covers its children, stays in the report and annotates the object', () => {
    // GIVEN a writable root filesystem in web, acknowledged on the construct that groups web's objects
    const chart = hardenedChart((s) => { ctr(s, 'web', 'app').securityContext.readOnlyRootFilesystem = false; });
    RuleAcknowledgements.acknowledgeRule(chart.node.findChild('web'), 'SL-HARD-5', 'legacy app writes its pid file next to the binary');
    const validation = RulePack.restricted().attachTo(chart);
    // WHEN synthesized
    const out = Testing.synth(chart);
    // THEN synthesis succeeds, the finding is kept as acknowledged, and the Deployment carries the annotation
    expect(validation.report!.acknowledged.map((f) => [f.ruleId, f.acknowledgedReason])).toEqual([
      ['SL-HARD-5', 'legacy app writes its pid file next to the binary'],
    ]);
    expect(deploymentOf(out, 'web').metadata.annotations[ACK]).toBe('SL-HARD-5: legacy app writes its pid file next to the binary');
    expect(deploymentOf(out, 'api').metadata.annotations).toBeUndefined();
  });

  test('one finding can be acknowledged by its JSON path; other findings of the rule still fail', () => {
    const chart = hardenedChart((s) => {
      ctr(s, 'web', 'app').securityContext.readOnlyRootFilesystem = false;
      ctr(s, 'web', 'latch-agent').securityContext.readOnlyRootFilesystem = false;
    });
    RuleAcknowledgements.acknowledgeFinding(chart, 'SL-HARD-5', 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem', 'app writes its cache under /var/lib');
    RulePack.restricted().attachTo(chart);
    expect(() => Testing.synth(chart)).toThrow(/containers\[1\]\.securityContext\.readOnlyRootFilesystem: container 'latch-agent'/);
    expect(() => Testing.synth(chart)).not.toThrow(/containers\[0\]\.securityContext\.readOnlyRootFilesystem/);
  });

  test('the finding-level acknowledgement is written with its path', () => {
    const chart = hardenedChart((s) => { ctr(s, 'web', 'app').securityContext.readOnlyRootFilesystem = false; });
    RuleAcknowledgements.acknowledgeFinding(chart, 'SL-HARD-5', 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem', 'app writes its cache under /var/lib');
    RulePack.restricted().attachTo(chart);
    expect(deploymentOf(Testing.synth(chart), 'web').metadata.annotations[ACK])
      .toBe('SL-HARD-5 @ spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: app writes its cache under /var/lib');
  });

  test('an acknowledgement that matches nothing writes no annotation', () => {
    const chart = hardenedChart();
    RuleAcknowledgements.acknowledgeRule(chart, 'SL-HARD-15', 'images are pinned by the registry mirror');
    RulePack.restricted().attachTo(chart);
    expect(Testing.synth(chart).filter((m: any) => m.metadata.annotations?.[ACK])).toEqual([]);
  });

  test('acknowledgements in the annotation of a manifest are honoured without constructs', () => {
    const set = compliantSet();
    ctr(set, 'web', 'app').image = 'nginx:1.25';
    find(set, 'Deployment', 'web').metadata.annotations = { [ACK]: 'SL-HARD-15: mirrored image, digest pinned by the mirror' };
    const report = RulePack.restricted().evaluate(set);
    expect(report.hasErrors).toBe(false);
    expect(report.acknowledged.map((f) => f.ruleId)).toEqual(['SL-HARD-15']);
  });

  test.each([
    ['unknown rule ids', 'SL-NOPE-1', 'a good long reason', /unknown rule id 'SL-NOPE-1' in acknowledgement/],
    ['reasons under 10 characters', 'SL-HARD-5', 'because', /SL-HARD-5 needs a reason of at least 10 characters \(got 'because'\)/],
  ])('%s throw, naming the construct path', (_what, id, reason, message) => {
    const chart = hardenedChart();
    expect(() => RuleAcknowledgements.acknowledgeRule(chart.node.findChild('web'), id, reason)).toThrow(message);
    expect(() => RuleAcknowledgements.acknowledgeRule(chart.node.findChild('web'), id, reason)).toThrow(/^shop\/web: /);
  });

  test('a finding path with spaces is rejected', () => {
    expect(() => RuleAcknowledgements.acknowledgeFinding(hardenedChart(), 'SL-HARD-5', 'spec. template', 'a good long reason'))
      .toThrow(/the finding path must be a JSON path without spaces/);
  });

  test('a malformed annotation fails synthesis with the object named', () => {
    const chart = hardenedChart((s) => { find(s, 'Service', 'web').metadata.annotations = { [ACK]: 'whatever' }; });
    RulePack.baseline().attachTo(chart);
    expect(() => Testing.synth(chart)).toThrow(/shop\/web\/Service \(Service shop\/web\): annotation superlatch.io\/acknowledged-rules has a malformed entry 'whatever'/);
  });
});
