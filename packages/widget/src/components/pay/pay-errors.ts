import {
  isSettleHttpError,
  isSettleNetworkError,
  isSettleSchemaError,
  isSettleTimeoutError,
  type SettleHttpError,
} from '@settle/client';
import { type FieldIssue, payableAmount, type SessionView } from '@settle/schema';
import type { LocalizeController } from '../../i18n/localize.js';
import type { ProviderError } from '../../providers/provider.js';
import { amountExample } from '../invoice-list/amount-text.js';

export type FailureKind = 'expired' | 'unauthorized' | 'network' | 'validation' | 'total_changed' | 'other';

/** What an error from the client means for the payer. */
export function classify(error: unknown): { kind: FailureKind; http: SettleHttpError | null } {
  if (isSettleHttpError(error)) {
    const { status, code } = error;
    const kind: FailureKind =
      code === 'session_expired'
        ? 'expired'
        : // The first attempt is still being worked on: its outcome is unknown, so keep its key.
          code === 'idempotency_key_in_use'
          ? 'network'
          : status === 401
            ? 'unauthorized'
            : code === 'total_changed'
              ? 'total_changed'
              : status === 422
                ? 'validation'
                : status >= 500 || status === 408 || status === 429
                  ? 'network'
                  : 'other';
    return { kind, http: error };
  }
  if (isSettleNetworkError(error) || isSettleTimeoutError(error) || isSettleSchemaError(error)) {
    return { kind: 'network', http: null };
  }
  return { kind: 'other', http: null };
}

/** What went wrong, for the payer (`message`), for `settle-error` (`code`), and for the screen. */
export interface Failure {
  kind: FailureKind | 'provider';
  code: string;
  message: string;
  /** The same attempt may be sent again as is (nothing was decided on the server's side). */
  retry: boolean;
  /** A 422's bad fields, paths as sent. */
  details: FieldIssue[];
  /** False when the payment fields already show it beside the field. */
  notice: boolean;
}

export function describeFailure(error: unknown, localize: LocalizeController): Failure {
  if (error instanceof Error && error.name === 'ProviderError') {
    const { field } = error as ProviderError;
    return {
      kind: 'provider',
      code: 'invalid_payment_details',
      message: error.message,
      retry: false,
      details: [],
      notice: !field,
    };
  }
  const { kind, http } = classify(error);
  const details = kind === 'validation' ? (http?.details ?? []) : [];
  const message =
    kind === 'expired'
      ? localize.t('expiredTitle')
      : kind === 'unauthorized'
        ? localize.t('payInvalidLink')
        : kind === 'network'
          ? localize.t(http ? 'payBusy' : 'networkError')
          : localize.t(details.length ? 'payFixFields' : 'payFailed');
  const code = http?.code ?? 'network_error';
  return { kind, code, message, retry: kind === 'network', details, notice: true };
}

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
