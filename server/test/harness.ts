import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { type Config, loadConfig } from '../src/config.js';
import type { Logger } from '../src/deps.js';
import { MemoryErp } from '../src/erp/memory.js';
import type { ErpAdapter, ErpPosting } from '../src/erp/port.js';
import { createDemoErp, demoCustomerId } from '../src/erp/seed.js';
import { createSettle, listen, type Settle } from '../src/server.js';

export type StoreKind = 'pglite' | 'postgres';

/** The stores every store and API test runs against: PGlite always, PostgreSQL when the test setup started one. */
export const STORES: StoreKind[] = inject('testDatabaseUrl') ? ['pglite', 'postgres'] : ['pglite'];

/** A fresh, empty database on the test cluster, so tests never see each other's rows. */
export async function freshPostgresDatabase(): Promise<string> {
  const base = inject('testDatabaseUrl');
  if (!base) throw new Error('No test PostgreSQL: run through vitest with scripts/vitest-postgres.ts');
  const name = `settle_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * `erp` as the server should get it when a test swaps one of its methods after the server
 * started: each call looks the method up on `erp` at that moment. (The server wraps its ERP once,
 * at start, to bound every call with a timeout; that wrapper keeps the methods it found then.)
 */
export function callThrough(erp: ErpAdapter): ErpAdapter {
  return {
    get name() {
      return erp.name;
    },
    listCustomers: () => erp.listCustomers(),
    getCustomer: (customerId) => erp.getCustomer(customerId),
    listOpenItems: (customerId) => erp.listOpenItems(customerId),
    postPayment: (posting) => erp.postPayment(posting),
    reversePayment: (paymentId, reason) => erp.reversePayment(paymentId, reason),
    close: async () => erp.close?.(),
  };
}

export interface TestServer {
  url: string;
  secretKey: string;
  settle: Settle;
  erp: ErpAdapter;
  databaseUrl: string | null;
  close(): Promise<void>;
}

const silent = { info() {}, warn() {}, error() {} };

/**
 * A real Settle server listening on 127.0.0.1 on a free port, with its own database and a
 * seeded demo ERP. The outbox polls fast so tests don't wait long.
 */
export async function startTestServer(
  options: {
    store?: StoreKind;
    /** Reuse a database (e.g. a second instance, or a restart). */
    databaseUrl?: string | null;
    erp?: ErpAdapter;
    config?: Partial<Config>;
    worker?: boolean;
    log?: Logger;
  } = {},
): Promise<TestServer> {
  const databaseUrl =
    options.databaseUrl !== undefined
      ? options.databaseUrl
      : options.store === 'postgres'
        ? await freshPostgresDatabase()
        : null;
  // A test that sets config.erp (e.g. { kind: 'sql' }) gets the adapter SETTLE_ERP would pick.
  const erp = options.erp ?? (options.config?.erp ? undefined : createDemoErp());
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl,
      secretKey: `sk_test_${randomBytes(24).toString('base64url')}`,
      sandboxAchSettleSeconds: 1,
      outbox: { pollMs: 25, baseDelayMs: 50, maxDelayMs: 500, leaseMs: 5_000 },
      // No mail unless a test asks for it (mail.test.ts points it at its own SMTP server).
      mail: { transport: 'off', smtpUrl: null, from: '', arEmail: null, catcherPort: 0 },
      // Tests' webhook receivers listen on loopback; webhooks.test.ts turns this off to see them refused.
      webhookAllowPrivate: true,
      ...options.config,
    },
  );
  const settle = await createSettle({
    config,
    erp,
    inMemory: true,
    log: options.log ?? silent,
    worker: options.worker,
  });
  const server = await listen(settle, 0, '127.0.0.1');
  settle.deps.config.publicUrl = server.url;
  return {
    url: server.url,
    secretKey: settle.secretKey,
    settle,
    erp: erp ?? settle.deps.erp,
    databaseUrl,
    async close() {
      await server.close();
      await settle.close();
    },
  };
}

export interface Reply<T = unknown> {
  status: number;
  /** The parsed JSON answer (null for an empty body). */
  body: T;
  headers: Headers;
}

/** One request to a test server as a client would send it: a bearer token and a JSON body. */
export async function call<T = unknown>(
  target: string | { url: string },
  method: 'GET' | 'POST',
  path: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const res = await fetch(`${typeof target === 'string' ? target : target.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

/**
 * Pays `proposal` in the session `clientToken` with a sandbox Visa card (4242…), confirming
 * `expectedTotal`, under a fresh Idempotency-Key: the server's answer, as it came.
 */
export async function payByCard(
  server: TestServer,
  clientToken: string,
  proposal: object,
  expectedTotal: number,
): Promise<Reply<{ id: string; status: string }>> {
  const card = await call<{ id: string }>(server, 'POST', '/v1/sandbox/tokens', clientToken, {
    type: 'card',
    number: '4242424242424242',
    expMonth: 12,
    expYear: new Date().getUTCFullYear() + 3,
    cvc: '123',
  });
  expect(card.status, JSON.stringify(card.body)).toBe(201);
  return call(
    server,
    'POST',
    '/v1/session/payments',
    clientToken,
    { ...proposal, paymentMethodToken: card.body.id, expectedTotal },
    { 'idempotency-key': randomUUID() },
  );
}

/** Polls `probe` until it returns something other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A ledger of customers `cus_<name>`, each with one open USD invoice `inv_<name>` of `balance`
 * and no credits, in US-CT (no surcharge, so what is charged is what is applied).
 */
export function oneInvoiceLedger(names: readonly string[], balance: number): MemoryErp {
  return new MemoryErp({
    customers: names.map((n) => ({ id: `cus_${n}`, name: n, email: null, currency: 'USD', region: 'US-CT' })),
    invoices: names.map((n) => ({
      id: `inv_${n}`,
      customerId: `cus_${n}`,
      number: `INV-${n.toUpperCase()}`,
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      currency: 'USD',
      amount: balance,
      openAmount: balance,
      documentUrl: null,
      poNumber: null,
    })),
    credits: [],
  });
}

/**
 * A card posting of 100.00 (plus a 3.00 surcharge) on the demo customer's first USD invoice, as
 * Settle would hand it to `erp`; `over` changes any part of it. For the adapters' own tests.
 */
export async function acmePosting(
  erp: ErpAdapter,
  paymentId: string,
  over: Partial<ErpPosting> = {},
): Promise<ErpPosting> {
  const { invoices } = await erp.listOpenItems(demoCustomerId);
  const invoice = invoices.find((i) => i.currency === 'USD')!;
  return cashPosting(demoCustomerId, invoice.id, paymentId, 10_000, {
    surchargeAmount: 300,
    reference: `Settle ${paymentId} / Visa •4242`,
    ...over,
  });
}

/**
 * A USD card posting of `cash` on one invoice (plus `unapplied` on account), dated 2025-03-14,
 * without surcharge; `over` replaces any field.
 */
export function cashPosting(
  customerId: string,
  invoiceId: string,
  paymentId: string,
  cash: number,
  over: Partial<ErpPosting> & { unapplied?: number } = {},
): ErpPosting {
  const { unapplied = 0, ...rest } = over;
  return {
    paymentId,
    customerId,
    currency: 'USD',
    date: '2025-03-14',
    method: 'card',
    cashAmount: cash + unapplied,
    surchargeAmount: 0,
    reference: `Settle ${paymentId}`,
    applications: [{ invoiceId, cash, credit: 0, deduction: null }],
    credits: [],
    unappliedAmount: unapplied,
    ...rest,
  };
}
