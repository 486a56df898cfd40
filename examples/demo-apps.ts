/**
 * What the SuperLatch examples share: the two small demo web apps of the seed
 * (a Go and a Java service that read latch-info.json and refuse requests while
 * the latch is locked) and the agent image.
 *
 * The images are published by your own pipeline (agent/Dockerfile for the
 * agent); replace these references, tag AND digest, with the ones you pushed.
 * Pinning by digest is what the restricted profile demands.
 */
import * as kplus from 'cdk8s-plus-27';
import { LatchCredentials } from '../src';

export const AGENT_IMAGE = 'registry.example.com/superlatch/superlatch-agent:0.1.0@sha256:5d3b1e0c9a4f7e2d8b6c1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';

/** The Latch API host's address block (replace with what latch.tu.com resolves to for you). */
export const LATCH_API_CIDRS = ['203.0.113.0/24'];

/** Secret created out of band: kubectl create secret generic latch-credentials --from-literal=appId=... (see docs/latch.md). */
export const CREDENTIALS = LatchCredentials.fromSecret('latch-credentials');

export interface DemoApp {
  readonly name: string;
  readonly image: string;
  readonly port: number;
}

export const DEMO_APPS: DemoApp[] = [
  { name: 'app-go', image: 'registry.example.com/superlatch/demo-app-go:1.0.0@sha256:0e2f4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e', port: 8080 },
  { name: 'app-java', image: 'registry.example.com/superlatch/demo-app-java:1.0.0@sha256:1f3e5b7d9f1b3d5f7b9d1f3b5d7f9b1d3f5b7d9f1b3d5f7b9d1f3b5d7f9b1d3f', port: 8081 },
];

/** A demo app container: liveness = the process answers, readiness = it can serve. */
export function demoContainer(app: DemoApp): kplus.ContainerProps {
  return {
    name: app.name,
    image: app.image,
    portNumber: app.port,
    liveness: kplus.Probe.fromHttpGet('/healthz', { port: app.port }),
    readiness: kplus.Probe.fromHttpGet('/ready', { port: app.port }),
  };
}
