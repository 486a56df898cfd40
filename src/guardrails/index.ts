// Cluster guardrails: admission policies, image trust, Falco runtime rules, pid limits, custom seccomp.
export * from './admission-policy';
export * from './image-trust-policy';
export * from './operator-seccomp-profile';
export * from './pid-limits';
export * from './falco-rules';
