/**
 * Judge (a): the Kubernetes OpenAPI schema of the target version: 1.27 as shipped by
 * kubernetes-models@4.4.2 (in process), 1.36 as shipped by kubernetes-models@5.1.0 (generated from
 * Kubernetes v1.36.0; ESM-only, so it runs in a child process, schema-runner.mjs).
 *
 * kubernetes-models ships its schemas only as precompiled ajv validators (no JSON schema or
 * definitions to walk), and those validators ignore unknown fields. The unknown-field check therefore
 * observes the validator itself (schema-track.cjs): the object is handed to it behind a read-tracking
 * Proxy, and an object key that the validator never read, in an object whose schema declares
 * properties, is a field the schema does not know.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
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

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateWithModel: observe } = require('./schema-track.cjs') as {
  validateWithModel(validate: (this: unknown) => void, obj: unknown): { errors: AjvError[]; unknownFields: PathSegment[][] };
};

/** The Kubernetes versions the schema judge has a schema for. */
export type SchemaVersion = '1.27' | '1.36';

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

/** Runs the model's validator over `obj` and reports its errors and the unknown fields (schema gaps aside). */
function validateWithModel(model: ModelClass, obj: Manifest): ValidationOutcome {
  const { errors, unknownFields } = observe(model.prototype.validate, obj);
  return { errors, unknownFields: unknownFields.filter((at) => !isSchemaGap(model.kind, formatPath(at))) };
}

/** One object's outcome: validated against a model, or no model (in a group version the target serves, or not). */
type Outcome = ({ model: true } & ValidationOutcome) | { model: false; servedApiVersion: boolean };

/** The outcome of every object at 1.27, in this process. */
function outcomes127(manifests: readonly Manifest[]): Outcome[] {
  modelRegistry();
  return manifests.map((obj) => {
    const model = modelFor(obj.apiVersion, obj.kind);
    return model ? { model: true, ...validateWithModel(model, obj) } : { model: false, servedApiVersion: servedApiVersions!.has(obj.apiVersion) };
  });
}

/** Runs schema-runner.mjs for a newer target. */
function runner(input: object): any {
  const result = spawnSync(process.execPath, [join(__dirname, 'schema-runner.mjs')], {
    input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`schema runner failed (status ${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The outcome of every object at `version` (typed objects only: apiVersion and kind are strings). */
function outcomesAt(manifests: readonly Manifest[], version: SchemaVersion): Outcome[] {
  if (version === '1.27') return outcomes127(manifests);
  const outcomes: Outcome[] = runner({ version, manifests });
  const withoutGaps = (o: ValidationOutcome, kind: string) => o.unknownFields.filter((at) => !isSchemaGap(kind, formatPath(at)));
  return outcomes.map((o, i) => (o.model ? { ...o, unknownFields: withoutGaps(o, manifests[i].kind) } : o));
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

/** Group versions removed by 1.36 in addition to those removed by 1.27. */
const REMOVED_BY_1_36: Readonly<Record<string, { removedIn: string; kinds?: readonly string[] }>> = {
  'flowcontrol.apiserver.k8s.io/v1beta2': { removedIn: '1.29' },
  'flowcontrol.apiserver.k8s.io/v1beta3': { removedIn: '1.32' },
};

function removedAt(version: SchemaVersion, apiVersion: string) {
  return (version === '1.36' ? REMOVED_BY_1_36[apiVersion] : undefined) ?? REMOVED_GROUP_VERSIONS[apiVersion];
}

/** The findings of one object that has no model at `version`, or its ref when it is a custom resource. */
function noModelFinding(obj: Manifest, object: ObjectRef, served: boolean, version: SchemaVersion): Finding | undefined {
  const removed = removedAt(version, obj.apiVersion);
  if (removed && (!removed.kinds || removed.kinds.includes(obj.kind))) {
    return { judge: 'schema', id: 'removed-api', message: `${obj.apiVersion} ${obj.kind} is not served by Kubernetes ${version} (removed in ${removed.removedIn})`, object, path: 'apiVersion' };
  }
  if (served) return { judge: 'schema', id: 'unknown-kind', message: `Kubernetes ${version} has no kind "${obj.kind}" in ${obj.apiVersion}`, object, path: 'kind' };
  return undefined;
}

/**
 * Judge (a): validates every object against the Kubernetes schema of `version`.
 * @param version the target's schema (default 1.27)
 */
export function runSchemaJudge(manifests: readonly Manifest[], version: SchemaVersion = '1.27'): { findings: Finding[]; notValidated: ObjectRef[] } {
  const findings: Finding[] = [];
  const notValidated: ObjectRef[] = [];
  const typed = manifests.filter((obj) => typeof obj.apiVersion === 'string' && typeof obj.kind === 'string' && obj.apiVersion !== '' && obj.kind !== '');
  const outcomes = new Map(outcomesAt(typed, version).map((o, i) => [typed[i], o]));
  for (const obj of manifests) {
    const object = refOf(obj);
    const outcome = outcomes.get(obj);
    if (!outcome) {
      findings.push({ judge: 'schema', id: 'missing-type-meta', message: 'apiVersion and kind must be non-empty strings', object });
    } else if (!outcome.model) {
      const finding = noModelFinding(obj, object, outcome.servedApiVersion, version);
      if (finding) findings.push(finding);
      else notValidated.push(object);
    } else {
      findings.push(...modelFindings(obj, object, outcome, version));
    }
  }
  return { findings, notValidated };
}

/** The errors (once each) and unknown fields of one validated object. */
function modelFindings(obj: Manifest, object: ObjectRef, { errors, unknownFields }: ValidationOutcome, version: SchemaVersion): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const at = formatPath(pointerToSegments(error.instancePath));
    const message = describeError(error);
    const key = `${error.keyword}|${at}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push({ judge: 'schema', id: error.keyword, message: `${at || '(object)'}: ${message}`, object, path: at || undefined });
  }
  for (const segments of unknownFields) {
    const at = formatPath(segments);
    findings.push({ judge: 'schema', id: 'unknown-field', message: `${at}: field not in the Kubernetes ${version} schema of ${obj.apiVersion} ${obj.kind}`, object, path: at });
  }
  return findings;
}

/**
 * Returns a copy of every object as a Go client would see it after typed decoding: nulls removed,
 * fields the target's schema does not know removed, numeric resource quantities turned into strings.
 * Polaris evaluates such typed objects, so the Polaris judge feeds it this view. Objects of unknown
 * kinds only lose nulls.
 */
export function typedViews(manifests: readonly Manifest[], version: SchemaVersion = '1.27'): Manifest[] {
  const copies = manifests.map((obj) => stripNulls(obj) as Manifest);
  const typed = copies.filter((c) => typeof c.apiVersion === 'string' && typeof c.kind === 'string');
  outcomesAt(typed, version).forEach((outcome, i) => {
    if (!outcome.model) return;
    for (const segments of outcome.unknownFields) {
      let parent: any = typed[i];
      for (const segment of segments.slice(0, -1)) parent = parent[segment];
      delete parent[segments[segments.length - 1]];
    }
  });
  copies.forEach(stringifyQuantities);
  return copies;
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
