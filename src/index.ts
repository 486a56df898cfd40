// Public API of cdk8s-superlatch.
export * from './contract';
export * from './hardening/relaxation';
export * from './hardening/hardening-profile';
export * from './hardening/harden';
export * from './network/dns';
export * from './network/network-peer';
export * from './network/namespace-network-baseline';
export * from './network/workload-network-policy';
export * from './namespace/hardened-namespace';
export * from './latch/latch-mode';
export * from './latch/latch-credentials';
export * from './latch/latch';
export * from './rules';
export * from './namespace/namespace-resource-quota';
export * from './namespace/namespace-limit-range';
export * from './guardrails';
export * from './target/kubernetes-version';
