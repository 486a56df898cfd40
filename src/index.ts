// Public API of cdk8s-superlatch.
export * from './contract';
