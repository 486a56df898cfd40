import { RelaxationName } from './relaxation';
import { WorkloadUnderHardening } from './workload';
import { at as valueAt } from '../internal/workload-kinds';

/** The label cdk8s-plus puts in selectors: a hash of the construct path. */
export const CDK8S_ADDR_LABEL = 'cdk8s.io/metadata.addr';

/** The projected ServiceAccount token an application container gets when the pod's own token stays off (latch pods). */
const APP_TOKEN_VOLUME = 'kube-api-access-app';
const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Stable identity: labels added where missing, never changed; only cdk8s-plus
 * construct-path hashes are replaced (foreign selectors keep working).
 */
export function applyIdentity(w: WorkloadUnderHardening): void {
  const { ctx, kind, obj, tmeta } = w;
  w.meta.labels = { ...ctx.labels, ...(w.meta.labels ?? {}) };
  const hashed = (tmeta.labels ?? {})[CDK8S_ADDR_LABEL] !== undefined;
  const tlabels = { ...ctx.labels, ...(tmeta.labels ?? {}) };
  if (hashed) Object.assign(tlabels, ctx.labels);
  for (const [k, v] of Object.entries(ctx.labels)) {
    if (tlabels[k] !== v) {
      w.refuse(w.at(`metadata.labels.${k}`), `the workload's identity says ${k}=${v} but its pods are labelled ${k}=${tlabels[k]} (labels of upstream pods are kept, so Services keep selecting them)`,
        "remove the 'name'/'component' option of Harden.workload(), or make it match the pod label");
    }
  }
  delete tlabels[CDK8S_ADDR_LABEL];
  tmeta.labels = tlabels;
  w.selectorOwner = kind.selectorPath ? valueAt(obj, kind.selectorPath.slice(0, -1)) : undefined;
  const selector = w.selectorOwner?.selector;
  const matchLabels = kind.plainSelector ? selector : selector?.matchLabels;
  if (matchLabels?.[CDK8S_ADDR_LABEL] !== undefined) {
    const ml = { ...matchLabels, ...ctx.selector };
    delete ml[CDK8S_ADDR_LABEL];
    if (kind.plainSelector) w.selectorOwner.selector = ml;
    else selector.matchLabels = ml;
  }
}

/** Never write a workload whose selector does not select its own pods. */
export function checkSelector(w: WorkloadUnderHardening): void {
  const { kind, selectorOwner, tmeta } = w;
  const finalSelector = kind.plainSelector ? selectorOwner?.selector : selectorOwner?.selector?.matchLabels;
  for (const [k, v] of Object.entries(finalSelector ?? {})) {
    if (tmeta.labels[k] !== v) {
      w.refuse(`${kind.selectorPath!.join('.')}${kind.plainSelector ? '' : '.matchLabels'}.${k}`, `the selector wants ${k}=${v} but the pod template has ${tmeta.labels[k] === undefined ? 'no such label' : `${k}=${tmeta.labels[k]}`}, so the workload would not select its own pods`, 'make the \'name\'/\'component\' given to Harden.workload() match the pod labels, or remove the option to keep the workload\'s own labels');
    }
  }
}

/**
 * The pod's identity towards the API: the dedicated ServiceAccount, its token
 * not mounted (or, relaxed, only for the application containers of a latch pod).
 * A token the workload mounts itself is left for SL-HARD-10 to judge.
 */
export function applyServiceAccount(w: WorkloadUnderHardening): void {
  const { spec, ctx } = w;
  if (w.relaxed(RelaxationName.SERVICE_ACCOUNT_TOKEN)) {
    if (spec.automountServiceAccountToken === false) {
      w.kept.push(`${w.at('spec.automountServiceAccountToken')}: false`);
    } else if (w.strict.size > 0) {
      // the latch's containers never see the token: only the application containers mount it
      spec.automountServiceAccountToken = false;
      mountAppToken(spec, w.strict);
    } else {
      spec.automountServiceAccountToken = true;
    }
  } else if (spec.automountServiceAccountToken !== true) {
    spec.automountServiceAccountToken = false;
  }
  if (ctx.serviceAccountName && (!spec.serviceAccountName || spec.serviceAccountName === 'default')) {
    spec.serviceAccountName = ctx.serviceAccountName;
  }
}

/**
 * Gives the application containers (not the latch's) the pod's ServiceAccount
 * token as a projected volume, as the kubelet would with automounting.
 */
function mountAppToken(spec: any, strict: Set<string>): void {
  const volumes: any[] = spec.volumes ?? [];
  if (!volumes.some((v) => v.name === APP_TOKEN_VOLUME)) {
    volumes.push({
      name: APP_TOKEN_VOLUME,
      projected: {
        defaultMode: 0o444,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    });
  }
  spec.volumes = volumes;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (strict.has(c.name) || (c.volumeMounts ?? []).some((m: any) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...(c.volumeMounts ?? []), { name: APP_TOKEN_VOLUME, mountPath: TOKEN_MOUNT_PATH, readOnly: true }];
  }
}
