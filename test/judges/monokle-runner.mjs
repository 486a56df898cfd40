// Judge (b) runner: @monokle/validation is ESM-only and jest runs CommonJS, so the judge runs here,
// in a child process: Kubernetes objects (YAML or JSON documents) on stdin, findings as JSON on stdout.
//
// Offline by construction: only the two plugins bundled in the package are loaded, through
// DefaultPluginLoader (RemotePluginLoader would fetch unknown plugins from plugins.monokle.com), and
// `fetch` is replaced by a function that fails, so any network attempt shows up as an error.
//
// Monokle swallows failures: a plugin that fails to load is dropped, a rule that throws is skipped,
// a plugin whose run rejects is left out of the response. Each of these is caught here and reported.
//
// Output: { rules: [{ id, name, enabled }], findings: [{ ruleId, ruleName, message, level, index, path }],
//           errors: [string] }
import { parseAllDocuments } from 'yaml';

const PLUGINS = ['pod-security-standards', 'practices'];
const diagnostics = [];
const errors = [];

// Keep stdout for the JSON answer; collect whatever the library prints.
for (const method of ['log', 'info', 'warn', 'error', 'debug']) {
  console[method] = (...args) => {
    diagnostics.push(args);
  };
}
globalThis.fetch = async (url) => {
  throw new Error(`network access is disabled in the judges (tried to fetch ${String(url)})`);
};

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function describe(value) {
  if (value instanceof Error) {
    const frame = (value.stack ?? '').split('\n').find((line) => line.trim().startsWith('at '));
    return frame ? `${value.message} (${frame.trim()})` : value.message;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

async function main() {
  const { MonokleValidator, DefaultPluginLoader, ResourceParser, SchemaLoader, DisabledFixer, processRefs } =
    await import('@monokle/validation');
  const { stringify } = await import('yaml');

  const objects = parseAllDocuments(await readStdin())
    .map((doc) => doc.toJS())
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter((value) => value !== null && typeof value === 'object');

  const resources = objects.map((content, index) => ({
    id: `object-${index}`,
    fileId: 'manifests.yaml',
    filePath: 'manifests.yaml',
    fileOffset: 0,
    name: content.metadata?.name ?? '',
    apiVersion: content.apiVersion ?? '',
    kind: content.kind ?? '',
    namespace: content.metadata?.namespace,
    content,
    text: stringify(content),
  }));

  const parser = new ResourceParser();
  const validator = new MonokleValidator({
    loader: new DefaultPluginLoader(),
    parser,
    schemaLoader: new SchemaLoader(),
    suppressors: [],
    fixer: new DisabledFixer(),
  });

  // First load: learn every rule of both plugins; second configuration: enable all of them.
  const settings = { debug: true, noInSourceSuppressions: true, noExternalSuppressions: true };
  const plugins = Object.fromEntries(PLUGINS.map((p) => [p, true]));
  await validator.preload({ plugins, settings });
  const failed = validator.getFailedPlugins();
  if (failed.length > 0) errors.push(`plugins failed to load: ${failed.join(', ')}`);
  const ruleIds = Object.values(validator.rules).flat().map((rule) => rule.id);
  await validator.preload({ plugins, settings, rules: Object.fromEntries(ruleIds.map((id) => [id, 'err'])) });

  const rules = Object.values(validator.rules).flat().map((rule) => ({
    id: rule.id,
    name: rule.name,
    enabled: rule.configuration.enabled === true,
  }));
  const ruleIdByName = new Map(rules.map((rule) => [rule.name, rule.id]));

  // Surface rejected plugin runs, which MonokleValidator.validate would silently leave out.
  for (const plugin of validator.getPlugins()) {
    const original = plugin.validate.bind(plugin);
    plugin.validate = async (...args) => {
      try {
        return await original(...args);
      } catch (err) {
        errors.push(`plugin ${plugin.metadata.name} failed: ${describe(err)}`);
        throw err;
      }
    };
  }

  processRefs(resources, parser);
  const response = await validator.validate({ resources });

  const findings = [];
  for (const run of response.runs) {
    for (const result of run.results) {
      const resourceLocation = result.locations?.find((l) => l.physicalLocation?.artifactLocation?.uriBaseId === 'RESOURCE');
      const resourceId = resourceLocation?.physicalLocation?.artifactLocation?.uri;
      const element = resourceLocation?.logicalLocations?.find((l) => l.kind === 'element');
      findings.push({
        ruleId: result.ruleId,
        ruleName: rules.find((r) => r.id === result.ruleId)?.name ?? result.ruleId,
        message: result.message?.text ?? '',
        level: result.level,
        index: resources.findIndex((r) => r.id === resourceId),
        path: element?.fullyQualifiedName ?? '',
        suppressed: (result.suppressions ?? []).length > 0,
      });
    }
  }

  // A rule that throws is skipped by Monokle and only logged in debug mode: turn it into an error.
  for (const args of diagnostics) {
    if (args[0] === 'rule_failed') {
      const detail = args[1] ?? {};
      const id = ruleIdByName.get(detail.rule) ?? detail.rule;
      errors.push(`rule ${id} crashed and decided nothing: ${describe(detail.error)}`);
    }
  }

  return { rules, findings, errors };
}

main().then(
  (result) => {
    process.stdout.write(JSON.stringify(result));
  },
  (err) => {
    process.stdout.write(JSON.stringify({ rules: [], findings: [], errors: [...errors, `runner failed: ${describe(err)}`] }));
    process.exitCode = 1;
  },
);
