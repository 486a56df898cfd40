import { ApiObject, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, HardeningProfile } from '../../src';
import { coverNetwork, find, goodContainer, newChart, podSpec } from '../util';

const PROFILE_DEFAULTS = {
  requests: { 'cpu': '100m', 'memory': '64Mi', 'ephemeral-storage': '64Mi' },
  limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '256Mi' },
};

/** The rendered resources of the containers of one hardened cdk8s-plus Deployment. */
interface Options {
  readonly profile?: HardeningProfile;
  readonly patch?: (d: kplus.Deployment) => void;
}

function resourcesOf(props: Partial<kplus.ContainerProps>, options: Options = {}): any[] {
  const { chart } = newChart();
  const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer(props)] });
  web.addInitContainer({ name: 'init', image: goodContainer().image });
  options.patch?.(web);
  coverNetwork(chart, web);
  Harden.workload(web, { profile: options.profile });
  const spec = podSpec(find(Testing.synth(chart), 'Deployment', 'web'));
  return [...spec.initContainers, ...spec.containers].map((c: any) => c.resources);
}

describe('resources of cdk8s-plus containers', () => {
  test('a container given no resources renders the profile defaults, not cdk8s-plus\'s 1000m/1500m and 512Mi/2048Mi', () => {
    // GIVEN an app container and an init container created without resources
    // WHEN hardened with the default profile
    const [init, app] = resourcesOf({});
    // THEN both get exactly the profile's documented defaults
    expect(app).toEqual(PROFILE_DEFAULTS);
    expect(init).toEqual(PROFILE_DEFAULTS);
  });

  test('the profile\'s own resourceDefaults replace cdk8s-plus\'s too', () => {
    const profile = HardeningProfile.restricted({ resourceDefaults: { cpuRequest: '50m', cpuLimit: '200m', memoryLimit: Size.mebibytes(128) } });
    const [, app] = resourcesOf({}, { profile });
    expect(app.requests).toEqual({ 'cpu': '50m', 'memory': '64Mi', 'ephemeral-storage': '64Mi' });
    expect(app.limits).toEqual({ 'cpu': '200m', 'memory': '128Mi', 'ephemeral-storage': '256Mi' });
  });

  test('explicit resources are kept, and only what they leave out is filled in', () => {
    const [, app] = resourcesOf({
      resources: { cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) }, memory: { limit: Size.mebibytes(768) } },
    });
    expect(app.requests).toEqual({ 'cpu': '250m', 'memory': '64Mi', 'ephemeral-storage': '64Mi' });
    expect(app.limits).toEqual({ 'cpu': '1', 'memory': '768Mi', 'ephemeral-storage': '256Mi' });
  });

  test('explicit resources of the same amounts as cdk8s-plus\'s defaults, written another way, are kept', () => {
    // GIVEN 1 cpu (not Cpu.millis(1000)) and 2Gi (not Size.mebibytes(2048))
    const [, app] = resourcesOf({
      resources: {
        cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.millis(1500) },
        memory: { request: Size.mebibytes(512), limit: Size.gibibytes(2) },
      },
    });
    // THEN they are the user's: kept as rendered by cdk8s-plus
    expect(app.requests).toEqual({ 'cpu': '1', 'memory': '512Mi', 'ephemeral-storage': '64Mi' });
    expect(app.limits).toEqual({ 'cpu': '1500m', 'memory': '2048Mi', 'ephemeral-storage': '256Mi' });
  });

  test('the limit of the detection: resources written exactly like cdk8s-plus\'s defaults get the profile\'s', () => {
    // cdk8s-plus keeps no trace of whether `resources` was given, and these are the very same values
    const [, app] = resourcesOf({
      resources: {
        cpu: { request: kplus.Cpu.millis(1000), limit: kplus.Cpu.millis(1500) },
        memory: { request: Size.mebibytes(512), limit: Size.mebibytes(2048) },
      },
    });
    expect(app).toEqual(PROFILE_DEFAULTS);
  });

  test('an escape-hatch patch of one default value keeps the patched value; the rest become the profile\'s', () => {
    const [, app] = resourcesOf({}, {
      patch: (d) => ApiObject.of(d).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/resources/limits/cpu', kplus.k8s.Quantity.fromString('750m'))),
    });
    expect(app.limits.cpu).toBe('750m');
    expect(app.requests.cpu).toBe('100m');
    expect(app.limits.memory).toBe('256Mi');
  });
});
