/**
 * @settle/client/lean: the session client that trusts its server, with no zod in its module
 * graph. This is what `<settle-pay>` uses in settle.js: the Settle server that served the script
 * validates its own answers, so the browser only checks their shape (docs/decisions/0006).
 * Use `createSessionClient` from `@settle/client` to parse every answer with its schema.
 */
import { sessionEndpoints } from '@settle/schema';
import { SettleSchemaError } from './errors.js';
import { type SessionClient, type SessionClientOptions, sessionClientOver } from './session-core.js';
import { createTransport } from './transport.js';

export type {
  CreatedPayment,
  CreatePaymentOptions,
  SessionClient,
  SessionClientOptions,
  WaitOptions,
} from './session-core.js';

/**
 * A session client whose answers are JSON-parsed and typed but not validated field by field.
 * Every session answer is an object: anything else (an array, a string, null) is a
 * SettleSchemaError, as is a body that is not JSON. Errors, retries and idempotency are the
 * validating client's, byte for byte: both run on the same transport.
 */
export function createLeanSessionClient(options: SessionClientOptions): SessionClient {
  return sessionClientOver(createTransport({ ...options, token: options.clientToken }, trusted), sessionEndpoints);
}

function trusted(route: { method: string; path: string }, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  const issue = { path: '', code: 'invalid_type', message: 'Expected an object' };
  throw new SettleSchemaError(`The answer to ${route.method} ${route.path} is not an object`, [issue]);
}
