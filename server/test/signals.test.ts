/**
 * Payer signals at the edges: a customer with as many invoices as one payment may name, and a
 * database that refuses a signal. Over real HTTP, on PGlite and PostgreSQL.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryErp } from '../src/erp/memory.js';
import { call, payByCard, STORES, startTestServer, type TestServer } from './harness.js';

/** The most allocations a quote or payment accepts (packages/schema allocation.ts). */
const MAX_INVOICES = 10_000;

/** One customer, in US-CT (no surcharge), with `count` open invoices of $1.00. */
function manyInvoices(count: number): MemoryErp {
  return new MemoryErp({
    customers: [{ id: 'cus_many', name: 'Many Invoices Inc.', email: null, currency: 'USD', region: 'US-CT' }],
    invoices: Array.from({ length: count }, (_, n) => ({
      id: `inv_many_${String(n).padStart(5, '0')}`,
      customerId: 'cus_many',
      number: `INV-M${String(n).padStart(5, '0')}`,
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      currency: 'USD',
      amount: 100,
      openAmount: 100,
      documentUrl: null,
      poNumber: null,
    })),
    credits: [],
  });
}

async function clientToken(server: TestServer, customerId: string): Promise<string> {
  const session = await call<{ clientToken: string }>(server, 'POST', '/v1/sessions', server.secretKey, { customerId });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return session.body.clientToken;
}

describe.each(STORES)('payer signals (%s)', (store) => {
  describe('for a payment of 10,000 invoices', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ store, erp: manyInvoices(MAX_INVOICES) });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('quotes and creates the payment, and records each invoice viewed once', async () => {
      const token = await clientToken(server, 'cus_many');
      expect((await call(server, 'GET', '/v1/session', token)).status).toBe(200);
      const proposal = {
        method: 'card',
        allocations: Array.from({ length: MAX_INVOICES }, (_, n) => ({
          invoiceId: `inv_many_${String(n).padStart(5, '0')}`,
          amount: 100,
        })),
      };
      const quoted = await call<{ total: number }>(server, 'POST', '/v1/session/quote', token, proposal);
      expect(quoted.status, JSON.stringify(quoted.body).slice(0, 500)).toBe(200);
      expect(quoted.body.total).toBe(MAX_INVOICES * 100);

      const paid = await payByCard(server, token, proposal, quoted.body.total);
      expect(paid.status, JSON.stringify(paid.body).slice(0, 500)).toBe(201);

      const counts = await server.settle.deps.db
        .selectFrom('payer_signals')
        .select((eb) => [
          'kind',
          eb.fn.countAll<string>().as('n'),
          eb.fn.count<string>('invoice_id').distinct().as('invoices'),
        ])
        .where('customer_id', '=', 'cus_many')
        // `paid` follows once the card goes through, which is not what this is about.
        .where('kind', '!=', 'paid')
        .groupBy('kind')
        .orderBy('kind')
        .execute();
      expect(counts.map((c) => [c.kind, Number(c.n), Number(c.invoices)])).toEqual([
        ['invoice_viewed', MAX_INVOICES, MAX_INVOICES],
        ['payment_started', 1, 0],
        ['session_opened', 1, 0],
      ]);
    });
  });

  describe('when the database refuses a signal', () => {
    let server: TestServer;
    const warnings: string[] = [];
    beforeAll(async () => {
      server = await startTestServer({
        store,
        log: { info() {}, error() {}, warn: (message: string) => void warnings.push(message) },
      });
      // A real refusal from the database: the table takes no signal seen on a page.
      await server.settle.deps.db.schema
        .alterTable('payer_signals')
        .addCheckConstraint('refuse_page_signals', sqlNotIn(['session_opened', 'invoice_viewed']))
        .execute();
    });
    afterAll(async () => {
      await server?.close();
    });

    it('still answers the payer, and logs the signal it could not record', async () => {
      const token = await clientToken(server, 'cus_harbor');
      const view = await call<{ invoices: { id: string; openAmount: number }[] }>(server, 'GET', '/v1/session', token);
      expect(view.status, JSON.stringify(view.body)).toBe(200);
      const [invoice] = view.body.invoices;
      if (!invoice) throw new Error('The demo ERP lacks an invoice for cus_harbor');
      const quoted = await call(server, 'POST', '/v1/session/quote', token, {
        method: 'ach_debit',
        allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
      });
      expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
      expect(warnings.filter((w) => w.startsWith('payer signal '))).toEqual([
        expect.stringContaining('payer signal session_opened not recorded'),
        expect.stringContaining('payer signal invoice_viewed not recorded'),
      ]);
      const stored = await server.settle.deps.db.selectFrom('payer_signals').select('kind').execute();
      expect(stored).toEqual([]);
    });
  });
});

function sqlNotIn(kinds: string[]) {
  return sql`kind not in (${sql.join(kinds.map((k) => sql.lit(k)))})`;
}
