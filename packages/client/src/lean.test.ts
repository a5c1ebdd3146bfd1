import {
  type CreatePaymentRequest,
  type EndpointName,
  endpoints,
  type Payment,
  routes,
  type SessionView,
} from '@settle/schema';
import { describe, expect, it } from 'vitest';
import { validate } from './http.js';
import { createLeanSessionClient } from './lean.js';
import { createSessionClient } from './session-client.js';
import { readSse } from './sse.js';
import { useTestServer } from './test-server.js';

const CARD = { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' } as const;
const DECLINED = { ...CARD, number: '4000000000000002' } as const;
const BANK = {
  type: 'us_bank_account',
  routingNumber: '110000000',
  accountNumber: '000123456789',
  accountHolderName: 'Acme AP',
  accountHolderType: 'company',
} as const;

/** One success answer as it came off the wire: a JSON body, or a stream's events. */
interface Recorded {
  route: EndpointName;
  text: Promise<string>;
}

const settle = useTestServer();

function routeOf(method: string, pathname: string): EndpointName {
  for (const [name, e] of Object.entries(endpoints)) {
    const pattern = new RegExp(`^${e.path.replace(/:\w+/g, '[^/]+')}$`);
    if (e.method === method && pattern.test(pathname)) return name as EndpointName;
  }
  throw new Error(`No endpoint for ${method} ${pathname}`);
}

/** A fetch that keeps a copy of every success answer the server sent. */
function recording(into: Recorded[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.ok) {
      const route = routeOf(init?.method ?? 'GET', new URL(String(input)).pathname);
      into.push({ route, text: response.clone().text() });
    }
    return response;
  };
}

async function leanSession(fetch?: typeof globalThis.fetch) {
  const { clientToken } = await settle.merchant.createSession({ customerId: 'cus_acme' });
  return { clientToken, client: createLeanSessionClient({ apiUrl: settle.server.url, clientToken, fetch }) };
}

function firstPayable(view: SessionView, skip = 0) {
  const open = view.invoices.filter((i) => i.openAmount - i.pendingAmount > 1);
  const invoice = open[skip];
  if (!invoice) throw new Error('No open invoice left for cus_acme');
  return { invoiceId: invoice.id, payable: invoice.openAmount - invoice.pendingAmount };
}

async function drain(watch: AsyncIterable<Payment>): Promise<Payment[]> {
  const seen: Payment[] = [];
  for await (const payment of watch) seen.push(payment);
  return seen;
}

describe('lean session client against a real server', () => {
  it('reads, quotes, pays by card and watches the payment reach the ERP, with no schema in between', async () => {
    const { client } = await leanSession();
    const view = await client.getSession();
    expect(view.customer.id).toBe('cus_acme');
    const { invoiceId, payable } = firstPayable(view);

    const token = await client.createPaymentMethodToken(CARD);
    const proposal = {
      method: 'card',
      allocations: [{ invoiceId, amount: payable }],
      paymentMethodToken: token.id,
    } satisfies CreatePaymentRequest;
    const quote = await client.quote(proposal);
    expect(quote.total).toBe(quote.subtotal + quote.surcharge.amount);

    const { payment } = await client.createPayment({ ...proposal, expectedTotal: quote.total });
    expect(payment).toMatchObject({ status: 'succeeded', amount: quote.total });
    const posted = await client.waitForPayment(payment.id, (p) => p.erpStatus === 'posted', { timeoutMs: 10_000 });
    expect(posted.erpStatus).toBe('posted');
  });

  it('answers exactly what the validating client answers for the same session and payment', async () => {
    const { clientToken, client: lean } = await leanSession();
    const strict = createSessionClient({ apiUrl: settle.server.url, clientToken });
    const view = await lean.getSession();
    expect(view).toStrictEqual(await strict.getSession());

    const token = await lean.createPaymentMethodToken(BANK);
    const { invoiceId, payable } = firstPayable(view);
    const proposal = {
      method: 'ach_debit',
      allocations: [{ invoiceId, amount: payable }],
      paymentMethodToken: token.id,
    } satisfies CreatePaymentRequest;
    expect(await lean.quote(proposal)).toStrictEqual(await strict.quote(proposal));
    const { payment } = await lean.createPayment(proposal);
    const settled = (p: Payment) => p.status === 'succeeded' && p.erpStatus === 'posted';
    await lean.waitForPayment(payment.id, settled, { timeoutMs: 15_000 });
    expect(await lean.getPayment(payment.id)).toStrictEqual(await strict.getPayment(payment.id));
    expect(await drain(lean.watchPayment(payment.id))).toStrictEqual(await drain(strict.watchPayment(payment.id)));
  });

  it('gets every session answer exactly as the schema would parse it: no defaults, transforms or extra keys', async () => {
    const answers: Recorded[] = [];
    const { client } = await leanSession(recording(answers));
    const view = await client.getSession();
    const credit = view.credits.find((c) => c.openAmount - c.pendingAmount > 0);
    if (!credit) throw new Error('No open credit memo left for cus_acme');
    const short = firstPayable(view);
    const rest = firstPayable(view, 1);

    // A short payment with a reason and a note, and a credit memo applied: the fullest quote and payment.
    const card = await client.createPaymentMethodToken(CARD);
    const proposal = {
      method: 'card',
      allocations: [
        { invoiceId: short.invoiceId, amount: short.payable - 1, reasonCode: 'other', note: 'One unit short' },
        { invoiceId: rest.invoiceId, amount: rest.payable },
      ],
      credits: [{ creditId: credit.id, amount: 1 }],
      paymentMethodToken: card.id,
    } satisfies CreatePaymentRequest;
    const quote = await client.quote(proposal);
    const { payment } = await client.createPayment({ ...proposal, expectedTotal: quote.total });
    await drain(client.watchPayment(payment.id));

    // A decline (failure filled in) and a bank debit (bank summary, processing then succeeded).
    const { invoiceId } = firstPayable(await client.getSession());
    const small = { invoiceId, amount: 100, reasonCode: 'partial_payment' };
    const declined = await client.createPaymentMethodToken(DECLINED);
    const decline = {
      method: 'card',
      allocations: [small],
      paymentMethodToken: declined.id,
    } satisfies CreatePaymentRequest;
    const { total } = await client.quote(decline);
    const { payment: refused } = await client.createPayment({ ...decline, expectedTotal: total });
    expect(refused.failure).not.toBeNull();
    const bank = await client.createPaymentMethodToken(BANK);
    const { payment: ach } = await client.createPayment({
      method: 'ach_debit',
      allocations: [small],
      paymentMethodToken: bank.id,
    });
    await drain(client.watchPayment(ach.id));
    await client.getPayment(ach.id);

    const values: Array<[EndpointName, unknown]> = [];
    for (const { route, text } of answers) {
      const body = await text;
      if (!('stream' in endpoints[route])) values.push([route, JSON.parse(body)]);
      else for await (const event of readSse(new Response(body).body!)) values.push([route, JSON.parse(event.data)]);
    }
    expect(new Set(values.map(([route]) => route))).toEqual(
      new Set([
        'getSession',
        'createSandboxToken',
        'quote',
        'createPayment',
        'watchSessionPayment',
        'getSessionPayment',
      ]),
    );
    for (const [route, value] of values) expect(validate(routes[route], value), route).toStrictEqual(value);
  });
});
