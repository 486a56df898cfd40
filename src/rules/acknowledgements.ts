import { IConstruct } from 'constructs';
import { SuperlatchKeys } from '../contract';
import { findRule } from './registry';

/** Minimum length of an acknowledgement's reason. */
export const MIN_REASON_LENGTH = 10;

const METADATA_TYPE = 'superlatch:acknowledged-rule';

/** An acknowledgement: a rule (or one finding of it) accepted for a reason. */
export interface Acknowledgement {
  /** The rule id. */
  readonly ruleId: string;
  /**
   * JSON path of the one finding acknowledged.
   * @default - every finding of the rule
   */
  readonly path?: string;
  /** Why the finding is accepted (at least 10 characters). */
  readonly reason: string;
}

/** Validates an acknowledgement; `where` names the construct or object for the message. */
export function checkAcknowledgement(ack: Acknowledgement, where: string): Acknowledgement {
  if (!findRule(ack.ruleId)) {
    throw new Error(`${where}: unknown rule id '${ack.ruleId}' in acknowledgement; use an id from docs/RULES.md (e.g. SL-PSS-14)`);
  }
  const reason = (ack.reason ?? '').replace(/\s+/g, ' ').trim();
  if (reason.length < MIN_REASON_LENGTH) {
    throw new Error(`${where}: acknowledgement of ${ack.ruleId} needs a reason of at least ${MIN_REASON_LENGTH} characters (got '${reason}')`);
  }
  if (ack.path !== undefined && (ack.path.trim() === '' || /\s/.test(ack.path))) {
    throw new Error(`${where}: acknowledgement of ${ack.ruleId}: the finding path must be a JSON path without spaces, e.g. 'spec.template.spec.containers[0].image'`);
  }
  return { ruleId: ack.ruleId, path: ack.path, reason };
}

/** One annotation line: `RULE-ID: reason` or `RULE-ID @ path: reason`. */
export function formatAcknowledgement(ack: Acknowledgement): string {
  return ack.path === undefined ? `${ack.ruleId}: ${ack.reason}` : `${ack.ruleId} @ ${ack.path}: ${ack.reason}`;
}

/** Parses the acknowledged-rules annotation of a manifest; throws on malformed entries. */
export function parseAcknowledgements(value: unknown, where: string): Acknowledgement[] {
  if (value === undefined || value === null || value === '') return [];
  return String(value).split('\n').map((l) => l.trim()).filter((l) => l !== '').map((line) => {
    const m = /^([A-Z][A-Z0-9-]*-\d+)(?:\s+@\s+(\S+))?:\s*(.*)$/.exec(line);
    if (!m) {
      throw new Error(`${where}: annotation ${SuperlatchKeys.SUPPRESSIONS_ANNOTATION} has a malformed entry '${line}'; write one 'RULE-ID: reason' or 'RULE-ID @ json.path: reason' per line`);
    }
    return checkAcknowledgement({ ruleId: m[1], path: m[2], reason: m[3] }, where);
  });
}

/** Does the acknowledgement cover a finding of this rule at this path? */
export function covers(ack: Acknowledgement, ruleId: string, path: string): boolean {
  return ack.ruleId === ruleId && (ack.path === undefined || ack.path === path);
}

/** Acknowledgements recorded on the construct and its scopes (outermost first). */
export function acknowledgementsOf(construct: IConstruct): Acknowledgement[] {
  return construct.node.scopes.flatMap((scope) => scope.node.metadata
    .filter((m) => m.type === METADATA_TYPE)
    .map((m) => m.data as Acknowledgement));
}

/**
 * Accepts findings of a rule on a construct and all its children, with a reason.
 *
 * Acknowledged findings do not fail synthesis; they stay in every report
 * (marked acknowledged) and are written into the
 * `superlatch.io/acknowledged-rules` annotation of each object they concern,
 * so reviewers see them in the GitOps diff.
 */
export class RuleAcknowledgements {
  /**
   * Acknowledges every finding of a rule under `scope`.
   *
   * @param scope a construct: the acknowledgement covers it and its children
   * @param ruleId a known rule id, e.g. `SL-HARD-15`
   * @param reason why this is acceptable (at least 10 characters)
   */
  public static acknowledgeRule(scope: IConstruct, ruleId: string, reason: string): void {
    const ack = checkAcknowledgement({ ruleId, reason }, scope.node.path || '(app)');
    scope.node.addMetadata(METADATA_TYPE, ack);
  }

  /**
   * Acknowledges one finding: a rule at one JSON path of the objects under `scope`.
   *
   * @param scope a construct: the acknowledgement covers it and its children
   * @param ruleId a known rule id
   * @param jsonPath the finding's path, e.g. `spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem`
   * @param reason why this is acceptable (at least 10 characters)
   */
  public static acknowledgeFinding(scope: IConstruct, ruleId: string, jsonPath: string, reason: string): void {
    const ack = checkAcknowledgement({ ruleId, path: jsonPath, reason }, scope.node.path || '(app)');
    scope.node.addMetadata(METADATA_TYPE, ack);
  }

  private constructor() {}
}
