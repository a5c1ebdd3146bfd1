/**
 * Pay links and payer signals over real HTTP: the merchant issues a signed link, the payer's
 * browser follows it to the hosted page of a fresh session, and what the payer does is listed
 * back to the merchant. Runs on PGlite and PostgreSQL.
 */
import {
  type PayerSignalList,
  PayerSignalListSchema,
  type PayLink,
  PayLinkListSchema,
  PayLinkSchema,
  ProblemSchema,
  SessionViewSchema,
} from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMerchantClient } from '../../packages/client/src/index.js';
import type { MemoryErp } from '../src/erp/memory.js';
import { ErpUnavailableError } from '../src/erp/port.js';
import { createDemoErp } from '../src/erp/seed.js';
import { payLinkToken, payLinkUrl } from '../src/services/pay-links.js';
import { signToken } from '../src/services/signing.js';
import { call, callThrough, payByCard, STORES, startTestServer, type TestServer, waitFor } from './harness.js';

const MERCHANT = 'Northwind Supply Co.';

describe.each(STORES)('pay links and payer signals (%s)', (store) => {
  let server: TestServer;
  let erp: MemoryErp;
  beforeAll(async () => {
    erp = createDemoErp();
    server = await startTestServer({ store, erp: callThrough(erp) });
  });
  afterAll(async () => {
    await server?.close();
  });

  const merchant = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    call(server, method, path, server.secretKey, body);

  async function issue(body: Record<string, unknown>): Promise<PayLink> {
    const reply = await merchant('POST', '/v1/pay-links', body);
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return PayLinkSchema.parse(reply.body);
  }

  async function openInvoices(customerId: string): Promise<string[]> {
    const { invoices } = await server.erp.listOpenItems(customerId);
    return invoices.map((i) => i.id);
  }

  /** Follows a link as a browser would, without following the redirect: the answer and its page text. */
  async function follow(url: string) {
    const res = await fetch(url, { redirect: 'manual' });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** Opens a link and returns the client token the hosted page receives in its fragment. */
  async function tokenFrom(url: string): Promise<string> {
    const res = await follow(url);
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${server.url}/pay#token=ct_test_`));
    return decodeURIComponent(location.slice(location.indexOf('#token=') + 7));
  }

  async function signals(customerId: string, query = ''): Promise<PayerSignalList> {
    const reply = await merchant('GET', `/v1/customers/${customerId}/signals${query}`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return PayerSignalListSchema.parse(reply.body);
  }

  const sessionOf = async (token: string) => {
    const reply = await call(server, 'GET', '/v1/session', token);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return SessionViewSchema.parse(reply.body);
  };

  /** Runs a session's abandonment check now, as if its hour were up. */
  async function expireSession(sessionId: string): Promise<void> {
    const db = server.settle.deps.db;
    await db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', sessionId)
      .execute();
    await db
      .updateTable('outbox')
      .set({ run_at: new Date(Date.now() - 1000) })
      .where('dedupe_key', '=', `session_abandon:${sessionId}`)
      .execute();
    await waitFor('the abandonment check', async () => {
      const job = await db
        .selectFrom('outbox')
        .select('status')
        .where('dedupe_key', '=', `session_abandon:${sessionId}`)
        .executeTakeFirstOrThrow();
      return job.status === 'done' ? true : undefined;
    });
  }

  it('opens the hosted page of a fresh session with the pinned invoices preselected', async () => {
    const [, second, third] = await openInvoices('cus_harbor');
    if (!second || !third) throw new Error('The demo ERP lacks three invoices for cus_harbor');
    const link = await issue({ customerId: 'cus_harbor', invoiceIds: [third, second], expiresInDays: 3 });
    expect(link.url).toMatch(new RegExp(`^${server.url}/l/[\\w-]+\\.[\\w-]{43}$`));
    expect(link).toMatchObject({ customerId: 'cus_harbor', invoiceIds: [third, second] });
    const days = (Date.parse(link.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(2.99);
    expect(days).toBeLessThanOrEqual(3);

    const res = await follow(link.url);
    expect(res.status).toBe(303);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const token = await tokenFrom(link.url);
    const view = await sessionOf(token);
    expect(view.customer.id).toBe('cus_harbor');
    expect(view.preselectedInvoiceIds).toEqual([third, second]);

    // Each opening mints its own session: the link outlives the hour a session lasts.
    const again = await sessionOf(await tokenFrom(link.url));
    expect(again.id).not.toBe(view.id);
    expect(again.preselectedInvoiceIds).toEqual([third, second]);

    // A link for the whole account preselects nothing.
    const whole = await issue({ customerId: 'cus_harbor' });
    expect(whole.invoiceIds).toEqual([]);
    expect((await sessionOf(await tokenFrom(whole.url))).preselectedInvoiceIds).toEqual([]);

    const listed = PayLinkListSchema.parse((await merchant('GET', '/v1/customers/cus_harbor/pay-links')).body);
    expect(listed.data.slice(0, 2).map((l) => [l.id, l.invoiceIds])).toEqual([
      [whole.id, []],
      [link.id, [third, second]],
    ]);
  });

  it('refuses a link with any part changed as not valid, and an expired one as expired', async () => {
    const [first] = await openInvoices('cus_summit');
    if (!first) throw new Error('The demo ERP lacks an invoice for cus_summit');
    const { url } = await issue({ customerId: 'cus_summit', invoiceIds: [first] });
    const token = url.slice(url.lastIndexOf('/') + 1);
    const dot = token.indexOf('.');
    const flip = (at: number) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    const forged = Buffer.from(
      JSON.stringify({ l: 'pl_x', c: 'cus_acme', i: [], m: 'mer_default', p: 'pay_link', e: 9_999_999_999 }),
    ).toString('base64url');
    const otherPurpose = await signToken(
      server.settle.deps.db,
      'mer_default',
      'statement',
      { l: 'pl_x', c: 'cus_summit', i: [] },
      new Date(Date.now() + 3_600_000),
    );
    const bad = [
      flip(0),
      flip(Math.floor(dot / 2)),
      flip(dot - 1),
      flip(dot + 1),
      flip(token.length - 1),
      `${forged}${token.slice(dot)}`,
      token.slice(0, -1),
      `${token}A`,
      token.replace('.', ''),
      otherPurpose,
      'not-a-link',
    ];
    for (const variant of bad) {
      const res = await follow(payLinkUrl(server.url, variant));
      expect(res.status, variant).toBe(404);
      expect(res.text).toContain('This payment link is not valid');
      expect(res.text).not.toContain('ct_');
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }

    const expired = await payLinkToken(
      server.settle.deps.db,
      'mer_default',
      { l: 'pl_old', c: 'cus_summit', i: [first] },
      new Date(Date.now() - 1000),
    );
    const res = await follow(payLinkUrl(server.url, expired));
    expect(res.status).toBe(410);
    expect(res.text).toContain('This payment link has expired');
    expect(res.text).toContain(`ask ${MERCHANT} for a new one`);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('opens a withdrawn link to a page that says so, and no link the merchant never issued', async () => {
    const [first] = await openInvoices('cus_summit');
    if (!first) throw new Error('The demo ERP lacks an invoice for cus_summit');
    const link = await issue({ customerId: 'cus_summit', invoiceIds: [first] });
    expect(link.revokedAt).toBeNull();
    await tokenFrom(link.url);

    const client = createMerchantClient({ apiUrl: server.url, secretKey: server.secretKey });
    const revoked = await client.revokePayLink(link.id);
    expect(revoked).toMatchObject({ id: link.id, customerId: 'cus_summit', invoiceIds: [first] });
    expect(Date.parse(revoked.revokedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    // Revoking again keeps the first time.
    expect(await client.revokePayLink(link.id)).toEqual(revoked);
    const listed = PayLinkListSchema.parse((await merchant('GET', '/v1/customers/cus_summit/pay-links')).body);
    expect(listed.data.find((l) => l.id === link.id)?.revokedAt).toBe(revoked.revokedAt);

    const res = await follow(link.url);
    expect(res.status).toBe(410);
    expect(res.text).toContain('This payment link was withdrawn');
    expect(res.text).toContain(`ask ${MERCHANT} for a new one`);
    expect(res.text).not.toContain('ct_');
    expect(res.headers.get('cache-control')).toBe('no-store');

    // Signed with the merchant's key, but never issued: no row, no session.
    const unissued = await payLinkToken(
      server.settle.deps.db,
      'mer_default',
      { l: 'pl_never_issued', c: 'cus_summit', i: [first] },
      new Date(Date.now() + 3_600_000),
    );
    const stray = await follow(payLinkUrl(server.url, unissued));
    expect(stray.status).toBe(404);
    expect(stray.text).toContain('This payment link is not valid');

    for (const id of ['pl_never_issued', 'not an id']) {
      const reply = await merchant('POST', `/v1/pay-links/${encodeURIComponent(id)}/revoke`);
      expect(reply.status, id).toBe(404);
      expect(ProblemSchema.parse(reply.body).code).toBe('not_found');
    }
    expect((await call(server, 'POST', `/v1/pay-links/${link.id}/revoke`, null)).status).toBe(401);
  });

  it('says the page is not available while the ERP is down, and opens once it is back', async () => {
    const [first] = await openInvoices('cus_summit');
    if (!first) throw new Error('The demo ERP lacks an invoice for cus_summit');
    const link = await issue({ customerId: 'cus_summit', invoiceIds: [first] });
    const listOpenItems = erp.listOpenItems;
    erp.listOpenItems = async () => {
      throw new ErpUnavailableError('down for maintenance');
    };
    try {
      const res = await follow(link.url);
      expect(res.status).toBe(503);
      expect(res.text).toContain('The payment page is not available right now');
      expect(res.text).not.toContain('maintenance');
    } finally {
      erp.listOpenItems = listOpenItems;
    }
    expect((await sessionOf(await tokenFrom(link.url))).preselectedInvoiceIds).toEqual([first]);
  });

  it('names the field when a link is asked for what the customer does not owe', async () => {
    const [acmeInvoice] = await openInvoices('cus_acme');
    const [harborInvoice] = await openInvoices('cus_harbor');
    if (!acmeInvoice || !harborInvoice) throw new Error('The demo ERP lacks invoices');
    const cases: Array<[Record<string, unknown>, number, string[]]> = [
      [{ customerId: 'cus_harbor', invoiceIds: [harborInvoice, acmeInvoice] }, 422, ['invoiceIds.1']],
      [{ customerId: 'cus_harbor', invoiceIds: [harborInvoice, harborInvoice] }, 422, ['invoiceIds.1']],
      [{ customerId: 'cus_nobody' }, 404, ['customerId']],
      [{ customerId: 'cus_harbor', expiresInDays: 91 }, 422, ['expiresInDays']],
      [{ customerId: 'cus_harbor', expiresInDays: 0 }, 422, ['expiresInDays']],
      [{ customerId: 'cus_harbor', invoiceIds: [] }, 422, ['invoiceIds']],
      [{ customerId: 'cus_harbor', invoiceIds: Array.from({ length: 21 }, (_, i) => `inv_${i}`) }, 422, ['invoiceIds']],
      [{ customerId: 'cus_harbor', amount: 5 }, 422, ['amount']],
    ];
    for (const [body, status, paths] of cases) {
      const reply = await merchant('POST', '/v1/pay-links', body);
      expect(reply.status, JSON.stringify(body)).toBe(status);
      expect(ProblemSchema.parse(reply.body).details?.map((d) => d.path)).toEqual(paths);
    }
    expect((await call(server, 'POST', '/v1/pay-links', null, { customerId: 'cus_harbor' })).status).toBe(401);
    expect((await call(server, 'GET', '/v1/customers/cus_harbor/signals', null)).status).toBe(401);
  });

  it('records what the payer did, in order, through to paid, and then has nothing left to pay', async () => {
    const [invoice] = await openInvoices('cus_harbor');
    if (!invoice) throw new Error('The demo ERP lacks an invoice for cus_harbor');
    const link = await issue({ customerId: 'cus_harbor', invoiceIds: [invoice] });
    const token = await tokenFrom(link.url);
    const view = await sessionOf(token);
    await sessionOf(token);
    const proposal = {
      method: 'card',
      allocations: [{ invoiceId: invoice, amount: view.invoices.find((i) => i.id === invoice)?.openAmount }],
    };
    const quoted = await call<{ total: number }>(server, 'POST', '/v1/session/quote', token, proposal);
    expect(quoted.status).toBe(200);
    await call(server, 'POST', '/v1/session/quote', token, proposal);
    const paid = await payByCard(server, token, proposal, quoted.body.total);
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const paymentId = paid.body.id;
    await waitFor('the payment to succeed', async () => {
      const p = await call<{ status: string }>(server, 'GET', `/v1/session/payments/${paymentId}`, token);
      return p.body.status === 'succeeded' ? true : undefined;
    });

    const list = await signals('cus_harbor');
    const mine = list.data.filter((s) => s.sessionId === view.id).reverse();
    expect(mine.map((s) => [s.kind, s.invoiceId, s.paymentId])).toEqual([
      ['session_opened', null, null],
      ['invoice_viewed', invoice, null],
      ['payment_started', null, paymentId],
      ['paid', null, paymentId],
    ]);
    for (const s of mine) expect(s).toMatchObject({ customerId: 'cus_harbor', payLinkId: link.id });
    expect(list.summary.lastPaidAt).toBe(mine[3]?.at);
    expect(list.summary.lastSeenAt).toBe(list.data[0]?.at);
    expect(list.summary.viewedUnpaidInvoiceIds).not.toContain(invoice);
    // Ids and times only: no card number, no part of one, no brand.
    const text = JSON.stringify(list);
    expect(text).not.toMatch(/4242|visa|last4|brand|card/i);
    const stored = await server.settle.deps.db.selectFrom('payer_signals').selectAll().execute();
    expect(JSON.stringify(stored)).not.toMatch(/4242|visa|last4|brand/i);

    // A session that was paid in is not abandoned when it expires.
    await expireSession(view.id);
    expect((await signals('cus_harbor')).data.filter((s) => s.sessionId === view.id)).toHaveLength(4);

    // Once the ERP has the payment, the link has nothing left to collect.
    await waitFor('the ERP posting', async () =>
      (await openInvoices('cus_harbor')).includes(invoice) ? undefined : true,
    );
    const after = await follow(link.url);
    expect(after.status).toBe(200);
    expect(after.text).toContain('Nothing is left to pay');
  });

  it('records an abandoned session that was looked at and not paid, for collectors', async () => {
    const [first, second] = await openInvoices('cus_pinnacle');
    if (!first || !second) throw new Error('The demo ERP lacks two invoices for cus_pinnacle');
    const link = await issue({ customerId: 'cus_pinnacle', invoiceIds: [first, second] });
    const token = await tokenFrom(link.url);
    const view = await sessionOf(token);
    const amountOf = (id: string) => view.invoices.find((i) => i.id === id)?.openAmount;
    const quoted = await call(server, 'POST', '/v1/session/quote', token, {
      method: 'ach_debit',
      allocations: [{ invoiceId: second, amount: amountOf(second) }],
    });
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
    // A session opened but not yet expired has no abandonment.
    expect((await signals('cus_pinnacle')).data.map((s) => s.kind)).toEqual(['invoice_viewed', 'session_opened']);

    await expireSession(view.id);
    const list = await signals('cus_pinnacle');
    expect(list.data.map((s) => [s.kind, s.invoiceId])).toEqual([
      ['abandoned', null],
      ['invoice_viewed', second],
      ['session_opened', null],
    ]);
    expect(list.summary).toEqual({
      lastSeenAt: list.data[1]?.at,
      lastPaidAt: null,
      viewedUnpaidInvoiceIds: [second],
    });

    // Pages, newest first.
    const page1 = await signals('cus_pinnacle', '?limit=2');
    expect(page1.data.map((s) => s.kind)).toEqual(['abandoned', 'invoice_viewed']);
    const page2 = await signals('cus_pinnacle', `?limit=2&cursor=${page1.nextCursor}`);
    expect(page2.data.map((s) => s.kind)).toEqual(['session_opened']);
    expect(page2.nextCursor).toBeNull();
    const bad = await merchant('GET', '/v1/customers/cus_pinnacle/signals?cursor=x');
    expect(bad.status).toBe(422);
    expect(ProblemSchema.parse(bad.body).details?.map((d) => d.path)).toEqual(['cursor']);
  });
});
