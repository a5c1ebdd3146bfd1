/**
 * Browser tests' door to the real Settle server that web-test-runner starts
 * (scripts/wtr-settle-server.mjs): the secret key stays in Node, as on a merchant's backend.
 */
import type { OpenItems } from '@settle/schema';
import type { ConfirmationToken } from '@stripe/stripe-js';

export interface TestSession {
  /** The Settle server's URL: the element's `api-url`. */
  apiUrl: string;
  /** The element's `client-token`. */
  clientToken: string;
  /** The customer the session is for (a generated id for `invoices` and `fresh`). */
  customerId: string;
  sessionId: string;
  expiresAt: string;
}

export interface MintOptions {
  /** Which of the customer's currencies (cus_pinnacle has USD and EUR). */
  currency?: string;
  /** Invoices to preselect. */
  invoiceIds?: string[];
  /** 60 to 86,400; the default is the server's. */
  expiresInSeconds?: number;
  /** A synthetic customer `cus_bulk_N` with this many open invoices (and two credits), instead of `customer`. */
  invoices?: number;
  /** A private copy of the customer with its own ids, for a test that pays or otherwise changes balances. */
  fresh?: boolean;
  /** On the test server with SETTLE_PROCESSOR=stripe (on the server's offline Stripe double). */
  processor?: 'stripe';
}

/**
 * Mints a session as a merchant backend would. Demo customers: cus_acme (USD, US-NY),
 * cus_summit (US-CO), cus_harbor (US-CT, no surcharge), cus_pinnacle (USD + EUR),
 * cus_rheinwerk (EUR), cus_bluewater (USD, no credits).
 */
export async function mintSession(customer = 'cus_acme', extra: MintOptions = {}): Promise<TestSession> {
  const query = new URLSearchParams({ customer });
  if (extra.currency) query.set('currency', extra.currency);
  if (extra.invoiceIds) query.set('invoiceIds', extra.invoiceIds.join(','));
  if (extra.expiresInSeconds !== undefined) query.set('expiresInSeconds', String(extra.expiresInSeconds));
  if (extra.invoices !== undefined) query.set('invoices', String(extra.invoices));
  if (extra.fresh) query.set('fresh', '1');
  if (extra.processor) query.set('processor', extra.processor);
  return get<TestSession>(`/__settle/session?${query}`);
}

/** The customer's open invoices and credits as the ERP holds them now (secret-key view). */
export async function erpOpenItems(customerId: string): Promise<OpenItems> {
  return get<OpenItems>(`/__settle/open-items?customer=${encodeURIComponent(customerId)}`);
}

/**
 * A ConfirmationToken made by the Stripe double for one of Stripe's test PaymentMethods
 * (`pm_card_visa` is a credit card, `pm_card_visa_debit` a debit card, `pm_card_threeDSecure2Required`
 * asks for 3-D Secure): what Stripe.js's createConfirmationToken returns for that card.
 */
export async function stripeConfirmationToken(paymentMethod: string): Promise<ConfirmationToken> {
  return get<ConfirmationToken>(`/__settle/stripe/token?payment_method=${encodeURIComponent(paymentMethod)}`);
}

/**
 * The payer finished the next action of the intent `clientSecret` belongs to: the Stripe double moves
 * it on (succeeded, or `failed` with `code`) and delivers the signed webhook events to the server.
 */
export async function completeStripeAction(clientSecret: string, failed?: { code: string }): Promise<void> {
  const query = new URLSearchParams({ client_secret: clientSecret });
  if (failed) {
    query.set('outcome', 'failed');
    query.set('code', failed.code);
  }
  await get<unknown>(`/__settle/stripe/advance?${query}`);
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
