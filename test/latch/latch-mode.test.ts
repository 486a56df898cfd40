/**
 * The latch modes as classes: `LatchMode.sidecar()` and `LatchMode.hub(props)`, their
 * read-only facts, and the mode registry that readers of manifests (Falco, the admission
 * policy) use, which must agree with the contract's `superlatch.io/mode` values.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Latch, LatchCredentials, LatchMode, SuperlatchKeys } from '../../src';
import { LATCH_MODES, latchModeNamed } from '../../src/latch/modes';
import { coverNetwork, find, goodContainer, IMAGE, newChart, podTemplate } from '../util';

const credentials = LatchCredentials.fromSecret('latch-credentials');
const api = { cidrs: ['203.0.113.0/24'] };

describe('LatchMode', () => {
  test('each factory names its mode by the contract value its pods carry', () => {
    expect(LatchMode.sidecar().name).toBe(SuperlatchKeys.MODE_SIDECAR);
    expect(LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'] }).name).toBe(SuperlatchKeys.MODE_HUB);
  });

  test.each([
    ['sidecar', () => LatchMode.sidecar()],
    ['hub', () => LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'] })],
  ] as const)('%s: the guarded pod template says so in superlatch.io/mode', (name, mode) => {
    const { chart } = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { name: 'web' }, containers: [goodContainer()] });
    coverNetwork(chart, web);
    const latch = new Latch(chart, 'latch', { mode: mode(), credentials, api, image: IMAGE });
    latch.guard(web);
    expect(latch.mode.name).toBe(name);
    expect(podTemplate(find(Testing.synth(chart), 'Deployment', 'web')).metadata.annotations[SuperlatchKeys.MODE_ANNOTATION]).toBe(name);
  });

  test('one hub mode serves two latches: each has its own master, ConfigMap and objects', () => {
    const { chart } = newChart();
    coverNetwork(chart);
    const hub = LatchMode.hub({ apiServerCidrs: ['10.0.0.1/32'] });
    const blog = new Latch(chart, 'blog', { mode: hub, credentials, api, image: IMAGE });
    const shop = new Latch(chart, 'shop', { mode: hub, credentials, api, image: IMAGE });
    expect([blog.configMapName, shop.configMapName]).toEqual(['blog-latch-status', 'shop-latch-status']);
    const out = Testing.synth(chart);
    expect(out.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name).sort()).toEqual(['blog-latch-agent', 'shop-latch-agent']);
    expect(out.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name).sort()).toEqual(['blog-latch-status', 'shop-latch-status']);
  });

  test('a mode that is not a LatchMode (the enum values of old) is refused, naming the factories', () => {
    const { chart } = newChart();
    expect(() => new Latch(chart, 'latch', { mode: 'hub' as any, credentials, api, image: IMAGE }))
      .toThrow('[test/latch]: mode "hub" is not a LatchMode. Fix: use LatchMode.sidecar() or LatchMode.hub({ apiServerCidrs: [...] }) (LatchMode is no longer an enum)');
  });

  test('a sidecar latch publishes no ConfigMap', () => {
    const { chart } = newChart();
    expect(new Latch(chart, 'latch', { credentials, api, image: IMAGE }).configMapName).toBeUndefined();
  });
});

describe('the mode registry (what readers of manifests know of each mode)', () => {
  test('lists every mode of the contract once, sidecar first', () => {
    expect(LATCH_MODES.map((m) => m.name)).toEqual([SuperlatchKeys.MODE_SIDECAR, SuperlatchKeys.MODE_HUB]);
    expect(latchModeNamed('hub')?.name).toBe('hub');
    expect(latchModeNamed('other')).toBeUndefined();
    expect(latchModeNamed(undefined)).toBeUndefined();
  });

  test('sidecar pods name their writer and reach the Latch API', () => {
    const sidecar = latchModeNamed(SuperlatchKeys.MODE_SIDECAR)!;
    expect(sidecar.statusWriter({ [SuperlatchKeys.WRITER_ANNOTATION]: 'latch-agent' })).toBe('latch-agent');
    expect([sidecar.withoutEgress(SuperlatchKeys.ROLE_GUARDED), sidecar.withoutEgress(SuperlatchKeys.ROLE_AGENT)]).toEqual([false, false]);
  });

  test('hub pods have no writer, whatever they claim; only the guarded ones are without egress', () => {
    const hub = latchModeNamed(SuperlatchKeys.MODE_HUB)!;
    expect(hub.statusWriter({ [SuperlatchKeys.WRITER_ANNOTATION]: 'app' })).toBeUndefined();
    const roles = [SuperlatchKeys.ROLE_GUARDED, SuperlatchKeys.ROLE_AGENT, undefined];
    expect(roles.map((role) => hub.withoutEgress(role))).toEqual([true, false, false]);
  });
});
