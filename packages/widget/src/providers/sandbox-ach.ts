import { type MethodFields, numericInput, testNumbers } from './sandbox-card.js';
import { h, SandboxForm } from './sandbox-form.js';
import type { SandboxLabels } from './sandbox-labels.js';
import { routingValid } from './sandbox-rules.js';

/**
 * A US bank account for an ACH debit, and the authorization (mandate) the payer accepts before
 * it is debited: Stripe's recommended one-time wording (DOMAIN.md §2.2). The account type
 * defaults to company, because B2B payers debited as companies get the CCD entry class with its
 * short return window for "not authorized" (DOMAIN.md §2.1, §2.4).
 */
export function achFields(
  form: SandboxForm,
  t: SandboxLabels,
  merchantName: string,
  mandateId: string,
  onFill: () => void,
): MethodFields {
  const name = h('input', { type: 'text', autocomplete: 'name' });
  const type = h(
    'select',
    {},
    h('option', { value: 'company' }, t.company),
    h('option', { value: 'individual' }, t.individual),
  );
  const routing = numericInput('off');
  const account = numericInput('off');
  const confirm = numericInput('off');
  routing.maxLength = 9;
  account.maxLength = 17;
  confirm.maxLength = 17;
  const authorize = h('input', { type: 'checkbox', required: true });

  const nodes = [
    form.add({
      name: 'accountHolderName',
      label: t.holderName,
      control: name,
      check: () => (name.value.trim() ? null : t.nameMissing),
    }),
    form.add({ name: 'accountHolderType', label: t.holderType, control: type }),
    form.add({
      name: 'routingNumber',
      label: t.routing,
      control: routing,
      format: () => SandboxForm.reformat(routing, 9),
      check() {
        if (routing.value.length !== 9) return t.routingLength;
        return routingValid(routing.value) ? null : t.routingInvalid;
      },
    }),
    h(
      'div',
      { className: 'settle-sbx-row' },
      form.add({
        name: 'accountNumber',
        label: t.account,
        control: account,
        format: () => SandboxForm.reformat(account, 17),
        check: () => (/^\d{4,17}$/.test(account.value) ? null : t.accountLength),
      }),
      form.add({
        name: 'accountNumberConfirm',
        label: t.confirm,
        control: confirm,
        format: () => SandboxForm.reformat(confirm, 17),
        check: () => (confirm.value === account.value ? null : t.confirmMismatch),
      }),
    ),
    h('p', { id: mandateId, className: 'settle-sbx-mandate' }, t.mandate(merchantName)),
    form.add({
      name: 'mandate',
      label: t.authorize(merchantName),
      control: authorize,
      describedBy: mandateId,
      check: () => (authorize.checked ? null : t.mandateMissing),
    }),
  ];

  const fill = (accountNumber: string) => () => {
    if (!name.value.trim()) form.fill('accountHolderName', 'Test Company Inc.');
    form.fill('routingNumber', '110000000');
    form.fill('accountNumber', accountNumber);
    form.fill('accountNumberConfirm', accountNumber);
    onFill();
  };
  // The authorization is never ticked for the payer, not even in test mode.
  nodes.push(
    testNumbers(t, [
      [`110000000 / 000123456789 (${t.achOk})`, fill('000123456789')],
      [`110000000 / 000222222227 (${t.achFail})`, fill('000222222227')],
    ]),
  );

  return {
    nodes,
    funding: () => null,
    request: () => ({
      type: 'us_bank_account',
      routingNumber: routing.value,
      accountNumber: account.value,
      accountHolderName: name.value.trim(),
      accountHolderType: type.value === 'individual' ? 'individual' : 'company',
    }),
  };
}
