import {
  isSettleHttpError,
  isSettleNetworkError,
  isSettleSchemaError,
  isSettleTimeoutError,
  type SettleHttpError,
} from '@settle/client';

export type FailureKind = 'expired' | 'unauthorized' | 'network' | 'validation' | 'total_changed' | 'other';

/** What an error from the client means for the payer: settle.js reads its session with it, the checkout piece its payments. */
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
