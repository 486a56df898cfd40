/**
 * Small helpers about manifest objects shared by the judges.
 */
import { Manifest, ObjectRef } from './types';

/** A path segment: an object key or an array index. */
export type PathSegment = string | number;

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Formats a path as `spec.template.spec.containers[0].image`; keys that are not plain identifiers
 * are quoted: `metadata.annotations["app.kubernetes.io/name"]`.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) {
      out += `[${segment}]`;
    } else if (BARE_KEY.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(segment)}]`;
    }
  }
  return out;
}

/** Converts Monokle's dotted path (`spec.template.spec.containers.0.image`) to `formatPath` style. */
export function formatDottedPath(dotted: string): string {
  return formatPath(dotted.split('.').filter((s) => s !== ''));
}

/** The reference of an object, tolerant of malformed input. */
export function refOf(obj: Manifest): ObjectRef {
  const metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
  const ref: ObjectRef = {
    apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : '?',
    kind: typeof obj.kind === 'string' ? obj.kind : '?',
    name: typeof metadata.name === 'string' ? metadata.name : '?',
  };
  return typeof metadata.namespace === 'string' ? { ...ref, namespace: metadata.namespace } : ref;
}

/** `apps/v1 Deployment shop/web`. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** The API group of an apiVersion (`''` for the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** True for `{...}` (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy through JSON: drops `undefined`, functions and class identities. */
export function jsonClone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A pod-bearing workload (or a bare Pod) found among the manifests. */
export interface Workload {
  readonly object: Manifest;
  readonly kind: string;
  /** The pod spec (`spec`, `spec.template.spec` or `spec.jobTemplate.spec.template.spec`). */
  readonly podSpec: Record<string, any>;
  /** Path of the pod spec inside the object. */
  readonly podSpecPath: readonly string[];
  /** The pod template: `{ metadata, spec }` (for a bare Pod: its own metadata and spec). */
  readonly podTemplate: { metadata: Record<string, any>; spec: Record<string, any> };
}

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);

/** The workload view of an object, or undefined when it carries no pod spec. */
export function workloadOf(obj: Manifest): Workload | undefined {
  const kind = obj.kind;
  let templatePath: string[] | undefined;
  if (kind === 'Pod') {
    if (!isPlainObject(obj.spec)) return undefined;
    return {
      object: obj,
      kind,
      podSpec: obj.spec,
      podSpecPath: ['spec'],
      podTemplate: { metadata: isPlainObject(obj.metadata) ? obj.metadata : {}, spec: obj.spec },
    };
  } else if (TEMPLATE_KINDS.has(kind)) {
    templatePath = ['spec', 'template'];
  } else if (kind === 'CronJob') {
    templatePath = ['spec', 'jobTemplate', 'spec', 'template'];
  } else {
    return undefined;
  }
  let template: any = obj;
  for (const key of templatePath) {
    template = isPlainObject(template) ? template[key] : undefined;
  }
  if (!isPlainObject(template) || !isPlainObject(template.spec)) return undefined;
  return {
    object: obj,
    kind,
    podSpec: template.spec,
    podSpecPath: [...templatePath, 'spec'],
    podTemplate: { metadata: isPlainObject(template.metadata) ? template.metadata : {}, spec: template.spec },
  };
}
