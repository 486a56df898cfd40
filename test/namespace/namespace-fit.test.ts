import { ApiObject, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Harden, HardenedNamespace, WorkloadNetworkPolicy } from '../../src';
import { namespaceFitErrors } from '../../src/namespace/namespace-fit';
import { errorOf, goodContainer, newChart } from '../util';

const NS = 'team';
const meta = (name: string) => ({ name, namespace: NS });

function container(name: string, requests?: Record<string, string>, limits?: Record<string, string>) {
  return { name, image: 'i', resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } };
}

function deployment(name: string, containers: any[], spec: any = {}) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name), spec: { template: { spec: { containers } }, ...spec } };
}

const limitRange = (...limits: any[]) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: meta('limits'), spec: { limits } });
const quota = (hard: Record<string, string>, extra: any = {}) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('quota'), spec: { hard, ...extra } });

/** The check over `manifests`, each named `app/<metadata.name>`. */
function fit(...manifests: any[]): string[] {
  return namespaceFitErrors(manifests, manifests.map((m) => `app/${m.metadata.name}`), NS);
}

const C = (requests: Record<string, string>, limits: Record<string, string>) => [container('c', requests, limits)];

describe('LimitRange per container', () => {
  test('max: a limit above the maximum fails naming the workload, the field and the fix; at the maximum passes', () => {
    const lr = limitRange({ type: 'Container', max: { cpu: '1' } });
    expect(fit(lr, deployment('web', C({ cpu: '100m' }, { cpu: '1500m' })))).toEqual([
      "[app/web] spec.template.spec.containers[0].resources.limits.cpu: container 'c' has a cpu limit of 1500m, above the maximum 1 of LimitRange 'limits'. Fix: lower the limit to at most 1, or raise max.cpu of LimitRange 'limits'",
    ]);
    expect(fit(lr, deployment('web', C({ cpu: '100m' }, { cpu: '1' })))).toEqual([]);
  });

  test('max: a container with no limit fails (unless the LimitRange gives it one by default)', () => {
    const noLimit = deployment('web', [container('c', { memory: '64Mi' })]);
    // GIVEN a max with an explicit smaller default: the container gets the default
    expect(fit(limitRange({ type: 'Container', max: { memory: '1Gi' }, default: { memory: '256Mi' } }), noLimit)).toEqual([]);
    // GIVEN only a max: the API server defaults the limit to the max, which fits
    expect(fit(limitRange({ type: 'Container', max: { memory: '1Gi' } }), noLimit)).toEqual([]);
  });

  test('min: a request below the minimum fails; at the minimum passes', () => {
    const lr = limitRange({ type: 'Container', min: { memory: '128Mi' } });
    expect(fit(lr, deployment('web', C({ memory: '64Mi' }, { memory: '256Mi' })))).toEqual([
      "[app/web] spec.template.spec.containers[0].resources.requests.memory: container 'c' has a memory request of 64Mi, below the minimum 128Mi of LimitRange 'limits'. Fix: raise the request to at least 128Mi, or lower min.memory of LimitRange 'limits'",
    ]);
    expect(fit(lr, deployment('web', C({ memory: '128Mi' }, { memory: '256Mi' })))).toEqual([]);
  });

  test('maxLimitRequestRatio: a limit too many times the request fails with both ways out; within the ratio passes', () => {
    const lr = limitRange({ type: 'Container', maxLimitRequestRatio: { cpu: '2' } });
    expect(fit(lr, deployment('web', C({ cpu: '100m' }, { cpu: '500m' })))).toEqual([
      "[app/web] spec.template.spec.containers[0].resources.limits.cpu: container 'c' has a cpu limit of 500m, 5 times its request 100m, above the maxLimitRequestRatio 2 of LimitRange 'limits'. Fix: raise the request to at least 250m or lower the limit to at most 200m",
    ]);
    expect(fit(lr, deployment('web', C({ cpu: '250m' }, { cpu: '500m' })))).toEqual([]);
  });

  test('a request above the limit the LimitRange gives by default fails', () => {
    const lr = limitRange({ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } });
    expect(fit(lr, deployment('web', [container('c', { cpu: '2' })]))).toEqual([
      "[app/web] spec.template.spec.containers[0].resources.limits.cpu: container 'c' requests 2 of cpu, more than the limit 500m the LimitRange gives it by default. Fix: set resources.limits.cpu to at least the request",
    ]);
    expect(fit(lr, deployment('web', [container('c', { cpu: '200m' })]))).toEqual([]);
  });

  test('init containers are judged too', () => {
    const lr = limitRange({ type: 'Container', max: { cpu: '1' } });
    const d = deployment('web', C({}, { cpu: '1' }));
    d.spec.template.spec = { ...d.spec.template.spec, initContainers: [container('init', {}, { cpu: '2' })] } as any;
    expect(fit(lr, d)).toEqual([expect.stringContaining("[app/web] spec.template.spec.initContainers[0].resources.limits.cpu: container 'init' has a cpu limit of 2")]);
  });
});

describe('LimitRange per pod', () => {
  test('max: the sum of the containers above the pod maximum fails; within it passes', () => {
    const lr = limitRange({ type: 'Pod', max: { memory: '512Mi' } });
    const two = (m: string) => deployment('web', [container('a', {}, { memory: '256Mi' }), container('b', {}, { memory: m })]);
    expect(fit(lr, two('512Mi'))).toEqual([
      "[app/web] spec.template.spec.containers[*].resources.limits.memory: the pod (sum of its containers) has a memory limit of 768Mi, above the maximum 512Mi of LimitRange 'limits'. Fix: lower the limit to at most 512Mi, or raise max.memory of LimitRange 'limits'",
    ]);
    expect(fit(lr, two('256Mi'))).toEqual([]);
  });

  test('min: a pod requesting less than the pod minimum fails; the largest init container counts when it is larger', () => {
    const lr = limitRange({ type: 'Pod', min: { cpu: '500m' } });
    expect(fit(lr, deployment('web', C({ cpu: '100m' }, { cpu: '1' })))).toEqual([
      expect.stringContaining('[app/web] spec.template.spec.containers[*].resources.requests.cpu: the pod (sum of its containers) has a cpu request of 100m, below the minimum 500m'),
    ]);
    const withInit = deployment('web', C({ cpu: '100m' }, { cpu: '1' }));
    withInit.spec.template.spec = { ...withInit.spec.template.spec, initContainers: [container('init', { cpu: '500m' }, { cpu: '1' })] } as any;
    expect(fit(lr, withInit)).toEqual([]);
  });
});

describe('native sidecars (init containers with restartPolicy: Always, KEP-753): the pod\'s effective use', () => {
  const sidecar = (name: string, cpu: string) => ({ ...container(name, { cpu }, { cpu }), restartPolicy: 'Always' });
  const init = (name: string, cpu: string) => container(name, { cpu }, { cpu });
  /** A Recreate Deployment of one replica (no surge), so the quota sees exactly one pod. */
  const pod = (initContainers: any[], containers: any[]) => {
    const d = deployment('web', containers, { replicas: 1, strategy: { type: 'Recreate' } });
    (d.spec.template.spec as any).initContainers = initContainers;
    return d;
  };
  const cpuUse = (d: any) => {
    for (let m = 0; m <= 5000; m += 10) if (fit(quota({ 'requests.cpu': `${m}m` }), d).length === 0) return m;
    throw new Error('no quota up to 5 cpu fits');
  };

  test('a sidecar counts like an application container: 300m app + 500m sidecar = 800m (the classic formula would say 500m)', () => {
    const d = pod([sidecar('agent', '500m')], C({ cpu: '300m' }, { cpu: '300m' }));
    expect(fit(quota({ 'requests.cpu': '790m' }), d)).toEqual([expect.stringContaining('need 800m of requests.cpu in total, more than the 790m the quota allows: [app/web] 1 replicas × 800m')]);
    expect(fit(quota({ 'requests.cpu': '800m' }), d)).toEqual([]);
    expect(cpuUse(d)).toBe(800);
  });

  test('a plain init container runs with the sidecars started before it, not with those after it', () => {
    const app = C({ cpu: '300m' }, { cpu: '300m' });
    // init 1 cpu then sidecar 200m: the init phase needs 1, the running pod 500m
    expect(cpuUse(pod([init('migrate', '1'), sidecar('agent', '200m')], app))).toBe(1000);
    // sidecar 200m then init 1 cpu: the init phase needs 1 + 200m
    expect(cpuUse(pod([sidecar('agent', '200m'), init('migrate', '1')], app))).toBe(1200);
  });

  test('the KEP\'s walk: max(sum of app and sidecars, each init phase with the sidecars before it)', () => {
    // sidecars s1 100m, s2 200m; inits i1 1 (after s1), i2 500m (after s1, s2); app 300m
    // running: 300 + 100 + 200 = 600m; phases: s1 100, i1 1100, s2 300, i2 800 -> 1100m
    const d = pod([sidecar('s1', '100m'), init('i1', '1'), sidecar('s2', '200m'), init('i2', '500m')], C({ cpu: '300m' }, { cpu: '300m' }));
    expect(cpuUse(d)).toBe(1100);
    // limits follow the same walk
    expect(fit(quota({ 'limits.cpu': '1090m' }), d)).toEqual([expect.stringContaining('need 1100m of limits.cpu in total')]);
  });

  test('LimitRange Pod items judge the same effective use', () => {
    const lr = limitRange({ type: 'Pod', max: { cpu: '700m' } });
    expect(fit(lr, pod([sidecar('agent', '500m')], C({ cpu: '300m' }, { cpu: '300m' })))).toEqual([
      expect.stringContaining('the pod (sum of its containers) has a cpu limit of 800m, above the maximum 700m'),
    ]);
    expect(fit(lr, pod([init('agent', '500m')], C({ cpu: '300m' }, { cpu: '300m' })))).toEqual([]);
  });

  test('without sidecars nothing changes: the larger of the containers\' sum and the largest init container', () => {
    expect(cpuUse(pod([init('a', '200m'), init('b', '700m')], C({ cpu: '300m' }, { cpu: '300m' })))).toBe(700);
    expect(cpuUse(pod([init('a', '200m')], C({ cpu: '300m' }, { cpu: '300m' })))).toBe(300);
  });
});

describe('ResourceQuota', () => {
  test('requests.cpu: replicas and the rolling update surge together above the quota fail, listing each workload', () => {
    // GIVEN 3 replicas (+1 surge, 25% rounded up) of 1 cpu and a Recreate Deployment of 2 × 500m
    const web = deployment('web', C({ cpu: '1' }, { cpu: '1' }), { replicas: 3 });
    const batch = deployment('batch', C({ cpu: '500m' }, { cpu: '500m' }), { replicas: 2, strategy: { type: 'Recreate' } });
    expect(fit(quota({ 'requests.cpu': '4500m' }), web, batch)).toEqual([
      "ResourceQuota 'quota' spec.hard['requests.cpu']: the pods of namespace 'team' need 5 of requests.cpu in total, more than the 4500m the quota allows: "
      + '[app/web] 3 replicas + 1 surge in a rolling update × 1 = 4; [app/batch] 2 replicas × 500m = 1. '
      + 'Fix: lower the cpu requests or the replicas of these workloads, or raise requests.cpu',
    ]);
    expect(fit(quota({ 'requests.cpu': '5' }), web, batch)).toEqual([]);
  });

  test('limits.memory: a fixed maxSurge counts; within the quota passes', () => {
    const web = deployment('web', C({ memory: '64Mi' }, { memory: '512Mi' }), { replicas: 2, strategy: { rollingUpdate: { maxSurge: 2 } } });
    expect(fit(quota({ 'limits.memory': '1Gi' }), web)).toEqual([expect.stringContaining(
      "spec.hard['limits.memory']: the pods of namespace 'team' need 2Gi of limits.memory in total, more than the 1Gi the quota allows: [app/web] 2 replicas + 2 surge in a rolling update × 512Mi = 2Gi",
    )]);
    expect(fit(quota({ 'limits.memory': '2Gi' }), web)).toEqual([]);
  });

  test('pods: Jobs count their parallelism (at most their completions), CronJobs one run, an HPA its maxReplicas', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('job'), spec: { parallelism: 5, completions: 2, template: { spec: { containers: C({}, {}) } } } };
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('cron'), spec: { jobTemplate: { spec: { parallelism: 3, template: { spec: { containers: C({}, {}) } } } } } };
    const web = deployment('web', C({}, {}), { replicas: 1, strategy: { type: 'Recreate' } });
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta('web'), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 4 } };
    // 2 + 3 + 4 = 9
    expect(fit(quota({ pods: '8' }), job, cron, web, hpa)).toEqual([
      "ResourceQuota 'quota' spec.hard['pods']: the workloads of namespace 'team' run up to 9 pods, more than the 8 the quota allows: "
      + "[app/job] parallelism 2; [app/cron] parallelism 3 of one run; [app/web] 4 (the maxReplicas of HorizontalPodAutoscaler 'web'). "
      + 'Fix: lower the replicas (or parallelism) of these workloads, or raise pods',
    ]);
    expect(fit(quota({ pods: '9' }), job, cron, web, hpa)).toEqual([]);
  });

  test('a container without the request a quota constrains fails (the API server refuses its pods), unless a LimitRange gives a default', () => {
    const web = deployment('web', [container('c')]);
    expect(fit(quota({ 'requests.memory': '1Gi' }), web)).toEqual([
      "[app/web] spec.template.spec.containers[0].resources.requests.memory (container 'c'): no memory request, and ResourceQuota 'quota' of namespace 'team' constrains requests.memory, so the API server refuses the pods. Fix: set resources.requests.memory, or give the namespace a LimitRange default",
    ]);
    expect(fit(quota({ 'requests.memory': '1Gi' }), limitRange({ type: 'Container', defaultRequest: { memory: '64Mi' } }), web)).toEqual([]);
  });

  test('object counts: LoadBalancer Services, node ports, and ConfigMaps next to the namespace\'s own kube-root-ca.crt', () => {
    const svc = (name: string, spec: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec });
    const lb = svc('public', { type: 'LoadBalancer', ports: [{ port: 443 }] });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings') };
    expect(fit(quota({ 'services.loadbalancers': '0', 'services.nodeports': '0', 'configmaps': '1' }), lb, cm)).toEqual([
      "ResourceQuota 'quota' spec.hard['services.loadbalancers']: namespace 'team' would hold 1 services.loadbalancers, more than the 0 the quota allows: [app/public] 1. Fix: remove some of them, or raise services.loadbalancers",
      "ResourceQuota 'quota' spec.hard['services.nodeports']: namespace 'team' would hold 1 services.nodeports, more than the 0 the quota allows: [app/public] 1. Fix: remove some of them, or raise services.nodeports",
      "ResourceQuota 'quota' spec.hard['configmaps']: namespace 'team' would hold 2 configmaps, more than the 1 the quota allows: [app/settings] 1; kube-root-ca.crt (created by Kubernetes) 1. Fix: remove some of them, or raise configmaps",
    ]);
    const internal = svc('internal', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 443 }] });
    expect(fit(quota({ 'services.loadbalancers': '1', 'services.nodeports': '0', 'configmaps': '2' }), internal, cm)).toEqual([]);
  });

  test('objects of other namespaces and scoped quotas are not judged', () => {
    const other = { ...deployment('web', C({ cpu: '8' }, { cpu: '8' })), metadata: { name: 'web', namespace: 'elsewhere' } };
    expect(fit(quota({ 'requests.cpu': '1' }), other)).toEqual([]);
    expect(fit(quota({ 'requests.cpu': '1' }, { scopes: ['BestEffort'] }), deployment('web', C({ cpu: '8' }, { cpu: '8' })))).toEqual([]);
  });
});

describe('HardenedNamespace', () => {
  test('a hardened workload above the limit range fails synth with the construct path, the field and the option to raise', () => {
    // GIVEN a namespace with max 1 cpu per container and a workload asking for a 2 cpu limit
    const { chart } = newChart(NS);
    new HardenedNamespace(chart, 'ns', { name: NS, limitRange: { maxCpu: '1' } });
    const web = new kplus.Deployment(chart, 'web', { containers: [goodContainer({ resources: { cpu: { request: kplus.Cpu.millis(200), limit: kplus.Cpu.units(2) } } })] });
    Harden.workload(web);
    new WorkloadNetworkPolicy(chart, 'policy', { workload: web });
    // THEN synth fails naming it
    expect(errorOf(() => Testing.synth(chart))).toContain(
      "[test/web] spec.template.spec.containers[0].resources.limits.cpu: container 'app' has a cpu limit of 2, above the maximum 1 of LimitRange 'container-defaults'. "
      + "Fix: lower the limit to at most 1, or raise max.cpu of LimitRange 'container-defaults' (HardenedNamespace limitRange.maxCpu)",
    );
  });

  test('a workload that is not hardened keeps cdk8s-plus\'s 1500m limit, and that is caught too', () => {
    const { chart } = newChart(NS);
    new HardenedNamespace(chart, 'ns', { name: NS, limitRange: { maxCpu: '1' } });
    new kplus.Deployment(chart, 'web', { containers: [goodContainer()] });
    expect(errorOf(() => Testing.synth(chart))).toContain("[test/web] spec.template.spec.containers[0].resources.limits.cpu: container 'app' has a cpu limit of 1500m, above the maximum 1");
  });

  test('replicas in another chart of the same namespace count against the quota, with the option to raise', () => {
    const { app, chart } = newChart(NS);
    new HardenedNamespace(chart, 'ns', { name: NS, quota: { requestsCpu: '500m' } });
    const other = new Chart(app, 'other', { namespace: NS, disableResourceNameHashes: true });
    const api = new kplus.Deployment(other, 'api', { replicas: 5, containers: [goodContainer()] });
    Harden.workload(api);
    new WorkloadNetworkPolicy(other, 'policy', { workload: api });
    expect(errorOf(() => Testing.synth(chart))).toContain(
      "ResourceQuota 'namespace-quota' spec.hard['requests.cpu']: the pods of namespace 'team' need 700m of requests.cpu in total, more than the 500m the quota allows: "
      + '[other/api] 5 replicas + 2 surge in a rolling update × 100m = 700m. Fix: lower the cpu requests or the replicas of these workloads, or raise requests.cpu (HardenedNamespace quota.requestsCpu)',
    );
  });

  test('a workload that fits synthesizes; a raw LimitRange of the namespace is judged too', () => {
    const { chart } = newChart(NS);
    new HardenedNamespace(chart, 'ns', { name: NS, quota: { requestsCpu: '1', limitsMemory: Size.gibibytes(1), pods: 3 }, limitRange: { maxCpu: '1' } });
    const web = new kplus.Deployment(chart, 'web', { replicas: 2, containers: [goodContainer()] });
    Harden.workload(web);
    new WorkloadNetworkPolicy(chart, 'policy', { workload: web });
    expect(() => Testing.synth(chart)).not.toThrow();
    new ApiObject(chart, 'ratio', limitRange({ type: 'Container', maxLimitRequestRatio: { cpu: '4' } }) as any);
    expect(errorOf(() => Testing.synth(chart))).toContain("[test/web] spec.template.spec.containers[0].resources.limits.cpu: container 'app' has a cpu limit of 500m, 5 times its request 100m, above the maxLimitRequestRatio 4 of LimitRange 'limits'");
  });
});
