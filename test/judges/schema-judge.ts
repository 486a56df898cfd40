/**
 * Judge (a): the Kubernetes 1.27 OpenAPI schema, as shipped by kubernetes-models@4.4.2.
 *
 * kubernetes-models ships its schemas only as precompiled ajv validators (no JSON schema or
 * definitions to walk), and those validators ignore unknown fields. The unknown-field check therefore
 * observes the validator itself: the object is handed to it behind a read-tracking Proxy. A generated
 * validator reads every property its schema declares (`data.x === undefined || validate(data.x)`) and
 * enumerates map-like objects (`for (key in data)`), so an object key that the validator never read,
 * in an object whose schema declares properties, is a field the 1.27 schema does not know.
 */
import * as admissionregistrationV1 from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apiextensionsV1 from 'kubernetes-models/apiextensions.k8s.io/v1';
import * as apiregistrationV1 from 'kubernetes-models/apiregistration.k8s.io/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as authenticationV1 from 'kubernetes-models/authentication.k8s.io/v1';
import * as authorizationV1 from 'kubernetes-models/authorization.k8s.io/v1';
import * as autoscalingV1 from 'kubernetes-models/autoscaling/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as certificatesV1 from 'kubernetes-models/certificates.k8s.io/v1';
import * as coordinationV1 from 'kubernetes-models/coordination.k8s.io/v1';
import * as discoveryV1 from 'kubernetes-models/discovery.k8s.io/v1';
import * as eventsV1 from 'kubernetes-models/events.k8s.io/v1';
import * as flowcontrolV1beta2 from 'kubernetes-models/flowcontrol.apiserver.k8s.io/v1beta2';
import * as flowcontrolV1beta3 from 'kubernetes-models/flowcontrol.apiserver.k8s.io/v1beta3';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as nodeV1 from 'kubernetes-models/node.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as schedulingV1 from 'kubernetes-models/scheduling.k8s.io/v1';
import * as storageV1 from 'kubernetes-models/storage.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { formatPath, isPlainObject, PathSegment, refOf } from './objects';
import { Finding, Manifest, ObjectRef } from './types';

/** A kubernetes-models model class: static type meta and a prototype `validate()`. */
interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(this: unknown): void };
}

/** The group versions a 1.27 API server serves by default and kubernetes-models 4.4.2 models. */
const SERVED_GROUP_VERSIONS: readonly object[] = [
  coreV1, admissionregistrationV1, apiextensionsV1, apiregistrationV1, appsV1, authenticationV1, authorizationV1,
  autoscalingV1, autoscalingV2, batchV1, certificatesV1, coordinationV1, discoveryV1, eventsV1,
  flowcontrolV1beta2, flowcontrolV1beta3, networkingV1, nodeV1, policyV1, rbacV1, schedulingV1, storageV1,
];

/**
 * Group versions kubernetes-models still models but Kubernetes 1.27 no longer serves, with the release
 * that removed them (kinds listed when only some kinds of the group version were removed).
 */
const REMOVED_GROUP_VERSIONS: Readonly<Record<string, { removedIn: string; kinds?: readonly string[] }>> = {
  'extensions/v1beta1': { removedIn: '1.22' },
  'apps/v1beta1': { removedIn: '1.16' },
  'apps/v1beta2': { removedIn: '1.16' },
  'batch/v1beta1': { removedIn: '1.25' },
  'policy/v1beta1': { removedIn: '1.25' },
  'autoscaling/v2beta1': { removedIn: '1.25' },
  'autoscaling/v2beta2': { removedIn: '1.26' },
  'networking.k8s.io/v1beta1': { removedIn: '1.22' },
  'rbac.authorization.k8s.io/v1beta1': { removedIn: '1.22' },
  'scheduling.k8s.io/v1beta1': { removedIn: '1.22' },
  'storage.k8s.io/v1beta1': { removedIn: '1.22 (CSIStorageCapacity: 1.27)' },
  'admissionregistration.k8s.io/v1beta1': { removedIn: '1.22' },
  'apiextensions.k8s.io/v1beta1': { removedIn: '1.22' },
  'apiregistration.k8s.io/v1beta1': { removedIn: '1.22' },
  'certificates.k8s.io/v1beta1': { removedIn: '1.22' },
  'coordination.k8s.io/v1beta1': { removedIn: '1.22' },
  'discovery.k8s.io/v1beta1': { removedIn: '1.25' },
  'events.k8s.io/v1beta1': { removedIn: '1.25' },
  'node.k8s.io/v1beta1': { removedIn: '1.25' },
  'flowcontrol.apiserver.k8s.io/v1beta1': { removedIn: '1.26' },
  'authorization.k8s.io/v1beta1': { removedIn: '1.22' },
  'authentication.k8s.io/v1beta1': { removedIn: '1.22', kinds: ['TokenReview'] },
};

/**
 * Fields that exist in Kubernetes 1.27 but that kubernetes-models 4.4.2 dropped while generating its
 * validators (it strips every `description` and `x-kubernetes-*` key from the OpenAPI document, which also
 * removes the real fields of those names). Matched against `kind` and the formatted path.
 */
const SCHEMA_GAPS: ReadonlyArray<{ readonly kind: string; readonly path: RegExp }> = [
  { kind: 'PriorityClass', path: /^description$/ },
  { kind: 'CustomResourceDefinition', path: /^spec\.versions\[\d+\]\.additionalPrinterColumns\[\d+\]\.description$/ },
  { kind: 'CustomResourceDefinition', path: /^spec\.versions\[\d+\]\.schema\.openAPIV3Schema(\..+|\[.+)?\.(description|x-kubernetes-[a-z-]+)$/ },
];

function isSchemaGap(kind: string, path: string): boolean {
  return SCHEMA_GAPS.some((gap) => gap.kind === kind && gap.path.test(path));
}

function isModelClass(value: unknown): value is ModelClass {
  return typeof value === 'function'
    && typeof (value as any).apiVersion === 'string'
    && typeof (value as any).kind === 'string'
    && typeof (value as any).prototype?.validate === 'function';
}

let registry: Map<string, ModelClass> | undefined;
let servedApiVersions: Set<string> | undefined;

function modelRegistry(): Map<string, ModelClass> {
  if (!registry) {
    registry = new Map();
    servedApiVersions = new Set();
    for (const groupVersion of SERVED_GROUP_VERSIONS) {
      for (const value of Object.values(groupVersion)) {
        if (isModelClass(value)) {
          registry.set(`${value.apiVersion}/${value.kind}`, value);
          servedApiVersions.add(value.apiVersion);
        }
      }
    }
  }
  return registry;
}

/** The model class for an apiVersion/kind, if Kubernetes 1.27 serves it. */
export function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  return modelRegistry().get(`${apiVersion}/${kind}`);
}

/** Every `apiVersion/kind` the schema judge validates (sorted). */
export function validatedKinds(): string[] {
  return [...modelRegistry().keys()].sort();
}

/** What the validator did with one object node (see the file comment). */
interface NodeRecord {
  readonly path: readonly PathSegment[];
  readonly target: Record<string, unknown>;
  readonly read: Set<string>;
  enumerated: boolean;
}

/** Wraps `value` so that every property read and key enumeration on plain objects is recorded. */
function track(value: unknown, path: PathSegment[], records: NodeRecord[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record: NodeRecord | undefined = Array.isArray(value)
    ? undefined
    : { path, target: value as Record<string, unknown>, read: new Set(), enumerated: false };
  if (record) records.push(record);
  const children = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return child;
      record?.read.add(key);
      if (typeof child !== 'object' || child === null || !Object.prototype.hasOwnProperty.call(target, key)) return child;
      if (!children.has(key)) {
        children.set(key, track(child, [...path, Array.isArray(target) ? Number(key) : key], records));
      }
      return children.get(key);
    },
    ownKeys(target) {
      if (record) record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

/** An ajv error as produced by kubernetes-models validators (after its English localisation). */
interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params?: Record<string, unknown>;
  readonly message?: string;
}

interface ValidationOutcome {
  readonly errors: AjvError[];
  /** Paths of fields the schema does not know. */
  readonly unknownFields: PathSegment[][];
}

/** Runs the model's validator over `obj` and reports its errors and the unknown fields. */
function validateWithModel(model: ModelClass, obj: Manifest): ValidationOutcome {
  const records: NodeRecord[] = [];
  const proxy = track(obj, [], records);
  let errors: AjvError[] = [];
  try {
    model.prototype.validate.call(proxy);
  } catch (err) {
    const list = (err as { errors?: unknown }).errors;
    if (!Array.isArray(list)) throw err;
    errors = list as AjvError[];
  }
  const unknownFields: PathSegment[][] = [];
  for (const record of records) {
    // A validator that neither read nor enumerated anything has no declared properties
    // (a free-form object such as RawExtension): nothing to judge there.
    if (record.enumerated || record.read.size === 0) continue;
    for (const key of Object.keys(record.target)) {
      const at = [...record.path, key];
      if (!record.read.has(key) && !isSchemaGap(model.kind, formatPath(at))) unknownFields.push(at);
    }
  }
  return { errors, unknownFields };
}

function pointerToSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describeError(error: AjvError): string {
  const params = error.params ?? {};
  switch (error.keyword) {
    case 'required':
      return `missing required field "${String(params.missingProperty)}"`;
    case 'enum':
      return `must be one of ${JSON.stringify(params.allowedValues)}`;
    default:
      return error.message ?? `fails "${error.keyword}" ${JSON.stringify(params)}`;
  }
}

/** Judge (a): validates every object against the Kubernetes 1.27 schema. */
export function runSchemaJudge(manifests: readonly Manifest[]): { findings: Finding[]; notValidated: ObjectRef[] } {
  const findings: Finding[] = [];
  const notValidated: ObjectRef[] = [];
  modelRegistry();
  for (const obj of manifests) {
    const object = refOf(obj);
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || obj.apiVersion === '' || obj.kind === '') {
      findings.push({ judge: 'schema', id: 'missing-type-meta', message: 'apiVersion and kind must be non-empty strings', object });
      continue;
    }
    const model = modelFor(obj.apiVersion, obj.kind);
    if (!model) {
      const removed = REMOVED_GROUP_VERSIONS[obj.apiVersion];
      if (removed && (!removed.kinds || removed.kinds.includes(obj.kind))) {
        findings.push({
          judge: 'schema',
          id: 'removed-api',
          message: `${obj.apiVersion} ${obj.kind} is not served by Kubernetes 1.27 (removed in ${removed.removedIn})`,
          object,
          path: 'apiVersion',
        });
      } else if (servedApiVersions!.has(obj.apiVersion)) {
        findings.push({
          judge: 'schema',
          id: 'unknown-kind',
          message: `Kubernetes 1.27 has no kind "${obj.kind}" in ${obj.apiVersion}`,
          object,
          path: 'kind',
        });
      } else {
        notValidated.push(object);
      }
      continue;
    }
    const { errors, unknownFields } = validateWithModel(model, obj);
    const seen = new Set<string>();
    for (const error of errors) {
      const path = formatPath(pointerToSegments(error.instancePath));
      const message = describeError(error);
      const key = `${error.keyword}|${path}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ judge: 'schema', id: error.keyword, message: `${path || '(object)'}: ${message}`, object, path: path || undefined });
    }
    for (const segments of unknownFields) {
      const path = formatPath(segments);
      findings.push({ judge: 'schema', id: 'unknown-field', message: `${path}: field not in the Kubernetes 1.27 schema of ${obj.apiVersion} ${obj.kind}`, object, path });
    }
  }
  return { findings, notValidated };
}

/**
 * Returns a copy of `obj` as a Go client would see it after typed decoding: nulls removed, fields the
 * 1.27 schema does not know removed, numeric resource quantities turned into strings. Polaris evaluates
 * such typed objects, so the Polaris judge feeds it this view. Objects of unknown kinds only lose nulls.
 */
export function typedView(obj: Manifest): Manifest {
  const copy = stripNulls(obj) as Manifest;
  const model = typeof copy.apiVersion === 'string' && typeof copy.kind === 'string' ? modelFor(copy.apiVersion, copy.kind) : undefined;
  if (model) {
    for (const segments of validateWithModel(model, copy).unknownFields) {
      let parent: any = copy;
      for (const segment of segments.slice(0, -1)) parent = parent[segment];
      delete parent[segments[segments.length - 1]];
    }
  }
  stringifyQuantities(copy);
  return copy;
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (child !== null && child !== undefined) out[key] = stripNulls(child);
    }
    return out;
  }
  return value;
}

function stringifyQuantities(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(stringifyQuantities);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if ((key === 'limits' || key === 'requests') && isPlainObject(child)) {
      for (const [resource, quantity] of Object.entries(child)) {
        if (typeof quantity === 'number') child[resource] = String(quantity);
      }
    } else {
      stringifyQuantities(child);
    }
  }
}
