import { IConstruct } from 'constructs';

/**
 * cdk8s prints each validation message after the path of the construct whose
 * validation returned it (`[<path>] <message>`; `[]` for the App). A problem found
 * by an app- or chart-wide check is therefore returned by the validation of the
 * construct it is about, so that its path is printed once, and is the right one.
 *
 * cdk8s validates constructs in tree order (pre-order): a check that runs in the
 * validation of the App or of a chart reports before the constructs under it are
 * validated.
 */
export class ConstructReporter {
  private messages = new Map<IConstruct, string[]>();

  /**
   * Replaces everything this reporter says. A message that starts with its
   * construct's path in brackets (`[a/b] ...` or `[a/b]: ...`) loses that prefix,
   * which cdk8s prints.
   */
  public report(problems: ReadonlyArray<{ readonly construct: IConstruct; readonly message: string }>): void {
    this.messages = new Map();
    for (const { construct, message } of problems) {
      install(construct);
      (construct as any)[REPORTERS].add(this);
      const own = `[${construct.node.path}]`;
      const text = message.startsWith(own) ? message.slice(own.length).replace(/^:?\s*/, '') : message;
      this.messages.set(construct, [...(this.messages.get(construct) ?? []), text]);
    }
  }

  /** What this reporter says about `construct`. */
  public messagesFor(construct: IConstruct): string[] {
    return this.messages.get(construct) ?? [];
  }
}

const REPORTERS = Symbol.for('cdk8s-superlatch.reporters');

/** One validation per construct, returning what every reporter says about it. */
function install(construct: IConstruct): void {
  const c = construct as any;
  if (c[REPORTERS]) return;
  const reporters = new Set<ConstructReporter>();
  c[REPORTERS] = reporters;
  construct.node.addValidation({ validate: () => [...reporters].flatMap((r) => r.messagesFor(construct)) });
}
