import type { FieldIssue } from '@settle/schema';
import type { LocalizeController } from '../../i18n/localize.js';
import type { ProviderError } from '../../providers/provider.js';
import { classify, type FailureKind } from './pay-errors.js';

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
