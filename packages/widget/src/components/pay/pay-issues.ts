import { type FieldIssue, payableAmount, type SessionView } from '@settle/schema';
import type { LocalizeController } from '../../i18n/localize.js';
import { amountExample } from '../invoice-list/amount-text.js';

/** An issue in the payer's language where its code is known; the server's English sentence otherwise. */
export function issueText(localize: LocalizeController, session: SessionView, issue: FieldIssue, id: string | null) {
  const money = (amount: number) => localize.money(amount, session.currency);
  const item = [...session.invoices, ...session.credits].find((i) => i.id === id);
  switch (issue.code) {
    case 'amount_invalid':
      return localize.t('payIssueAmount', amountExample(session.currency, localize.locale));
    case 'reason_code_required':
      return localize.t('payIssueReason');
    case 'note_required':
      return localize.t('payIssueNote');
    case 'amount_exceeds_balance':
      return item ? localize.t('payIssueOverBalance', money(payableAmount(item))) : issue.message;
    case 'credit_exceeds_balance':
      return item ? localize.t('payIssueCreditOver', money(payableAmount(item))) : issue.message;
    case 'credit_exceeds_invoices':
      return localize.t('payIssueCreditOverInvoices');
    case 'nothing_to_charge':
      return localize.t('payIssueNothingToCharge');
    case 'invoice_payment_pending':
      return localize.t('payIssuePending');
    default:
      return issue.message;
  }
}
