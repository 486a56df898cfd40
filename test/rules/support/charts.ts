import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { compliantSet } from './fixtures';

/** A chart holding the given manifests as plain ApiObjects, each under a construct named after its kind and name. */
export function chartOf(manifests: any[], app: App = Testing.app()): Chart {
  const chart = new Chart(app, 'shop');
  const groups = new Map<string, Construct>();
  for (const m of manifests) {
    // group workloads under one construct per app, so acknowledgements on a parent can be tested
    const group = m.metadata?.name ?? 'cluster';
    const scope = groups.get(group) ?? new Construct(chart, group);
    groups.set(group, scope);
    new ApiObject(scope, m.kind, m);
  }
  return chart;
}

/** The hardened chart, with an optional change applied to the manifests first. */
export function hardenedChart(change: (set: any[]) => void = () => {}): Chart {
  const set = compliantSet();
  change(set);
  return chartOf(set);
}
