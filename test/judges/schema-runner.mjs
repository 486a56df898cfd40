// The schema judge of a newer target, in a child process: kubernetes-models 5.x is ESM-only.
// stdin: { "version": "1.36", "manifests": [...] }; stdout: one outcome per manifest:
// { "model": true, "errors": [...], "unknownFields": [[...]] } or { "model": false, "servedApiVersion": bool }.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { validateWithModel } = require('./schema-track.cjs');

/** Per target: the package that ships its schema and the group versions its API server serves by default. */
const TARGETS = {
  '1.36': {
    pkg: 'kubernetes-models-1.36',
    groupVersions: [
      'v1', 'admissionregistration.k8s.io/v1', 'apiextensions.k8s.io/v1', 'apiregistration.k8s.io/v1', 'apps/v1',
      'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1',
      'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1',
      'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1',
      'rbac.authorization.k8s.io/v1', 'resource.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1',
    ],
  },
};

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));
const target = TARGETS[input.version];
if (!target) throw new Error(`no schema for Kubernetes ${input.version}: known ${Object.keys(TARGETS).join(', ')}`);

const models = new Map();
const served = new Set();
for (const gv of target.groupVersions) {
  const mod = await import(`${target.pkg}/${gv}`);
  for (const value of Object.values(mod)) {
    if (typeof value === 'function' && typeof value.apiVersion === 'string' && typeof value.kind === 'string' && typeof value.prototype?.validate === 'function') {
      models.set(`${value.apiVersion}/${value.kind}`, value);
      served.add(value.apiVersion);
    }
  }
}

const outcomes = input.manifests.map((obj) => {
  const model = models.get(`${obj.apiVersion}/${obj.kind}`);
  if (!model) return { model: false, servedApiVersion: served.has(obj.apiVersion) };
  return { model: true, ...validateWithModel(model.prototype.validate, obj) };
});
if (input.listKinds) process.stdout.write(JSON.stringify([...models.keys()].sort()));
else process.stdout.write(JSON.stringify(outcomes));
