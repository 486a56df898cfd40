import { RelaxationName } from '../../hardening/relaxation';
import { defineRule } from '../internal/define';
import { finding } from '../internal/manifests';
import { checkov, design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Hardened profile: ServiceAccounts emitted with automount off. */
export const serviceAccountAutomount = defineRule({
  id: 'SL-HARD-12',
  title: 'ServiceAccounts set automountServiceAccountToken to false',
  severity: RuleSeverity.WARNING,
  rationale: 'A ServiceAccount that automounts hands its token to every pod that uses it and forgets to opt out.',
  remediation: 'Set `automountServiceAccountToken: false` on the ServiceAccount.',
  references: [...design('§5'), ...checkov('CKV_K8S_38')],
  relaxedBy: [RelaxationName.SERVICE_ACCOUNT_TOKEN],
  check: (set) => {
    const accounts = set.ofKind('ServiceAccount');
    if (accounts.length === 0) return undefined;
    return accounts.filter((sa) => sa.obj.automountServiceAccountToken !== false)
      .map((sa) => finding(sa, 'automountServiceAccountToken', `ServiceAccount '${sa.name}' does not set automountServiceAccountToken: false`));
  },
});
