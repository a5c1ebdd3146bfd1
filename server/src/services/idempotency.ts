import { ErrorCode } from '@settle/schema';
import { ApiError } from '../errors.js';

/**
 * The id an earlier request under the same Idempotency-Key made (`earlier`, as stored with that
 * request's hash), or null when the key is new. A key sent again with a different body is a 422:
 * it cannot be told from a retry, so a new `noun` needs a new key.
 */
export function replayedId(
  earlier: { id: string; request_hash: string } | undefined,
  requestHash: string,
  noun: 'payment' | 'reminder',
): string | null {
  if (!earlier) return null;
  if (earlier.request_hash !== requestHash) {
    throw new ApiError(
      422,
      ErrorCode.idempotencyMismatch,
      `This Idempotency-Key was already used with a different request. Use a new key for a new ${noun}.`,
      [{ path: 'Idempotency-Key', code: ErrorCode.idempotencyMismatch, message: 'Key reused with a different body' }],
    );
  }
  return earlier.id;
}
