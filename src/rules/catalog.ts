import { ALL_RULES, findRule } from './registry';
import { Rule } from './rule';

/** Look-ups over every built-in rule. */
export class RuleCatalog {
  /** Every built-in rule, in id order. */
  public static all(): Rule[] {
    return [...ALL_RULES];
  }

  /** The rule with this id (built-in, or of a custom pack); throws for unknown ids. */
  public static get(id: string): Rule {
    const rule = findRule(id);
    if (!rule) {
      throw new Error(`Unknown rule id '${id}': see docs/RULES.md for the list`);
    }
    return rule;
  }

  private constructor() {}
}
