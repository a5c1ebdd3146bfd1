import { ErrorCode } from '@settle/schema';
import { ErpRejectedError, ErpUnavailableError } from '../erp/port.js';
import { ApiError } from '../errors.js';

/** Runs an ERP read for a request: a down ERP is a 503 the caller may retry, never a 500. */
export async function callErp<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ErpUnavailableError) {
      throw new ApiError(
        503,
        ErrorCode.erpUnavailable,
        'The accounting system is not reachable right now. Nothing was changed; please try again shortly.',
      );
    }
    if (err instanceof ErpRejectedError) {
      // The ERP's own words may name internals; they go to the log, the caller gets a sentence.
      console.warn(`ERP rejected a read: ${err.message}`);
      throw new ApiError(422, 'erp_rejected', 'The accounting system refused this request.');
    }
    throw err;
  }
}
