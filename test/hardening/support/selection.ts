import { at, namespaceOf, podTemplateOf, templatePathOf, workloadId, workloadsOf } from './manifests';

type Labels = Record<string, string>;

/**
 * Whether a Kubernetes LabelSelector (`matchLabels` and `matchExpressions` with
 * In, NotIn, Exists, DoesNotExist) selects `labels`. As in Kubernetes, an empty
 * selector selects everything and a missing one nothing.
 */
export function selects(selector: any, labels: Labels = {}): boolean {
  if (selector === undefined || selector === null) return false;
  const equal = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return equal && (selector.matchExpressions ?? []).every((e: any) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && e.values.includes(labels[e.key]);
      case 'NotIn': return !has || !e.values.includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: throw new Error(`unknown label selector operator '${e.operator}'`);
    }
  });
}

/** Pods that one selector picks, by `workloadId`, sorted. */
export interface Selection {
  /** `kind/namespace/name` of the Service or NetworkPolicy, then the field: `spec.selector`, `spec.podSelector`, `spec.ingress[0].from[1]`... */
  readonly by: string;
  readonly pods: string[];
}

/**
 * Which pods (pod templates of the workloads in `manifests`) each Service and
 * each NetworkPolicy selects: a Service's `spec.selector` and a policy's
 * `spec.podSelector` in their own namespace (`{}` = every pod there), and each
 * ingress `from` / egress `to` peer (a `podSelector` alone stays in the policy's
 * namespace, a `namespaceSelector` picks namespaces by their labels, including
 * `kubernetes.io/metadata.name`). Services without a selector and `ipBlock`
 * peers select no pods and are left out.
 */
export function selections(manifests: any[]): Selection[] {
  const pods = workloadsOf(manifests).map((m) => ({ id: workloadId(m), namespace: namespaceOf(m), labels: podTemplateOf(m).metadata?.labels ?? {} }));
  const namespaceLabels = namespaceLabelsOf(manifests, pods.map((p) => p.namespace));
  const pick = (namespaces: (ns: string) => boolean, selector: any) =>
    pods.filter((p) => namespaces(p.namespace) && selects(selector, p.labels)).map((p) => p.id).sort();
  const out: Selection[] = [];
  for (const m of manifests) {
    const ns = namespaceOf(m);
    const id = `${m.kind}/${ns}/${m.metadata?.name}`;
    if (m.kind === 'Service' && m.spec?.selector && m.spec.type !== 'ExternalName') {
      out.push({ by: `${id} spec.selector`, pods: pick((n) => n === ns, { matchLabels: m.spec.selector }) });
    }
    if (m.kind !== 'NetworkPolicy') continue;
    out.push({ by: `${id} spec.podSelector`, pods: pick((n) => n === ns, m.spec?.podSelector) });
    for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']]) {
      (m.spec?.[direction] ?? []).forEach((rule: any, i: number) => (rule[peersKey] ?? []).forEach((peer: any, j: number) => {
        if (!peer.podSelector && !peer.namespaceSelector) return;
        const inNamespaces = peer.namespaceSelector
          ? (n: string) => selects(peer.namespaceSelector, namespaceLabels.get(n))
          : (n: string) => n === ns;
        out.push({ by: `${id} spec.${direction}[${i}].${peersKey}[${j}]`, pods: pick(inNamespaces, peer.podSelector ?? {}) });
      }));
    }
  }
  return out;
}

/** Labels of every namespace that holds a pod or has a Namespace object. */
function namespaceLabelsOf(manifests: any[], podNamespaces: string[]): Map<string, Labels> {
  const labels = new Map<string, Labels>(podNamespaces.map((n) => [n, {}]));
  for (const m of manifests.filter((x) => x.kind === 'Namespace')) labels.set(m.metadata.name, m.metadata.labels ?? {});
  for (const [n, l] of labels) labels.set(n, { ...l, 'kubernetes.io/metadata.name': n });
  return labels;
}

/** Kinds whose API object is invalid without a selector. */
const SELECTOR_REQUIRED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/**
 * One message per workload whose selector does not select its own pod
 * template's labels (the API server rejects such objects), whose selector is
 * empty, or that lacks a selector its kind requires. Kinds without a selector
 * (Pod, PodTemplate, a Job or CronJob left to the controller) are skipped.
 */
export function selectorMismatches(manifests: any[]): string[] {
  const problems: string[] = [];
  for (const m of workloadsOf(manifests)) {
    const templatePath = templatePathOf(m)!;
    const raw = templatePath.length > 1 ? at(m, [...templatePath.slice(0, -1), 'selector']) : undefined;
    // a ReplicationController's selector is a plain label map, defaulted to the template's labels when empty
    const rc = m.kind === 'ReplicationController';
    const selector = rc ? (Object.keys(raw ?? {}).length > 0 ? { matchLabels: raw } : undefined) : raw;
    const labels = podTemplateOf(m).metadata?.labels ?? {};
    const where = workloadId(m);
    if (selector === undefined) {
      if (SELECTOR_REQUIRED.has(m.kind)) problems.push(`${where}: no selector`);
    } else if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
      problems.push(`${where}: empty selector ${JSON.stringify(raw)} selects every pod`);
    } else if (!selects(selector, labels)) {
      problems.push(`${where}: selector ${JSON.stringify(raw)} does not match template labels ${JSON.stringify(labels)}`);
    }
  }
  return problems;
}
