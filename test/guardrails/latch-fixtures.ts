/**
 * Hand-written latch workloads that follow the manifest contract (src/contract.ts) the
 * latch constructs implement: a sidecar-mode guarded Deployment (app + latch-agent +
 * latch-gate), a hub-mode guarded Deployment and the hub agent Deployment. Raw ApiObjects,
 * hardened by Harden.workload and covered by the namespace default-deny and a policy of their
 * own, so the guardrails are tested on final, hardened manifests.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Harden, HardeningProfile, Relaxation, SeccompProfile } from '../../src';
import { SuperlatchKeys as K } from '../../src/contract';
import { coverNetwork, IMAGE } from '../util';

export const AGENT_REPO = 'registry.example.com/superlatch-agent';
export const AGENT_IMAGE = `${AGENT_REPO}:1.0.0@sha256:${'cd'.repeat(32)}`;
export const AGENT_PROFILE = 'operator/latch-agent.json';
const STATUS_DIR = '/usr/share/latch';
const STATUS_FILE = `${STATUS_DIR}/latch-info.json`;
const AGENT = ['/nodejs/bin/node', '/opt/superlatch-agent/main.js'];

function app(extraMounts: any[] = []): any {
  return {
    name: 'app',
    image: IMAGE,
    command: ['/usr/local/bin/web-server'],
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    env: [{ name: 'LATCH_STATUS_FILE', value: STATUS_FILE }],
    livenessProbe: { tcpSocket: { port: 8080 } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    volumeMounts: [{ name: 'latch-status', mountPath: STATUS_DIR, readOnly: true }, ...extraMounts],
  };
}

function agent(args: string[], mounts: any[]): any {
  return {
    name: 'latch-agent',
    image: AGENT_IMAGE,
    args,
    livenessProbe: { exec: { command: [...AGENT, 'health'] } },
    readinessProbe: { exec: { command: [...AGENT, 'health', '--ready'] } },
    volumeMounts: mounts,
  };
}

type Labels = Record<string, string>;

function deployment(chart: Chart, name: string, labels: Labels, annotations: Labels, spec: any, replicas = 2): ApiObject {
  return new ApiObject(chart, name, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: { metadata: { labels: { 'app.kubernetes.io/name': name, ...labels }, annotations }, spec },
    },
  });
}

/** Sidecar mode: the agent writes an in-memory emptyDir that the app and the gate read. */
export function sidecarWorkload(chart: Chart, name = 'shop'): ApiObject {
  const obj = deployment(chart, name, { [K.LATCH_LABEL]: 'payments', [K.ROLE_LABEL]: K.ROLE_GUARDED }, {
    [K.MODE_ANNOTATION]: 'sidecar',
    [K.STATUS_VOLUME_ANNOTATION]: 'latch-status',
    [K.WRITER_ANNOTATION]: 'latch-agent',
    [K.CREDENTIALS_VOLUME_ANNOTATION]: 'latch-credentials',
  }, {
    containers: [
      app(),
      agent(['run'], [
        { name: 'latch-status', mountPath: STATUS_DIR },
        { name: 'latch-credentials', mountPath: '/etc/latch', readOnly: true },
      ]),
      {
        name: 'latch-gate',
        image: AGENT_IMAGE,
        args: ['gate'],
        livenessProbe: { exec: { command: [...AGENT, 'health'] } },
        readinessProbe: { exec: { command: [...AGENT, 'check', '--file', STATUS_FILE] } },
        volumeMounts: [{ name: 'latch-status', mountPath: STATUS_DIR, readOnly: true }],
      },
    ],
    volumes: [
      { name: 'latch-status', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'latch-credentials', secret: { secretName: 'payments-latch-credentials', defaultMode: 0o400 } },
    ],
  });
  Harden.workload(obj);
  coverNetwork(chart, obj);
  return obj;
}

/** Hub mode, guarded side: the app reads the latch's ConfigMap; no writer, no token, no egress. */
export function hubGuardedWorkload(chart: Chart, name = 'ledger'): ApiObject {
  const obj = deployment(chart, name, { [K.LATCH_LABEL]: 'payments', [K.ROLE_LABEL]: K.ROLE_GUARDED }, {
    [K.MODE_ANNOTATION]: 'hub',
    [K.STATUS_VOLUME_ANNOTATION]: 'latch-status',
  }, {
    containers: [app()],
    volumes: [{ name: 'latch-status', configMap: { name: 'payments-latch-status' } }],
  });
  Harden.workload(obj);
  coverNetwork(chart, obj);
  return obj;
}

/** Hub mode, agent side: one replica publishing through the API, with a Localhost seccomp profile. */
export function hubAgentWorkload(chart: Chart): ApiObject {
  const name = 'payments-latch-agent';
  const obj = deployment(chart, name, { [K.LATCH_LABEL]: 'payments', [K.ROLE_LABEL]: K.ROLE_AGENT }, {
    [K.MODE_ANNOTATION]: 'hub',
    [K.CREDENTIALS_VOLUME_ANNOTATION]: 'latch-credentials',
  }, {
    containers: [agent(['run'], [{ name: 'latch-credentials', mountPath: '/etc/latch', readOnly: true }])],
    volumes: [{ name: 'latch-credentials', secret: { secretName: 'payments-latch-credentials', defaultMode: 0o400 } }],
  }, 1);
  Harden.workload(obj, {
    profile: HardeningProfile.restricted({
      seccompProfile: SeccompProfile.localhost(AGENT_PROFILE),
      relaxations: [Relaxation.serviceAccountToken('the hub agent patches its status ConfigMap through the API')],
    }),
  });
  coverNetwork(chart, obj);
  return obj;
}
