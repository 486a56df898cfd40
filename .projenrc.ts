import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-superlatch',
  description: 'Hardened cdk8s constructs for the SuperLatch pattern: a remote Latch lock published as a read-only status file, in sidecar and hub modes, with a rule pack that proves the hardening.',
  author: 'cdk8s-superlatch maintainers',
  authorAddress: 'maintainers@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk8s-superlatch/cdk8s-superlatch.git',
  license: 'Apache-2.0',
  keywords: ['cdk8s', 'kubernetes', 'latch', 'security', 'hardening', 'pod-security', 'network-policy'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.2',
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.3.0',
  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  // The audit CLI reads YAML with js-yaml and the Falco rules are written with yaml;
  // jsii needs non-jsii runtime deps bundled.
  bundledDeps: ['yaml@^2.6.0', 'js-yaml@^4.1.0'],
  devDeps: [
    '@types/node@^20',
    '@types/js-yaml@^4.0.9',
    // JSON-shaped Kubernetes types for the objects src/ emits (type-only imports: nothing at run time)
    'kubernetes-types@1.30.0',
    'kubernetes-models@4.4.2',
    // the schema judge of the newest target: kubernetes-models 5.1.0 is generated from Kubernetes v1.36.0
    // (ESM-only: the judge loads it in a child process)
    'kubernetes-models-1.36@npm:kubernetes-models@5.1.0',
    '@monokle/validation@0.33.0',
    'ajv@^8.17.1',
    // the SARIF 2.1.0 schema is draft-04 and uses the uri formats
    'ajv-draft-04@^1.0.0',
    'ajv-formats@^3.0.1',
    '@marcbachmann/cel-js@^8.0.0',
    '@bufbuild/cel@^0.6.1',
    // the validation plugin test runs `cdk8s synth` itself
    'cdk8s-cli@^2.207.60',
  ],
  bin: {
    'superlatch': 'bin/superlatch',
    'superlatch-agent': 'bin/superlatch-agent',
  },

  // Nothing here can reach GitHub or a registry to publish: keep the project local.
  github: false,
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,
  package: true,

  eslintOptions: { dirs: ['src', 'agent/src'], devdirs: ['test', 'examples', 'bench', 'scripts', 'projenrc', '.projenrc.ts'], commandOptions: { fix: false } },
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // the judges run Monokle in a child process; CI machines have 2 cores
      testTimeout: 60_000,
      coverageReporters: ['text-summary', 'lcov'],
    },
  },
  tsconfigDev: { include: ['../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts', '../agent/src/**/*.ts'], compilerOptions: {} },
  gitignore: ['/dist-examples/', '/agent/lib/', '/agent/src/version.ts', '/.bench/'],
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/bench/', '/dist-examples/', '/agent/src/', '/agent/write-version.js', '/scripts/'] },
});

// The registry mirror lacks some optional platform bindings of newer unrs-resolver
// releases (pulled in by eslint-import-resolver-typescript); npm ci needs them in the lock.
project.package.addPackageResolutions('unrs-resolver@1.11.1');

// Silence jsii's banner about Node 20 in every task.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// The latch agent (agent/) is a separate program with no runtime dependencies,
// compiled by plain tsc; tests spawn the compiled agent, so `test` compiles it too.
// Its version module is generated from package.json first (agent/write-version.js).
const compileAgent = project.addTask('compile:agent', {
  description: 'Compile the latch agent (agent/src -> agent/lib)',
  steps: [{ exec: 'node agent/write-version.js' }, { exec: 'tsc -p agent/tsconfig.json' }],
});
project.preCompileTask.spawn(compileAgent);

// ts-jest only transpiles (isolatedModules): type-check tests, examples, bench and agent first.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check tests, examples, benchmarks and scripts',
  exec: 'tsc -p test/tsconfig.json --noEmit',
});
project.testTask.prependSpawn(typecheck);
project.testTask.prependSpawn(compileAgent);
// The validation plugin test loads this package as cdk8s-cli does (package.json `main`, lib/).
project.testTask.prependSpawn(project.compileTask);

// docs/RULES.md is generated from the rule objects (a test fails when it is stale).
const docsRules = project.addTask('docs:rules', {
  description: 'Generate docs/RULES.md from the rule objects',
  exec: 'ts-node --project test/tsconfig.json scripts/rules-docs.ts',
});
project.postCompileTask.spawn(docsRules);

// docs/agent.md's variables table is generated from the agent's variables table (a test fails when it is stale).
const docsAgent = project.addTask('docs:agent', {
  description: 'Generate the variables section of docs/agent.md from agent/src/variables.ts',
  exec: 'ts-node --project test/tsconfig.json scripts/agent-docs.ts',
});
project.postCompileTask.spawn(docsAgent);

// `npx projen examples`: synthesize every app under examples/ into dist-examples/<name>/.
// It compiles first, so the package's bins (which run lib/ and agent/lib/) work right after
// the README's set-up, e.g. `npx superlatch audit dist-examples/`.
const examples = project.addTask('examples', {
  description: 'Compile, then synthesize every example app into dist-examples/',
  exec: 'ts-node --project test/tsconfig.json scripts/synth-examples.ts',
});
examples.prependSpawn(project.compileTask);
examples.prependSpawn(compileAgent);

// `npx projen bench [name...]`: speed and memory ratios, measured side by side in one run.
project.addTask('bench', {
  description: 'Run the benchmarks in bench/ (or those whose file names contain an argument) and print ratios',
  exec: 'ts-node --project test/tsconfig.json bench/run.ts',
  receiveArgs: true,
});

project.synth();
