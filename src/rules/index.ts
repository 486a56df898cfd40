// Public API of the rule pack. Helper functions stay internal: jsii exports classes, structs and enums.
export { ReferenceFramework, Rule, RuleContext, RuleResult, RuleSeverity, RuleStatus } from './rule';
export type { RuleFinding, RuleProps, RuleReference } from './rule';
export { PackName, RulePack } from './pack';
export type { EvaluateOptions } from './pack';
export { AuditReport } from './report';
export type { AuditFinding, RuleOutcome } from './report';
export { RuleAcknowledgements } from './acknowledgements';
export type { Acknowledgement } from './acknowledgements';
export { PackValidation } from './validation';
export type { AttachOptions } from './validation';
export { SecurityTesting } from './testing';
export { SuperlatchValidation } from './plugin';
export type { SuperlatchValidationProps } from './plugin';
export { RuleCatalog } from './catalog';
