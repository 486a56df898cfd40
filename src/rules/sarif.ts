/**
 * SARIF 2.1.0 output of an audit, for code-scanning UIs: one run, the pack's
 * rules as the tool's rule metadata, one result per finding at the line of
 * its field; acknowledged findings are results with an in-source suppression.
 */
import * as path from 'path';
import { pathToFileURL } from 'url';
import { ruleAnchor } from './registry';
import { AuditFinding, AuditReport, objectLabel } from './report';
import { Rule } from './rule';
import { packageInfo } from '../internal/package-info';

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** A relative path stays a relative reference (resolved against the checkout by code-scanning UIs); an absolute one becomes a file URL. */
function artifactUri(file: string): string {
  return path.isAbsolute(file) ? pathToFileURL(file).href : file.split(path.sep).map(encodeURIComponent).join('/');
}

function ruleDescriptor(rule: Rule, docs: string) {
  return {
    id: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.rationale },
    help: { text: rule.remediation },
    helpUri: `${docs}#${ruleAnchor(rule.id)}`,
    defaultConfiguration: { level: rule.severity },
  };
}

function result(f: AuditFinding, ruleIndex: number) {
  const logical = { name: f.name, fullyQualifiedName: objectLabel(f), kind: 'resource' };
  const physical = f.file === undefined ? {} : {
    physicalLocation: { artifactLocation: { uri: artifactUri(f.file) }, region: { startLine: f.line } },
  };
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: f.severity,
    message: { text: `${objectLabel(f)} ${f.path}: ${f.message}` },
    locations: [{ ...physical, logicalLocations: [logical] }],
    ...(f.acknowledged ? { suppressions: [{ kind: 'inSource', justification: f.acknowledgedReason }] } : {}),
  };
}

/** The SARIF log of a pack run; `rules` are the rules of the pack that produced `report`. */
export function sarifLog(report: AuditReport, rules: Rule[]): object {
  const pkg = packageInfo();
  const docs = `${pkg.homepage}/blob/main/docs/RULES.md`;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'superlatch', version: pkg.version, informationUri: pkg.homepage, rules: rules.map((r) => ruleDescriptor(r, docs)) } },
      results: report.findings.map((f) => result(f, index.get(f.ruleId) ?? -1)),
    }],
  };
}
