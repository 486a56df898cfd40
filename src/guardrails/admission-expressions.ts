import { SuperlatchKeys } from '../contract';
import { DIGEST_SUFFIX, digestForms } from '../internal/digest';
import { WORKLOAD_KINDS } from '../internal/workload-kinds';
import type { LatchFacts } from '../latch/latch';
import { AGENT_CONTAINER, GATE_CONTAINER, STATUS_VOLUME } from '../latch/latch-pod';
import { LATCH_MODES } from '../latch/modes';
import type { StatusVolumeCel } from '../latch/modes/mode-strategy';

/**
 * The CEL expressions of `GuardrailAdmissionPolicy`: the invariants the rule
 * pack checks at synth time, checked again by the API server at admission.
 *
 * Every expression works on a Pod and on the pod template of every kind of
 * the workload-kind table (src/internal/workload-kinds.ts), told apart by
 * `object.kind`, and guards every optional field with `has()`, so a missing
 * field is a violation or "not applicable", never an evaluation error. No
 * `variables` (they do not exist in the 1.27 alpha API), so the same text
 * serves every API version.
 *
 * What is protected comes from facts fixed at synth time, written into the
 * expressions as literals: the latch's reserved volume and container names,
 * each latch's status directory, ConfigMap and image, and the workloads each
 * latch guards. Labels and annotations of the object under review can only
 * add requirements (a pod labelled guarded must carry the latch), never take
 * one away. On UPDATE, a change that leaves the pod spec (a Pod) or the pod
 * template (a workload) as it was is admitted by every pod-spec check, so a
 * finalizer removal or a scale to 0 of an old object is never blocked; the
 * latch's labels and annotations are checked against `oldObject` instead.
 */

/** One validation of the policy, with a stable name for messages and tests. */
export interface GuardrailValidation {
  readonly name: string;
  readonly expression: string;
  readonly message: string;
}

export interface GuardrailExpressionOptions {
  /** `localhostProfile` values accepted besides RuntimeDefault. */
  readonly allowedLocalhostProfiles: string[];
  /** Capabilities containers may add on top of `drop: [ALL]`. */
  readonly allowedCapabilities: string[];
  /** Image repositories the status writer must come from (empty: not checked). */
  readonly statusWriterImages: string[];
  /** Also check the pod templates of workloads, not only Pods. */
  readonly workloadTemplates: boolean;
  /** The latches of the app (their synth-time facts). */
  readonly latches: readonly LatchFacts[];
}

/** Label and annotation keys of the latch contract, which an UPDATE may not change. */
export const LATCH_LABEL_KEYS = [SuperlatchKeys.LATCH_LABEL, SuperlatchKeys.ROLE_LABEL];
export const LATCH_ANNOTATION_KEYS = [
  SuperlatchKeys.MODE_ANNOTATION, SuperlatchKeys.STATUS_VOLUME_ANNOTATION, SuperlatchKeys.WRITER_ANNOTATION,
  SuperlatchKeys.LATCH_CONTAINERS_ANNOTATION, SuperlatchKeys.CREDENTIALS_VOLUME_ANNOTATION,
];


/** A CEL string literal. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function celList(values: readonly string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/** `root.a.b` for path [a, b]; `root` for []. */
function pathOf(root: string, path: readonly string[]): string {
  return [root, ...path].join('.');
}

/** `has()` for every step of `path` under `root` (true for []). */
function hasPath(root: string, path: readonly string[]): string {
  if (path.length === 0) return 'true';
  return path.map((_, i) => `has(${pathOf(root, path.slice(0, i + 1))})`).join(' && ');
}

/** Where a predicate runs: the pod template `t` (the object itself for a Pod) and the same place in `oldObject`. */
interface PodPlace {
  readonly kinds: string[];
  readonly path: readonly string[];
}

/** The kind table grouped by where the pod template sits. */
function podPlaces(templates: boolean): PodPlace[] {
  const byPath = new Map<string, PodPlace>();
  for (const [kind, k] of Object.entries(WORKLOAD_KINDS)) {
    if (!templates && kind !== 'Pod') continue;
    const key = k.templatePath.join('.');
    const place = byPath.get(key) ?? { kinds: [], path: k.templatePath };
    place.kinds.push(kind);
    byPath.set(key, place);
  }
  return [...byPath.values()];
}

/** `predicate(t, old)` on the pod template of whatever object is admitted, dispatched on `object.kind`; other kinds pass. */
function onPodTemplate(predicate: (t: string, old: string, place: PodPlace) => string, templates: boolean): string {
  return podPlaces(templates).reduceRight((otherwise, place) => {
    const body = predicate(pathOf('object', place.path), pathOf('oldObject', place.path), place);
    const here = place.path.length === 0 ? body : `${hasPath('object', place.path)} && (${body})`;
    return `(object.kind in ${celList(place.kinds)} ? (${here}) : ${otherwise})`;
  }, 'true');
}

/**
 * An UPDATE that leaves the pod spec (Pod) or the whole pod template (workload) as it was.
 * Pod metadata (finalizers, labels) and a workload's replicas are outside what is compared.
 */
function unchanged(place: PodPlace): string {
  const [t, old] = place.path.length === 0 ? ['object.spec', 'oldObject.spec'] : [pathOf('object', place.path), pathOf('oldObject', place.path)];
  const oldPath = place.path.length === 0 ? ['spec'] : place.path;
  return `(request.operation == 'UPDATE' && oldObject != null && ${hasPath('oldObject', oldPath)} && ${hasPath('object', oldPath)} && ${t} == ${old})`;
}

/** A pod-spec check that an unchanged UPDATE passes. */
function specCheck(check: (t: string) => string, templates: boolean): string {
  return onPodTemplate((t, _old, place) => `${unchanged(place)} || (${check(t)})`, templates);
}

/** `predicate(c)` holds for every init, regular and ephemeral container of pod spec `s`. */
function everyContainer(s: string, predicate: string): string {
  return ['initContainers', 'containers', 'ephemeralContainers']
    .map((list) => `(!has(${s}.${list}) || ${s}.${list}.all(c, ${predicate}))`)
    .join(' && ');
}

function inMap(t: string, field: 'labels' | 'annotations', key: string): string {
  return `(has(${t}.metadata) && has(${t}.metadata.${field}) && ${key} in ${t}.metadata.${field})`;
}

function hasAnnotation(t: string, key: string): string {
  return inMap(t, 'annotations', celString(key));
}

function annotation(t: string, key: string): string {
  return `${t}.metadata.annotations[${celString(key)}]`;
}

function hasLabelValue(t: string, key: string, value: string): string {
  return `(${inMap(t, 'labels', celString(key))} && ${t}.metadata.labels[${celString(key)}] == ${celString(value)})`;
}

function hasAnnotationValue(t: string, key: string, value: string): string {
  return `(${hasAnnotation(t, key)} && ${annotation(t, key)} == ${celString(value)})`;
}

/** A container `c` of `initContainers` is a native sidecar (Kubernetes 1.29+): it runs beside the application. */
const RESTARTABLE = "(has(c.restartPolicy) && c.restartPolicy == 'Always')";

/**
 * The pod's status volume is an emptyDir that the container named like the agent mounts
 * read-write: a regular container or, when a latch of the app runs native sidecars, a
 * restartable init container (never a plain init container, which runs before the application).
 */
function agentWritesEmptyDir(s: string, nativeSidecars: boolean): string {
  const writes = `c.name == ${celString(AGENT_CONTAINER)} && has(c.volumeMounts)`
    + ` && c.volumeMounts.exists(m, m.name == ${celString(STATUS_VOLUME)} && (!has(m.readOnly) || m.readOnly == false))`;
  const inContainers = `has(${s}.containers) && ${s}.containers.exists(c, ${writes})`;
  const writer = nativeSidecars ? `((${inContainers}) || (has(${s}.initContainers) && ${s}.initContainers.exists(c, ${RESTARTABLE} && ${writes})))` : inContainers;
  return `(has(${s}.volumes) && ${s}.volumes.exists(v, v.name == ${celString(STATUS_VOLUME)} && has(v.emptyDir))`
    + ` && ${writer})`;
}

/** Some latch of the app places its containers in `initContainers` (a guarded workload targets 1.29+). */
function usesNativeSidecars(latches: readonly LatchFacts[]): boolean {
  return latches.some((l) => l.nativeSidecars);
}

/** `object` is in `namespace` (any namespace when the latch's chart has none). */
function inNamespace(namespace: string | undefined): string {
  return namespace === undefined ? 'true' : `(has(object.metadata.namespace) && object.metadata.namespace == ${celString(namespace)})`;
}

/** A volume `v` is the ConfigMap of one of the hub latches (of the object's namespace). */
function isLatchConfigMap(v: string, latches: readonly LatchFacts[]): string {
  const hubs = latches.filter((l) => l.configMapName !== undefined);
  if (hubs.length === 0) return 'false';
  return `(has(${v}.configMap) && has(${v}.configMap.name) && (${hubs.map((l) => `(${v}.configMap.name == ${celString(l.configMapName!)} && ${inNamespace(l.namespace)})`).join(' || ')}))`;
}

/** What a workload guarded by `latch` must carry in its pod template `t`; its mode says what its status volume is. */
function keepsLatch(t: string, latch: LatchFacts, nativeSidecars: boolean): string {
  const s = `${t}.spec`;
  const K = SuperlatchKeys;
  const cel: StatusVolumeCel = {
    string: celString,
    hasAnnotationValue,
    agentWritesEmptyDir: (spec) => agentWritesEmptyDir(spec, nativeSidecars),
    isLatchConfigMap: (v) => isLatchConfigMap(v, [latch]),
  };
  const parts = [
    hasLabelValue(t, K.LATCH_LABEL, latch.name),
    hasLabelValue(t, K.ROLE_LABEL, K.ROLE_GUARDED),
    hasAnnotationValue(t, K.MODE_ANNOTATION, latch.mode),
    hasAnnotationValue(t, K.STATUS_VOLUME_ANNOTATION, STATUS_VOLUME),
    latch.admitsStatusVolume(t, cel),
    // nothing else shadows the status directory
    everyContainer(s, `!has(c.volumeMounts) || c.volumeMounts.all(m, m.mountPath != ${celString(latch.statusDirectory)} || m.name == ${celString(STATUS_VOLUME)})`),
  ];
  return parts.map((p) => `(${p})`).join(' && ');
}

/** The guardrail validations, in a stable order. */
export function guardrailValidations(options: GuardrailExpressionOptions): GuardrailValidation[] {
  const check = (c: (t: string) => string) => specCheck(c, options.workloadTemplates);
  return [...statusVolumeValidations(options, check), ...latchIdentityValidations(options, check), ...containerValidations(options, check)];
}

type SpecCheck = (c: (t: string) => string) => string;

/** The latch's status volume: declared by guarded pods, written only by the agent, from the latch's own source. */
function statusVolumeValidations(options: GuardrailExpressionOptions, check: SpecCheck): GuardrailValidation[] {
  const K = SuperlatchKeys;
  const latches = options.latches;
  const validations: GuardrailValidation[] = [];
  const modes = LATCH_MODES.map((m) => m.name);
  validations.push({
    name: 'latch-guarded-pods-declare-status-volume',
    message: `latch-guarded-pods-declare-status-volume: pods labelled ${K.ROLE_LABEL}=${K.ROLE_GUARDED} must carry the ${K.STATUS_VOLUME_ANNOTATION}: ${STATUS_VOLUME} annotation, ${K.MODE_ANNOTATION} ${modes.join(' or ')}, and the ${STATUS_VOLUME} volume`,
    expression: check((t) => `!${hasLabelValue(t, K.ROLE_LABEL, K.ROLE_GUARDED)} || (${hasAnnotationValue(t, K.STATUS_VOLUME_ANNOTATION, STATUS_VOLUME)} && ${hasAnnotation(t, K.MODE_ANNOTATION)} && ${annotation(t, K.MODE_ANNOTATION)} in ${celList(modes)}`
      + ` && has(${t}.spec.volumes) && ${t}.spec.volumes.exists(v, v.name == ${celString(STATUS_VOLUME)}))`),
  });

  const readOnly = '(has(m.readOnly) && m.readOnly == true)';
  const statusMount = `m.name == ${celString(STATUS_VOLUME)}`;
  const native = usesNativeSidecars(latches);
  validations.push({
    name: 'latch-status-volume-single-writer',
    message: `latch-status-volume-single-writer: the volume ${STATUS_VOLUME} may be mounted read-write only by the container ${AGENT_CONTAINER} of spec.containers`
      + `${native ? ' (or of spec.initContainers with restartPolicy: Always, a native sidecar)' : ''}, and only when it is an emptyDir (sidecar mode); `
      + `every other container, ${native ? 'plain ' : ''}init and ephemeral containers included, must mount it readOnly: true, whatever the pod's labels and annotations say`,
    expression: check((t) => {
      const s = `${t}.spec`;
      const writerOk = `(c.name == ${celString(AGENT_CONTAINER)} && has(${s}.volumes) && ${s}.volumes.exists(v, v.name == ${celString(STATUS_VOLUME)} && has(v.emptyDir)))`;
      const initWriterOk = `(${RESTARTABLE} && ${writerOk})`;
      const list = (name: string, writer?: string) => `(!has(${s}.${name}) || ${s}.${name}.all(c, !has(c.volumeMounts) || c.volumeMounts.all(m, !(${statusMount}) || ${readOnly}${writer ? ` || ${writer}` : ''})))`;
      return [list('initContainers', native ? initWriterOk : undefined), list('containers', writerOk), list('ephemeralContainers')].join(' && ');
    }),
  });

  const configMaps = latches.filter((l) => l.configMapName).map((l) => `${l.namespace ? `${l.namespace}/` : ''}${l.configMapName}`);
  validations.push({
    name: 'latch-status-volume-source',
    message: `latch-status-volume-source: a volume named ${STATUS_VOLUME} is either the agent's emptyDir (mounted read-write by ${AGENT_CONTAINER}) or the ConfigMap of a hub latch of the namespace (${configMaps.join(', ') || 'none'})`,
    expression: check((t) => {
      const s = `${t}.spec`;
      return `!has(${s}.volumes) || ${s}.volumes.all(v, v.name != ${celString(STATUS_VOLUME)} || (has(v.emptyDir) && ${agentWritesEmptyDir(s, native)}) || ${isLatchConfigMap('v', latches)})`;
    }),
  });

  return validations;
}

/** Guarded workloads keep their latch, the latch's metadata is immutable, latch containers run the latch's image. */
function latchIdentityValidations(options: GuardrailExpressionOptions, check: SpecCheck): GuardrailValidation[] {
  const templates = options.workloadTemplates;
  const latches = options.latches;
  const validations: GuardrailValidation[] = [];
  const guarded = latches.flatMap((l) => l.guarded.map((g) => ({ latch: l, ...g })))
    .filter((g) => templates || g.kind === 'Pod')
    .filter((g) => WORKLOAD_KINDS[g.kind] !== undefined);
  if (guarded.length > 0) {
    validations.push({
      name: 'latch-guarded-workloads-keep-the-latch',
      message: `latch-guarded-workloads-keep-the-latch: ${guarded.map((g) => `${g.kind} ${g.namespace ? `${g.namespace}/` : ''}${g.name}`).join(', ')} must keep the latch that guards it: its labels, annotations, status volume (the agent's emptyDir or the latch's ConfigMap) and agent`,
      expression: guarded.map((g) => {
        const path = WORKLOAD_KINDS[g.kind].templatePath;
        const t = pathOf('object', path);
        const place = { kinds: [g.kind], path };
        const match = `object.kind == ${celString(g.kind)} && has(object.metadata.name) && object.metadata.name == ${celString(g.name)} && ${inNamespace(g.namespace)}`;
        return `(!(${match}) || ${unchanged(place)} || (${hasPath('object', path)} && ${keepsLatch(t, g.latch, usesNativeSidecars(latches))}))`;
      }).join(' && '),
    });
  }

  const labelKeys = celList(LATCH_LABEL_KEYS);
  const annotationKeys = celList(LATCH_ANNOTATION_KEYS);
  const same = (t: string, old: string, field: 'labels' | 'annotations') => `${inMap(old, field, 'k')} == ${inMap(t, field, 'k')} && (!${inMap(old, field, 'k')} || ${old}.metadata.${field}[k] == ${t}.metadata.${field}[k])`;
  const kept = (t: string, old: string, field: 'labels' | 'annotations') => `!${inMap(old, field, 'k')} || (${inMap(t, field, 'k')} && ${old}.metadata.${field}[k] == ${t}.metadata.${field}[k])`;
  validations.push({
    name: 'latch-metadata-unchanged',
    message: `latch-metadata-unchanged: an UPDATE may not add, change or remove the latch labels (${LATCH_LABEL_KEYS.join(', ')}) or annotations (${LATCH_ANNOTATION_KEYS.join(', ')}) of a Pod, nor change or remove those of a pod template`,
    expression: 'request.operation != \'UPDATE\' || oldObject == null || '
      + onPodTemplate((t, old, place) => place.path.length === 0
        ? `${labelKeys}.all(k, ${same(t, old, 'labels')}) && ${annotationKeys}.all(k, ${same(t, old, 'annotations')})`
        : `${labelKeys}.all(k, ${kept(t, old, 'labels')}) && ${annotationKeys}.all(k, ${kept(t, old, 'annotations')})`, templates),
  });

  if (options.statusWriterImages.length > 0) {
    const prefixes = options.statusWriterImages.flatMap((repo) => [`${repo}:`, `${repo}@`]);
    validations.push({
      name: 'latch-status-writer-image',
      message: `latch-status-writer-image: a container named ${AGENT_CONTAINER} or ${GATE_CONTAINER} must run an image from ${options.statusWriterImages.join(', ')}`,
      expression: check((t) => everyContainer(`${t}.spec`, `!(c.name in ${celList([AGENT_CONTAINER, GATE_CONTAINER])}) || (has(c.image) && ${celList(prefixes)}.exists(p, c.image.startsWith(p)))`)),
    });
  }

  return validations;
}

/** The restricted container settings: capabilities, seccomp, read-only root, images by digest. */
function containerValidations(options: GuardrailExpressionOptions, check: SpecCheck): GuardrailValidation[] {
  const validations: GuardrailValidation[] = [];
  const addOk = options.allowedCapabilities.length === 0
    ? 'size(c.securityContext.capabilities.add) == 0'
    : `c.securityContext.capabilities.add.all(a, a in ${celList(options.allowedCapabilities)})`;
  const notPrivileged = 'is neither privileged nor allowPrivilegeEscalation: true';
  validations.push({
    name: 'drop-all-capabilities',
    message: options.allowedCapabilities.length === 0
      ? `drop-all-capabilities: every container must set securityContext.capabilities.drop: [ALL], add none, and ${notPrivileged.replace('is ', 'be ')}`
      : `drop-all-capabilities: every container must set securityContext.capabilities.drop: [ALL], add only ${options.allowedCapabilities.join(', ')}, and ${notPrivileged.replace('is ', 'be ')}`,
    expression: check((t) => everyContainer(`${t}.spec`,
      'has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) '
      + `&& 'ALL' in c.securityContext.capabilities.drop && (!has(c.securityContext.capabilities.add) || ${addOk})`
      + ' && (!has(c.securityContext.privileged) || c.securityContext.privileged == false)'
      + ' && (!has(c.securityContext.allowPrivilegeEscalation) || c.securityContext.allowPrivilegeEscalation == false)')),
  });

  const profileOk = (p: string) => options.allowedLocalhostProfiles.length === 0
    ? `${p}.type == 'RuntimeDefault'`
    : `(${p}.type == 'RuntimeDefault' || (${p}.type == 'Localhost' && has(${p}.localhostProfile) && ${p}.localhostProfile in ${celList(options.allowedLocalhostProfiles)}))`;
  validations.push({
    name: 'seccomp-runtime-default',
    message: options.allowedLocalhostProfiles.length === 0
      ? 'seccomp-runtime-default: every container must run with seccompProfile RuntimeDefault (set on the container or the pod)'
      : `seccomp-runtime-default: every container must run with seccompProfile RuntimeDefault, or Localhost with one of ${options.allowedLocalhostProfiles.join(', ')} (set on the container or the pod)`,
    expression: check((t) => everyContainer(`${t}.spec`,
      `(has(c.securityContext) && has(c.securityContext.seccompProfile)) ? ${profileOk('c.securityContext.seccompProfile')} : `
      + `(has(${t}.spec.securityContext) && has(${t}.spec.securityContext.seccompProfile) && ${profileOk(`${t}.spec.securityContext.seccompProfile`)})`)),
  });

  validations.push({
    name: 'read-only-root-filesystem',
    message: 'read-only-root-filesystem: every container must set securityContext.readOnlyRootFilesystem: true',
    expression: check((t) => everyContainer(`${t}.spec`,
      'has(c.securityContext) && has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem == true')),
  });

  validations.push({
    name: 'image-digest',
    message: `image-digest: every container image must be pinned by digest (${digestForms('registry/repository:tag')})`,
    expression: check((t) => everyContainer(`${t}.spec`, `has(c.image) && c.image.matches(${celString(DIGEST_SUFFIX)})`)),
  });

  return validations;
}
