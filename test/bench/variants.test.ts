import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { benchCharts, VARIANTS } from '../../bench/lib/variants';

/** `kind namespace/name` of every object the app synthesizes, sorted. */
function objectsOf(variant: string, n: number, charts: number): string[] {
  const app = Testing.app();
  VARIANTS[variant](benchCharts(app, charts), n);
  return parseAllDocuments(app.synthYaml())
    .map((doc) => doc.toJS())
    .map((m) => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`)
    .sort();
}

// The many-charts benchmark compares chart counts: only the spread may change, not the work.
test.each(['plain', 'hardened'])('%s synthesizes the same objects in 1 chart as in 3 charts of one workload each', (variant) => {
  // GIVEN three workloads in one chart
  const inOne = objectsOf(variant, 3, 1);
  // WHEN the same three workloads are spread over three charts
  const inThree = objectsOf(variant, 3, 3);
  // THEN the app holds the same objects, each once
  expect(inThree).toEqual(inOne);
  expect(inOne).toEqual(expect.arrayContaining(['Deployment bench/web0', 'Deployment bench/web1', 'Deployment bench/web2']));
  expect(new Set(inOne).size).toBe(inOne.length);
});
