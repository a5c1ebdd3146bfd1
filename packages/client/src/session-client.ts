import { routes } from '@settle/schema';
import { validate } from './http.js';
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
 * The validating session client: every answer is parsed by the route's response schema, so a
 * server of another version, or a proxy answering in its place, is caught as a SettleSchemaError
 * naming each field. `<settle-pay>` trusts its server instead (`@settle/client/lean`).
 */
export function createSessionClient(options: SessionClientOptions): SessionClient {
  return sessionClientOver(createTransport({ ...options, token: options.clientToken }, validate), routes);
}
