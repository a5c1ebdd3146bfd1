/**
 * Browser tests' door to the real Settle server that web-test-runner starts
 * (scripts/wtr-settle-server.mjs): the secret key stays in Node, as on a merchant's backend.
 */
import type { OpenItems } from '@settle/schema';

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
  return get<TestSession>(`/__settle/session?${query}`);
}

/** The customer's open invoices and credits as the ERP holds them now (secret-key view). */
export async function erpOpenItems(customerId: string): Promise<OpenItems> {
  return get<OpenItems>(`/__settle/open-items?customer=${encodeURIComponent(customerId)}`);
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
