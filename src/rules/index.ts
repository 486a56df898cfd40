// Public API of the rule pack. Helper functions stay internal: jsii exports classes, structs and enums.
export { ReferenceFramework, Rule, RuleFinding, RuleProps, RuleReference, RuleResult, RuleSeverity, RuleStatus } from './rule';
export { PackName, RulePack } from './pack';
export { AuditFinding, AuditReport, RuleOutcome } from './report';
export { Acknowledgement, RuleAcknowledgements } from './acknowledgements';
export { AttachOptions, PackValidation } from './validation';
export { SecurityTesting } from './testing';
export { SuperlatchValidation, SuperlatchValidationProps } from './plugin';
export { RuleCatalog } from './catalog';
