import { SuperlatchKeys } from '../contract';
import { DIGEST_SUFFIX, digestForms } from '../internal/digest';

/**
 * The CEL expressions of `GuardrailAdmissionPolicy`: the invariants the rule
 * pack checks at synth time, checked again by the API server at admission.
 *
 * Every expression works on a Pod and on the pod template of a workload
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job,
 * CronJob), tells them apart by shape (`spec.jobTemplate`, `spec.template`),
 * and guards every optional field with `has()`, so a missing field is a
 * violation or "not applicable", never an evaluation error. No `variables`
 * (they do not exist in the 1.27 alpha API), so the same text serves every
 * API version.
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
}


/** A CEL string literal. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function celList(values: string[]): string {
  return `[${values.map(celString).join(', ')}]`;
}

/** `predicate` applied to the pod template `t` of whatever object is admitted. */
function onPodTemplate(predicate: (t: string) => string, templates: boolean): string {
  if (!templates) return predicate('object');
  return `has(object.spec.jobTemplate) ? (${predicate('object.spec.jobTemplate.spec.template')}) : `
    + `(has(object.spec.template) ? (${predicate('object.spec.template')}) : (${predicate('object')}))`;
}

/** `predicate(c)` holds for every init, regular and ephemeral container of pod spec `s`. */
function everyContainer(s: string, predicate: string): string {
  return ['initContainers', 'containers', 'ephemeralContainers']
    .map((list) => `(!has(${s}.${list}) || ${s}.${list}.all(c, ${predicate}))`)
    .join(' && ');
}

function hasAnnotation(t: string, key: string): string {
  return `(has(${t}.metadata) && has(${t}.metadata.annotations) && ${celString(key)} in ${t}.metadata.annotations)`;
}

function annotation(t: string, key: string): string {
  return `${t}.metadata.annotations[${celString(key)}]`;
}

function hasLabelValue(t: string, key: string, value: string): string {
  return `(has(${t}.metadata) && has(${t}.metadata.labels) && ${celString(key)} in ${t}.metadata.labels && ${t}.metadata.labels[${celString(key)}] == ${celString(value)})`;
}

/** The guardrail validations, in a stable order. */
export function guardrailValidations(options: GuardrailExpressionOptions): GuardrailValidation[] {
  const K = SuperlatchKeys;
  const on = (predicate: (t: string) => string) => onPodTemplate(predicate, options.workloadTemplates);
  const validations: GuardrailValidation[] = [];

  validations.push({
    name: 'latch-guarded-pods-declare-status-volume',
    message: `latch-guarded-pods-declare-status-volume: pods labelled ${K.ROLE_LABEL}=${K.ROLE_GUARDED} must carry the ${K.STATUS_VOLUME_ANNOTATION} annotation and ${K.MODE_ANNOTATION} sidecar or hub`,
    expression: on((t) => `!${hasLabelValue(t, K.ROLE_LABEL, K.ROLE_GUARDED)} || (${hasAnnotation(t, K.STATUS_VOLUME_ANNOTATION)} && ${hasAnnotation(t, K.MODE_ANNOTATION)} && ${annotation(t, K.MODE_ANNOTATION)} in ['sidecar', 'hub'])`),
  });

  validations.push({
    name: 'latch-status-volume-single-writer',
    message: `latch-status-volume-single-writer: the volume named by ${K.STATUS_VOLUME_ANNOTATION} may be mounted read-write only by the container named by ${K.WRITER_ANNOTATION}, and only in sidecar mode; every other container must mount it readOnly: true`,
    expression: on((t) => {
      const writer = `(${hasAnnotation(t, K.MODE_ANNOTATION)} && ${annotation(t, K.MODE_ANNOTATION)} == 'sidecar' && ${hasAnnotation(t, K.WRITER_ANNOTATION)} && c.name == ${annotation(t, K.WRITER_ANNOTATION)})`;
      const mountOk = `m.name != ${annotation(t, K.STATUS_VOLUME_ANNOTATION)} || (has(m.readOnly) && m.readOnly == true) || ${writer}`;
      return `!${hasAnnotation(t, K.STATUS_VOLUME_ANNOTATION)} || (${everyContainer(`${t}.spec`, `!has(c.volumeMounts) || c.volumeMounts.all(m, ${mountOk})`)})`;
    }),
  });

  if (options.statusWriterImages.length > 0) {
    const prefixes = options.statusWriterImages.flatMap((repo) => [`${repo}:`, `${repo}@`]);
    validations.push({
      name: 'latch-status-writer-image',
      message: `latch-status-writer-image: the container named by ${K.WRITER_ANNOTATION} must run an image from ${options.statusWriterImages.join(', ')}`,
      expression: on((t) => `!${hasAnnotation(t, K.WRITER_ANNOTATION)} || (${everyContainer(`${t}.spec`, `c.name != ${annotation(t, K.WRITER_ANNOTATION)} || (has(c.image) && ${celList(prefixes)}.exists(p, c.image.startsWith(p)))`)})`),
    });
  }

  const addOk = options.allowedCapabilities.length === 0
    ? 'size(c.securityContext.capabilities.add) == 0'
    : `c.securityContext.capabilities.add.all(a, a in ${celList(options.allowedCapabilities)})`;
  validations.push({
    name: 'drop-all-capabilities',
    message: options.allowedCapabilities.length === 0
      ? 'drop-all-capabilities: every container must set securityContext.capabilities.drop: [ALL] and add none'
      : `drop-all-capabilities: every container must set securityContext.capabilities.drop: [ALL] and add only ${options.allowedCapabilities.join(', ')}`,
    expression: on((t) => everyContainer(`${t}.spec`,
      'has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) '
      + `&& 'ALL' in c.securityContext.capabilities.drop && (!has(c.securityContext.capabilities.add) || ${addOk})`)),
  });

  const profileOk = (p: string) => options.allowedLocalhostProfiles.length === 0
    ? `${p}.type == 'RuntimeDefault'`
    : `(${p}.type == 'RuntimeDefault' || (${p}.type == 'Localhost' && has(${p}.localhostProfile) && ${p}.localhostProfile in ${celList(options.allowedLocalhostProfiles)}))`;
  validations.push({
    name: 'seccomp-runtime-default',
    message: options.allowedLocalhostProfiles.length === 0
      ? 'seccomp-runtime-default: every container must run with seccompProfile RuntimeDefault (set on the container or the pod)'
      : `seccomp-runtime-default: every container must run with seccompProfile RuntimeDefault, or Localhost with one of ${options.allowedLocalhostProfiles.join(', ')} (set on the container or the pod)`,
    expression: on((t) => everyContainer(`${t}.spec`,
      `(has(c.securityContext) && has(c.securityContext.seccompProfile)) ? ${profileOk('c.securityContext.seccompProfile')} : `
      + `(has(${t}.spec.securityContext) && has(${t}.spec.securityContext.seccompProfile) && ${profileOk(`${t}.spec.securityContext.seccompProfile`)})`)),
  });

  validations.push({
    name: 'read-only-root-filesystem',
    message: 'read-only-root-filesystem: every container must set securityContext.readOnlyRootFilesystem: true',
    expression: on((t) => everyContainer(`${t}.spec`,
      'has(c.securityContext) && has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem == true')),
  });

  validations.push({
    name: 'image-digest',
    message: `image-digest: every container image must be pinned by digest (${digestForms('registry/repository:tag')})`,
    expression: on((t) => everyContainer(`${t}.spec`, `has(c.image) && c.image.matches(${celString(DIGEST_SUFFIX)})`)),
  });

  return validations;
}
