// Public API of cdk8s-superlatch.
export {};
