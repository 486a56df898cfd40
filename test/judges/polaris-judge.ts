/**
 * Judge (c): Polaris's own check definitions (vendored in `test/fixtures/polaris-checks/`, see its index.json and SOURCES.md),
 * evaluated with ajv (draft 2019-09, strict: false) and Polaris's target semantics.
 *
 * - Plain checks compile with two adaptations: a RegExp engine that turns Go's inline `(?i)` into the
 *   JS `i` flag, and dropping `required: null` (hostPortSet).
 * - The four templated checks (Go text/template and cross-object `additionalSchemaStrings`) are
 *   implemented by hand below, following their YAML: the plain `schema` part (when they have one) still
 *   runs through ajv, the templated part is evaluated in TypeScript.
 * - Objects are judged as Polaris sees them after Go typed decoding (nulls and unknown fields dropped;
 *   see `typedViews`).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv2019 from 'ajv/dist/2019';
import type { ValidateFunction } from 'ajv/dist/2019';
import { parse as parseYaml } from 'yaml';
import { formatPath, groupOf, isPlainObject, refOf, Workload, workloadOf } from './objects';
import { SchemaVersion, typedViews } from './schema-judge';
import { Finding, Manifest } from './types';

/** Where the Polaris checks live: `SUPERLATCH_POLARIS_CHECKS` or the vendored `test/fixtures/polaris-checks`. */
export const POLARIS_CHECKS_DIR = process.env.SUPERLATCH_POLARIS_CHECKS
  ?? path.resolve(__dirname, '..', 'fixtures', 'polaris-checks');

interface IndexEntry {
  readonly id: string;
  readonly file: string;
  readonly plainJsonSchema: boolean;
  readonly defaultSeverity: string;
  readonly tests: readonly string[];
}

interface IncludeExclude {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

/** The parts of a Polaris check file the judge uses. */
interface CheckFile {
  readonly target: string;
  readonly schemaTarget?: string;
  readonly controllers?: IncludeExclude;
  readonly containers?: IncludeExclude;
  readonly schema?: Record<string, unknown>;
  readonly schemaString?: string;
  readonly successMessage?: string;
  readonly failureMessage?: string;
  readonly FailureMessage?: string;
}

/** What a check is evaluated against. */
interface CheckContext {
  /** The target value: container, pod spec (or its copy), pod template or whole object. */
  readonly value: unknown;
  readonly object: Manifest;
  readonly workload?: Workload;
  readonly container?: Record<string, any>;
  /** Every manifest object (typed view), for the cross-object checks. */
  readonly all: readonly Manifest[];
}

/** A loaded Polaris check. */
export interface PolarisCheck {
  readonly id: string;
  readonly severity: string;
  readonly target: string;
  readonly schemaTarget?: string;
  readonly templated: boolean;
  readonly message: string;
  readonly controllers: IncludeExclude;
  readonly containers: IncludeExclude;
  /** True when the target passes the check. */
  readonly passes: (ctx: CheckContext) => boolean;
  /** Polaris's own test objects for this check (absolute paths). */
  readonly tests: readonly string[];
}

/** Go's `(?i)` inline flag, anywhere in the pattern, becomes the JS `i` flag. */
const goRegExp = Object.assign(
  (pattern: string, flags: string) => {
    const caseless = pattern.includes('(?i)');
    return new RegExp(pattern.split('(?i)').join(''), caseless ? `${flags}i` : flags);
  },
  { code: 'goRegExp' },
);

/** Removes `required: null` (Go's schema library tolerates it, ajv does not). */
function dropNullRequired(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNullRequired);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'required' && child === null) continue;
    out[key] = dropNullRequired(child);
  }
  return out;
}

const RE_ALL = goRegExp('^(?i)ALL$', 'u');
const RE_INGRESS = goRegExp('^(?i)Ingress$', 'u');
const RE_EGRESS = goRegExp('^(?i)Egress$', 'u');

function sameNamespace(a: Manifest, b: Manifest): boolean {
  return (a.metadata?.namespace ?? '') === (b.metadata?.namespace ?? '');
}

function ofKind(all: readonly Manifest[], group: string, kind: string, near: Manifest): Manifest[] {
  return all.filter((o) => o.kind === kind && typeof o.apiVersion === 'string' && groupOf(o.apiVersion) === group && sameNamespace(o, near));
}

/**
 * A label value as the templated checks see it: Polaris writes it unquoted into YAML (`const: {{ $value }}`),
 * so `"true"` or `"1.0"` become a bool or a number there and can never match a string label.
 */
function renderedLabelValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parseYaml(value, { version: '1.1' });
  } catch {
    return undefined;
  }
}

/** Does `matchLabels` contain the pod label `key: value` (as the templated schema renders it)? */
function labelBranchMatches(matchLabels: Record<string, unknown>, key: string, value: unknown): boolean {
  const rendered = renderedLabelValue(value);
  return Object.prototype.hasOwnProperty.call(matchLabels, key)
    && typeof matchLabels[key] === 'string'
    && matchLabels[key] === rendered;
}

// --- the four templated checks -------------------------------------------------------------------

/** templated/linuxHardening.yaml (target Container). */
function linuxHardening(ctx: CheckContext): boolean {
  const container = ctx.container ?? {};
  const podSpec = ctx.workload?.podSpec ?? {};
  const annotations = ctx.workload?.podTemplate.metadata.annotations;
  const annotation = isPlainObject(annotations) ? annotations[`container.apparmor.security.beta.kubernetes.io/${container.name}`] : undefined;
  if (annotation !== undefined && annotation !== null && annotation !== '' && annotation !== false) return true;

  const sc = container.securityContext;
  const podSc = isPlainObject(podSpec.securityContext) ? podSpec.securityContext : {};

  // podOrContainerSeccompProfile
  const podType = isPlainObject(podSc.seccompProfile) ? podSc.seccompProfile.type : undefined;
  const podUnset = !podType || podType === 'Unconfined';
  let seccomp: boolean;
  if (podUnset) {
    const type = isPlainObject(sc) && isPlainObject(sc.seccompProfile) ? sc.seccompProfile.type : undefined;
    seccomp = typeof type === 'string' && type.length >= 1 && type !== 'Unconfined';
  } else {
    seccomp = sc === undefined || (isPlainObject(sc) && (sc.seccompProfile === undefined || (isPlainObject(sc.seccompProfile)
      && (sc.seccompProfile.type === undefined || (typeof sc.seccompProfile.type === 'string' && sc.seccompProfile.type !== 'Unconfined')))));
  }

  // podOrContainerSELinuxOptions
  const podSELinux = podSc.seLinuxOptions;
  const podHasSELinux = isPlainObject(podSELinux) ? Object.keys(podSELinux).length > 0 : Boolean(podSELinux);
  const selinux = podHasSELinux
    || (isPlainObject(sc) && isPlainObject(sc.seLinuxOptions) && Object.keys(sc.seLinuxOptions).length >= 1);

  // containerDropCapabilities
  const caps = isPlainObject(sc) ? sc.capabilities : undefined;
  const dropCaps = isPlainObject(caps)
    && Array.isArray(caps.drop) && caps.drop.length >= 1
    && (caps.add === undefined || (Array.isArray(caps.add) && caps.add.every((c: unknown) => typeof c === 'string' && !RE_ALL.test(c))));

  return seccomp || selinux || dropCaps;
}

/** templated/automountServiceAccountToken.yaml, cross-object part (ServiceAccount). */
function automountServiceAccount(ctx: CheckContext): boolean {
  const podSpec = ctx.value as Record<string, any>;
  // `{{ if not (eq .Polaris.PodSpec.automountServiceAccountToken false) }}`: the extra schema is empty
  // (and skipped) when the pod turns the token off.
  if (podSpec.automountServiceAccountToken === false) return true;
  // `const: "{{ .Polaris.PodSpec.serviceAccountName }}"`: Go renders a missing key as "<no value>".
  const wanted = typeof podSpec.serviceAccountName === 'string' ? podSpec.serviceAccountName : '<no value>';
  return ofKind(ctx.all, '', 'ServiceAccount', ctx.object).some((sa) =>
    isPlainObject(sa.metadata) && sa.metadata.name === wanted && sa.automountServiceAccountToken === false);
}

/** templated/missingNetworkPolicy.yaml, cross-object part (NetworkPolicy). */
function networkPolicyMatches(ctx: CheckContext): boolean {
  const labels = ctx.workload?.podTemplate.metadata.labels;
  const podLabels = isPlainObject(labels) ? Object.entries(labels) : [];
  return ofKind(ctx.all, 'networking.k8s.io', 'NetworkPolicy', ctx.object).some((np) => {
    const spec = np.spec;
    if (spec === undefined) return true; // the rendered schema does not require spec
    if (!isPlainObject(spec)) return false;
    const selector = spec.podSelector;
    if (!isPlainObject(selector) || !isPlainObject(selector.matchLabels)) return false;
    const matchLabels = selector.matchLabels;
    // oneOf over the pod's labels: exactly one pod label may be matched.
    if (podLabels.filter(([k, v]) => labelBranchMatches(matchLabels, k, v)).length !== 1) return false;
    if (!Array.isArray(spec.egress) || spec.egress.length < 1) return false;
    if (!Array.isArray(spec.ingress) || spec.ingress.length < 1) return false;
    if (spec.policyTypes !== undefined) {
      if (!Array.isArray(spec.policyTypes)) return false;
      const types = spec.policyTypes.filter((t: unknown): t is string => typeof t === 'string');
      if (!types.some((t) => RE_EGRESS.test(t)) || !types.some((t) => RE_INGRESS.test(t))) return false;
    }
    return true;
  });
}

/** templated/missingPodDisruptionBudget.yaml, cross-object part (PodDisruptionBudget). */
function disruptionBudgetMatches(ctx: CheckContext): boolean {
  const labels = ctx.object.spec?.template?.metadata?.labels;
  const podLabels = isPlainObject(labels) ? Object.entries(labels) : [];
  return ofKind(ctx.all, 'policy', 'PodDisruptionBudget', ctx.object).some((pdb) => {
    const spec = pdb.spec;
    if (spec === undefined) return true; // the rendered schema does not require spec
    if (!isPlainObject(spec)) return false;
    const selector = spec.selector;
    if (!isPlainObject(selector) || !isPlainObject(selector.matchLabels)) return false;
    const matchLabels = selector.matchLabels;
    // anyOf over the pod template's labels.
    return podLabels.some(([k, v]) => labelBranchMatches(matchLabels, k, v));
  });
}

/** The hand-written parts of the templated checks; `null` = the whole check is hand-written. */
const TEMPLATED: Readonly<Record<string, { readonly extra: (ctx: CheckContext) => boolean; readonly usesSchema: boolean }>> = {
  linuxHardening: { extra: linuxHardening, usesSchema: false },
  automountServiceAccountToken: { extra: automountServiceAccount, usesSchema: true },
  missingNetworkPolicy: { extra: networkPolicyMatches, usesSchema: true },
  missingPodDisruptionBudget: { extra: disruptionBudgetMatches, usesSchema: true },
};

// --- loading --------------------------------------------------------------------------------------

let loaded: PolarisCheck[] | undefined;

/** Loads (once) and compiles every check listed in index.json. */
export function polarisChecks(): PolarisCheck[] {
  if (loaded) return loaded;
  const indexFile = path.join(POLARIS_CHECKS_DIR, 'index.json');
  if (!fs.existsSync(indexFile)) {
    throw new Error(`Polaris checks not found at ${POLARIS_CHECKS_DIR} (set SUPERLATCH_POLARIS_CHECKS to their directory)`);
  }
  const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { checks: IndexEntry[] };
  const ajv = new Ajv2019({ strict: false, code: { regExp: goRegExp } });
  const compile = (schema: unknown, id: string): ValidateFunction => {
    try {
      return ajv.compile(dropNullRequired(schema) as Record<string, unknown>);
    } catch (err) {
      throw new Error(`Polaris check ${id} does not compile: ${(err as Error).message}`);
    }
  };
  loaded = index.checks.map((entry): PolarisCheck => {
    const file = parseYaml(fs.readFileSync(path.join(POLARIS_CHECKS_DIR, entry.file), 'utf8')) as CheckFile;
    const common = {
      id: entry.id,
      severity: entry.defaultSeverity,
      target: file.target,
      schemaTarget: file.schemaTarget,
      message: file.failureMessage ?? file.FailureMessage ?? file.successMessage ?? entry.id,
      controllers: file.controllers ?? {},
      containers: file.containers ?? {},
      tests: entry.tests.map((t) => path.join(POLARIS_CHECKS_DIR, t)),
    };
    if (entry.plainJsonSchema) {
      const validate = compile(file.schema ?? parseYaml(file.schemaString ?? ''), entry.id);
      return { ...common, templated: false, passes: (ctx) => validate(ctx.value) };
    }
    const templated = TEMPLATED[entry.id];
    if (!templated) {
      throw new Error(`Polaris check ${entry.id} is templated and the judge has no implementation of it`);
    }
    const validate = templated.usesSchema ? compile(file.schema, entry.id) : undefined;
    // Polaris evaluates the additional (cross-object) schemas only when the main schema passed.
    return { ...common, templated: true, passes: (ctx) => (validate ? validate(ctx.value) : true) && templated.extra(ctx) };
  });
  return loaded;
}

// --- evaluation -----------------------------------------------------------------------------------

function controllerApplies(check: PolarisCheck, kind: string): boolean {
  const { include, exclude } = check.controllers;
  if (include && include.length > 0 && !include.includes(kind)) return false;
  return !(exclude ?? []).includes(kind);
}

function containerApplies(check: PolarisCheck, isInit: boolean): boolean {
  const { include, exclude } = check.containers;
  const name = isInit ? 'initContainer' : 'container';
  if (include && include.length > 0 && !include.includes(name)) return false;
  return !(exclude ?? []).includes(name);
}

/** `policy/PodDisruptionBudget`, `/ConfigMap`: Polaris matches the kind (the text after the last `/`). */
function kindTargetMatches(target: string, kind: string): boolean {
  return target === kind || target.endsWith(`/${kind}`);
}

const HANDLED_TARGETS = new Set(['Container', 'PodSpec', 'PodTemplate', 'Controller']);

/** Options of `runPolarisJudge`. */
export interface PolarisOptions {
  /** Evaluate only these check ids (default: every check). */
  readonly only?: readonly string[];
  /** The Kubernetes version whose typed view Polaris sees (default 1.27). */
  readonly kubernetesVersion?: SchemaVersion;
}

/** Judge (c): evaluates every applicable Polaris check on every object. */
export function runPolarisJudge(manifests: readonly Manifest[], options: PolarisOptions = {}): Finding[] {
  const checks = polarisChecks().filter((c) => !options.only || options.only.includes(c.id));
  const typed = typedViews(manifests, options.kubernetesVersion);
  const findings: Finding[] = [];
  typed.forEach((obj, index) => {
    const object = refOf(manifests[index]);
    const workload = workloadOf(obj);
    const fail = (check: PolarisCheck, at: readonly (string | number)[], container?: string) => {
      findings.push({
        judge: 'polaris',
        id: check.id,
        message: check.message,
        object,
        path: at.length > 0 ? formatPath(at) : undefined,
        severity: check.severity,
        ...(container !== undefined ? { container } : {}),
      });
    };
    for (const check of checks) {
      if (!HANDLED_TARGETS.has(check.target)) {
        if (typeof obj.kind === 'string' && kindTargetMatches(check.target, obj.kind) && !check.passes({ value: obj, object: obj, all: typed })) {
          fail(check, []);
        }
        continue;
      }
      if (!workload || !controllerApplies(check, workload.kind)) continue;
      const base = { object: obj, workload, all: typed };
      switch (check.target) {
        case 'Controller':
          if (!check.passes({ ...base, value: obj })) fail(check, []);
          break;
        case 'PodSpec':
          if (!check.passes({ ...base, value: workload.podSpec })) fail(check, workload.podSpecPath);
          break;
        case 'PodTemplate':
          if (!check.passes({ ...base, value: workload.podTemplate })) fail(check, workload.podSpecPath.slice(0, -1));
          break;
        case 'Container':
          for (const field of ['containers', 'initContainers'] as const) {
            const list = workload.podSpec[field];
            if (!Array.isArray(list) || !containerApplies(check, field === 'initContainers')) continue;
            list.forEach((container: unknown, i: number) => {
              if (!isPlainObject(container)) return;
              const value = check.schemaTarget === 'PodSpec'
                ? { ...workload.podSpec, initContainers: [], containers: [container] }
                : container;
              if (!check.passes({ ...base, value, container })) {
                fail(check, [...workload.podSpecPath, field, i], typeof container.name === 'string' ? container.name : `#${i}`);
              }
            });
          }
          break;
      }
    }
  });
  return findings;
}
