import { describe, expect, it } from 'vitest';
import { isSettleHttpError } from './errors.js';
import { createSessionClient } from './session-client.js';
import { useTestServer } from './test-server.js';

const settle = useTestServer();

describe('the merchant client: pay links and payer signals', () => {
  it('issues a pinned link, lists it, and reads back that the payer opened it and looked', async () => {
    const { invoices } = await settle.merchant.getOpenItems('cus_summit');
    const [invoice] = invoices;
    if (!invoice) throw new Error('The demo ERP lacks an invoice for cus_summit');
    const link = await settle.merchant.createPayLink({
      customerId: 'cus_summit',
      invoiceIds: [invoice.id],
      expiresInDays: 7,
    });
    expect(link).toMatchObject({ customerId: 'cus_summit', invoiceIds: [invoice.id] });

    // The browser's side: follow the link to the hosted page's fragment, then use that session.
    const res = await fetch(link.url, { redirect: 'manual' });
    const location = res.headers.get('location') ?? '';
    const clientToken = decodeURIComponent(location.slice(location.indexOf('#token=') + 7));
    const session = createSessionClient({ apiUrl: settle.server.url, clientToken });
    expect((await session.getSession()).preselectedInvoiceIds).toEqual([invoice.id]);
    await session.quote({ method: 'ach_debit', allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }] });

    expect((await settle.merchant.listPayLinks('cus_summit')).data.map((l) => l.id)).toContain(link.id);
    const signals = await settle.merchant.listSignals('cus_summit', { limit: 1 });
    expect(signals.data.map((s) => [s.kind, s.invoiceId, s.payLinkId])).toEqual([
      ['invoice_viewed', invoice.id, link.id],
    ]);
    expect(signals.nextCursor).not.toBeNull();
    const older = await settle.merchant.listSignals('cus_summit', { cursor: signals.nextCursor ?? undefined });
    expect(older.data.map((s) => s.kind)).toEqual(['session_opened']);
    expect(older.summary.viewedUnpaidInvoiceIds).toEqual([invoice.id]);
  });

  it('names the pinned invoice that is not the customer’s', async () => {
    const [other] = (await settle.merchant.getOpenItems('cus_acme')).invoices;
    if (!other) throw new Error('The demo ERP lacks an invoice for cus_acme');
    const error = await settle.merchant
      .createPayLink({ customerId: 'cus_summit', invoiceIds: [other.id] })
      .catch((e: unknown) => e);
    if (!isSettleHttpError(error)) throw error;
    expect(error.status).toBe(422);
    expect(Object.keys(error.fieldErrors())).toEqual(['invoiceIds.0']);
  });
});
