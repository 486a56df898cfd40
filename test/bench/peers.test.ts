import { Testing } from 'cdk8s';
import { benchCharts, VARIANTS } from '../../bench/lib/variants';

function yamlOf(variant: string, n: number, charts: number): string {
  const app = Testing.app();
  VARIANTS[variant](benchCharts(app, charts), n);
  return app.synthYaml();
}

// The peers are only honest if they write what the library writes, byte for byte.
describe.each(['peer', 'raw'])('the hand-written %s variant', (variant) => {
  test('synthesizes exactly the hardened bytes of one workload', () => {
    // GIVEN one workload hardened by the library
    const library = yamlOf('hardened', 1, 1);
    // WHEN the same workload is written by hand
    const byHand = yamlOf(variant, 1, 1);
    // THEN the YAML is identical
    expect(byHand).toEqual(library);
    expect(library).toContain('kind: PodDisruptionBudget');
  });

  test('stays identical for several workloads in several charts', () => {
    expect(yamlOf(variant, 3, 2)).toEqual(yamlOf('hardened', 3, 2));
  });
});

test('the packed variant writes the hardened bytes: the restricted pack finds nothing to acknowledge', () => {
  expect(yamlOf('packed', 2, 1)).toEqual(yamlOf('hardened', 2, 1));
});
