import type { CreatePaymentRequest } from '@settle/schema';
import { describe, expect, it } from 'vitest';
import { isSettleHttpError } from './errors.js';
import { createMerchantClient } from './merchant-client.js';
import { createSessionClient } from './session-client.js';
import { useTestServer } from './test-server.js';

const CARD = { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' } as const;

const settle = useTestServer();

/** Pays the customer's smallest open invoice in full by card, as the browser would. */
async function payOnce(customerId: string): Promise<string> {
  const { clientToken } = await settle.merchant.createSession({ customerId });
  const client = createSessionClient({ apiUrl: settle.server.url, clientToken });
  const view = await client.getSession();
  const [invoice] = view.invoices
    .filter((i) => i.openAmount > i.pendingAmount)
    .sort((a, b) => a.openAmount - a.pendingAmount - (b.openAmount - b.pendingAmount));
  if (!invoice) throw new Error(`No open invoice left for ${customerId}`);
  const token = await client.createPaymentMethodToken(CARD);
  const proposal = {
    method: 'card',
    allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount - invoice.pendingAmount }],
    paymentMethodToken: token.id,
  } satisfies CreatePaymentRequest;
  // The widget shows the surcharged total first; the payment confirms the total the payer saw.
  const { total } = await client.quote(proposal);
  const { payment } = await client.createPayment({ ...proposal, expectedTotal: total });
  return payment.id;
}

describe('merchant client against a real server', () => {
  it("lists the ERP's customers and a customer's open items", async () => {
    const { data } = await settle.merchant.listCustomers();
    expect(data.map((c) => c.id)).toContain('cus_acme');
    const items = await settle.merchant.getOpenItems('cus_acme');
    expect(items.customerId).toBe('cus_acme');
    expect(items.invoices.length).toBeGreaterThan(0);
  });

  it('mints a session the session client can read', async () => {
    const created = await settle.merchant.createSession({ customerId: 'cus_acme', expiresInSeconds: 600 });
    expect(created.clientToken).toMatch(/^ct_/);
    const view = await createSessionClient({
      apiUrl: settle.server.url,
      clientToken: created.clientToken,
    }).getSession();
    expect(view).toMatchObject({ id: created.id, customer: { id: 'cus_acme' } });
  });

  it('answers an unknown customer with a 404 naming the field', async () => {
    const error = await settle.merchant.createSession({ customerId: 'cus_nobody' }).catch((e: unknown) => e);
    expect(isSettleHttpError(error)).toBe(true);
    if (!isSettleHttpError(error)) throw error;
    expect(error.status).toBe(404);
    expect(Object.keys(error.fieldErrors())).toEqual(['customerId']);
  });

  it('rejects a wrong secret key with a 401 SettleHttpError', async () => {
    const wrong = createMerchantClient({ apiUrl: settle.server.url, secretKey: 'sk_test_wrong' });
    const error = await wrong.listCustomers().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SettleHttpError', status: 401, code: 'unauthorized' });
  });

  it('walks every page of payments, following nextCursor', async () => {
    const paid = [await payOnce('cus_summit'), await payOnce('cus_summit'), await payOnce('cus_summit')];
    const pages: string[] = [];
    const counting = createMerchantClient({
      apiUrl: settle.server.url,
      secretKey: settle.server.secretKey,
      fetch: (input, init) => {
        pages.push(new URL(input instanceof Request ? input.url : String(input)).search);
        return fetch(input, init);
      },
    });

    const first = await counting.listPayments({ customerId: 'cus_summit', limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();

    pages.length = 0;
    const seen: string[] = [];
    for await (const payment of counting.payments({ customerId: 'cus_summit', limit: 2 })) seen.push(payment.id);
    expect(seen.sort()).toEqual([...paid].sort());
    expect(pages).toHaveLength(2);
    expect(pages[1]).toContain('cursor=');
  });
});
