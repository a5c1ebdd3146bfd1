import { randomUUID } from 'node:crypto';
import type { Payment, Quote, SessionPayment } from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createSettle } from '../src/server.js';
import { STRIPE_PAGE_CSP } from '../src/web/routes.js';
import { call, STORES, waitFor } from './harness.js';
import {
  bankToken,
  cardToken,
  ledger,
  postPayment,
  type StripeRig,
  sessionFor,
  startOutage,
  startStripeRig,
  WEBHOOK_PATH,
} from './stripe-helpers.js';

const thousand = Array.from({ length: 1000 }, () => 100);

describe.each(STORES)('SETTLE_PROCESSOR=stripe on %s', (store) => {
  let rig: StripeRig;
  const erp = ledger({
    credit: [10_000],
    debit: [10_000],
    declined: [10_000],
    threeds: [10_000],
    threedsfail: [10_000],
    ach: [25_000],
    achfail: [25_000],
    achreturn: [25_000],
    retry: [10_000],
    tiny: [30],
    huge: [150_000_000],
    many: thousand,
    replay: [10_000],
  });

  beforeAll(async () => {
    rig = await startStripeRig(store, erp);
  });
  afterAll(() => rig?.close());

  it('serves the hosted pay page with a CSP that lets Stripe.js, its frames and its API in, and nothing else', async () => {
    const res = await fetch(`${rig.server.url}/pay`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(STRIPE_PAGE_CSP);
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `));
    expect(directive('script-src')).toBe("script-src 'self' https://js.stripe.com https://*.js.stripe.com");
    expect(directive('frame-src')).toContain('https://hooks.stripe.com');
    expect(directive('connect-src')).toBe("connect-src 'self' https://api.stripe.com");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  const proposal = (customer: string, method: 'card' | 'ach_debit', amount: number) => ({
    method,
    allocations: [{ invoiceId: `inv_${customer}_0`, amount }],
  });

  async function pay(
    customer: string,
    method: 'card' | 'ach_debit',
    token: string,
    amount: number,
    key = randomUUID(),
  ): Promise<{ ct: string; quote: Quote; payment: SessionPayment; key: string }> {
    const ct = await sessionFor(rig.server, `cus_${customer}`);
    const body = { ...proposal(customer, method, amount), paymentMethodToken: token };
    const q = await call<Quote>(rig.server, 'POST', '/v1/session/quote', ct, body);
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    const res = await postPayment<SessionPayment>(rig.server, ct, { ...body, expectedTotal: q.body.total }, key);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { ct, quote: q.body, payment: res.body, key };
  }

  const merchantView = (id: string) => call<Payment>(rig.server, 'GET', `/v1/payments/${id}`, rig.server.secretKey);
  const settled = (id: string, status: string, erpStatus: string) =>
    waitFor(`${id} ${status}/${erpStatus}`, async () => {
      const p = (await merchantView(id)).body;
      return p.status === status && p.erpStatus === erpStatus ? p : undefined;
    });
  const openAmount = async (customer: string) =>
    (await erp.listOpenItems(`cus_${customer}`)).invoices.reduce((sum, i) => sum + i.openAmount, 0);
  const intentCreates = () =>
    rig.double.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');

  it('charges a credit card the quoted total with its surcharge, in one PaymentIntent, and posts once', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_visa');
    const { quote, payment } = await pay('credit', 'card', token, 10_000);
    expect(quote.cardFunding).toBe('credit');
    expect(quote.surcharge).toMatchObject({ status: 'applied', amount: 300 });
    expect(payment).toMatchObject({ status: 'succeeded', amount: 10_300, nextAction: null });
    expect(payment.paymentMethod).toMatchObject({ type: 'card', brand: 'visa', last4: '4242', funding: 'credit' });
    const intent = rig.double.intents.get(payment.processor.intentId ?? '');
    expect(intent).toMatchObject({ amount: 10_300, currency: 'usd', status: 'succeeded' });
    expect(intent?.metadata).toEqual({
      settle_payment: payment.id,
      settle_customer: 'cus_credit',
      settle_merchant: expect.any(String),
    });
    await settled(payment.id, 'succeeded', 'posted');
    expect(erp.postingCount(payment.id)).toBe(1);
    expect(await openAmount('credit')).toBe(0);
  });

  it('never surcharges a debit card', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
    const { quote, payment } = await pay('debit', 'card', token, 10_000);
    expect(quote).toMatchObject({ cardFunding: 'debit', total: 10_000 });
    expect(quote.surcharge.amount).toBe(0);
    expect(payment).toMatchObject({ status: 'succeeded', amount: 10_000 });
    expect(rig.double.intents.get(payment.processor.intentId ?? '')?.amount).toBe(10_000);
  });

  it('a declined card fails with a sentence for the payer, posts nothing, and leaves the invoice payable', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_chargeDeclinedInsufficientFunds');
    const { payment, ct } = await pay('declined', 'card', token, 10_000);
    expect(payment.status).toBe('failed');
    expect(payment.failure).toMatchObject({ code: 'card_declined', declineCode: 'insufficient_funds' });
    expect(payment.failure?.message).toMatch(/another card/);
    expect(payment.erpStatus).toBe('none');
    expect(await openAmount('declined')).toBe(10_000);
    const again = await call<Quote>(rig.server, 'POST', '/v1/session/quote', ct, proposal('declined', 'card', 10_000));
    expect(again.status).toBe(200);
  });

  it('a failed 3-D Secure fails the payment and cancels its intent at Stripe', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_threeDSecure2Required');
    const { payment } = await pay('threedsfail', 'card', token, 10_000);
    expect(payment.status).toBe('requires_action');
    await rig.double.advance(payment.processor.intentId ?? '', 'failed');
    await settled(payment.id, 'failed', 'none');
    await waitFor('intent canceled', async () =>
      rig.double.intents.get(payment.processor.intentId ?? '')?.status === 'canceled' ? true : undefined,
    );
  });

  it('3-D Secure waits in requires_action with the client secret for the payer only, then succeeds by webhook', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_threeDSecure2Required');
    const { payment, ct } = await pay('threeds', 'card', token, 10_000);
    expect(payment.status).toBe('requires_action');
    const intent = rig.double.intents.get(payment.processor.intentId ?? '');
    expect(payment.nextAction).toEqual({ type: 'use_stripe_sdk', clientSecret: intent?.client_secret });
    const session = await call<SessionPayment>(rig.server, 'GET', `/v1/session/payments/${payment.id}`, ct);
    expect(session.body.nextAction?.clientSecret).toBe(intent?.client_secret);
    const merchant = await merchantView(payment.id);
    expect(merchant.body.status).toBe('requires_action');
    expect(JSON.stringify(merchant.body)).not.toContain(intent?.client_secret ?? 'missing');
    expect(merchant.body).not.toHaveProperty('nextAction');
    const stream = await fetch(`${rig.server.url}/v1/session/payments/${payment.id}/events`, {
      headers: { authorization: `Bearer ${ct}` },
    });
    const reader = stream.body?.getReader();
    const first = new TextDecoder().decode((await reader?.read())?.value);
    await reader?.cancel();
    const streamed = JSON.parse(/^data: (.*)$/m.exec(first)?.[1] ?? 'null') as SessionPayment | null;
    expect(streamed?.nextAction?.clientSecret).toBe(intent?.client_secret);
    // Reserved while the payer authenticates.
    const other = await sessionFor(rig.server, 'cus_threeds');
    const blocked = await call(rig.server, 'POST', '/v1/session/quote', other, proposal('threeds', 'card', 10_000));
    expect(blocked.status).toBe(422);

    await rig.double.advance(payment.processor.intentId ?? '');
    const done = await settled(payment.id, 'succeeded', 'posted');
    expect(done.events.some((e) => e.from === 'requires_action' && e.to === 'succeeded')).toBe(true);
    expect(erp.postingCount(payment.id)).toBe(1);
    const after = await call<SessionPayment>(rig.server, 'GET', `/v1/session/payments/${payment.id}`, ct);
    expect(after.body).toMatchObject({ status: 'succeeded', nextAction: null });
  });

  it('ACH: a company account is debited under an online mandate, processing until the webhook says succeeded', async () => {
    const token = await bankToken(rig.stripe, '000123456789');
    const { payment, quote } = await pay('ach', 'ach_debit', token, 25_000);
    expect(quote.surcharge.amount).toBe(0);
    expect(payment).toMatchObject({ status: 'processing', amount: 25_000 });
    expect(payment.paymentMethod).toMatchObject({ type: 'ach_debit', last4: '6789', accountHolderType: 'company' });
    const create = intentCreates().find((r) => r.idempotencyKey === `settle_confirm_${payment.id}`);
    expect(create?.params).toMatchObject({
      allowed_payment_method_types: { 0: 'us_bank_account' },
      payment_method_options: { us_bank_account: { verification_method: 'automatic' } },
      mandate_data: { customer_acceptance: { type: 'online', online: { ip_address: expect.any(String) } } },
    });
    await rig.double.advance(payment.processor.intentId ?? '');
    await settled(payment.id, 'succeeded', 'posted');
    expect(await openAmount('ach')).toBe(0);
  });

  it('ACH failing while processing fails the payment and posts nothing', async () => {
    const token = await bankToken(rig.stripe, '000222222227');
    const { payment } = await pay('achfail', 'ach_debit', token, 25_000);
    expect(payment.status).toBe('processing');
    await rig.double.advance(payment.processor.intentId ?? '');
    const failed = await settled(payment.id, 'failed', 'none');
    expect(failed.failure).toMatchObject({ code: 'insufficient_funds' });
    expect(await openAmount('achfail')).toBe(25_000);
    // The payer still holds the intent's client secret: it is canceled at Stripe, so it can never charge.
    await waitFor('intent canceled', async () =>
      rig.double.intents.get(payment.processor.intentId ?? '')?.status === 'canceled' ? true : undefined,
    );
  });

  it('ACH failing after it succeeded (a final dispute) reverses the ERP posting', async () => {
    const token = await bankToken(rig.stripe, '000123456789');
    const { payment } = await pay('achreturn', 'ach_debit', token, 25_000);
    const intentId = payment.processor.intentId ?? '';
    await rig.double.advance(intentId);
    await settled(payment.id, 'succeeded', 'posted');
    expect(await openAmount('achreturn')).toBe(0);
    await rig.double.advance(intentId, 'failed', { code: 'insufficient_funds' });
    await settled(payment.id, 'reversed', 'reversed');
    expect(await openAmount('achreturn')).toBe(25_000);
  });

  it('the same Settle payment retried with its Idempotency-Key creates one PaymentIntent', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_visa');
    const first = await pay('retry', 'card', token, 10_000);
    const before = intentCreates().length;
    const again = await postPayment<SessionPayment>(
      rig.server,
      first.ct,
      { ...proposal('retry', 'card', 10_000), paymentMethodToken: token, expectedTotal: first.quote.total },
      first.key,
    );
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.payment.id);
    expect(intentCreates().length).toBe(before);
    expect(intentCreates().filter((r) => r.idempotencyKey === `settle_confirm_${first.payment.id}`)).toHaveLength(1);
  });

  it('refuses a total below Stripe’s minimum with a 422 naming the field, before any PaymentIntent', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
    const ct = await sessionFor(rig.server, 'cus_tiny');
    const before = intentCreates().length;
    const body = { ...proposal('tiny', 'card', 30), paymentMethodToken: token };
    const q = await call<{ code: string; details: { path: string; code: string; message: string }[] }>(
      rig.server,
      'POST',
      '/v1/session/quote',
      ct,
      body,
    );
    expect(q.status).toBe(422);
    expect(q.body.details[0]).toMatchObject({ path: 'allocations', code: 'amount_below_processor_minimum' });
    expect(q.body.details[0]?.message).toContain('$0.50');
    const paid = await postPayment(rig.server, ct, body);
    expect(paid.status).toBe(422);
    expect(intentCreates().length).toBe(before);
  });

  it('refuses a total above Stripe’s maximum, and the quote says which methods cannot take it', async () => {
    const ct = await sessionFor(rig.server, 'cus_huge');
    const without = await call<{ details: { code: string }[] }>(
      rig.server,
      'POST',
      '/v1/session/quote',
      ct,
      proposal('huge', 'ach_debit', 150_000_000),
    );
    expect(without.status).toBe(422);
    expect(without.body.details.map((d) => d.code)).toContain('amount_above_processor_maximum');
    const token = await bankToken(rig.stripe, '000123456789');
    const before = intentCreates().length;
    const paid = await postPayment(rig.server, ct, {
      ...proposal('huge', 'ach_debit', 150_000_000),
      paymentMethodToken: token,
    });
    expect(paid.status).toBe(422);
    expect(intentCreates().length).toBe(before);
    // A part of it is fine.
    const part = await call<Quote>(rig.server, 'POST', '/v1/session/quote', ct, {
      ...proposal('huge', 'ach_debit', 99_999_999),
      allocations: [{ invoiceId: 'inv_huge_0', amount: 99_999_999, reasonCode: 'partial_payment' }],
    });
    expect(part.status, JSON.stringify(part.body)).toBe(200);
    expect(part.body.methods.find((m) => m.method === 'ach_debit')?.available).toBe(true);
  });

  it('keeps the metadata a compact reference for a 1,000-invoice payment', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_visa');
    const ct = await sessionFor(rig.server, 'cus_many');
    const body = {
      method: 'card' as const,
      allocations: thousand.map((amount, i) => ({ invoiceId: `inv_many_${i}`, amount })),
      paymentMethodToken: token,
    };
    const q = await call<Quote>(rig.server, 'POST', '/v1/session/quote', ct, body);
    expect(q.status).toBe(200);
    const res = await postPayment<SessionPayment>(rig.server, ct, { ...body, expectedTotal: q.body.total });
    expect(res.body.status).toBe('succeeded');
    expect(res.body.lines).toHaveLength(1000);
    const metadata = rig.double.intents.get(res.body.processor.intentId ?? '')?.metadata ?? {};
    expect(Object.keys(metadata).sort()).toEqual(['settle_customer', 'settle_merchant', 'settle_payment']);
    expect(JSON.stringify(metadata).length).toBeLessThan(200);
  });

  it('refuses forged and stale webhooks with 400, and handles a replayed one once', async () => {
    const event = rig.double.events.find((e) => e.type === 'payment_intent.succeeded');
    expect(event).toBeDefined();
    if (!event) return;
    const [forged] = await rig.double.deliver(event, { signatureSecret: 'whsec_not_the_endpoint_secret' });
    expect(forged?.status).toBe(400);
    expect(forged?.body).toContain('webhook_signature_invalid');
    const [stale] = await rig.double.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale?.status).toBe(400);
    const unsigned = await call(rig.server, 'POST', WEBHOOK_PATH, null, {
      id: 'evt_x',
      type: 'payment_intent.succeeded',
    });
    expect(unsigned.status).toBe(400);
    const replays = await rig.double.deliver(event, { times: 3 });
    expect(replays.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(replays.every((d) => JSON.parse(d.body).duplicate === true)).toBe(true);
  });

  it('answers 200 to events it does not act on', async () => {
    const event = rig.double.events.find((e) => e.type === 'charge.succeeded');
    expect(event).toBeDefined();
    if (!event) return;
    const [delivery] = await rig.double.deliver(event);
    expect(delivery?.status).toBe(200);
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({ received: true, handled: false });
  });
});

describe.each(STORES)('Stripe webhooks out of order on %s', (store) => {
  let rig: StripeRig;
  const erp = ledger({ late: [25_000], card: [10_000], dispute: [10_000], threeds: [10_000] });
  beforeAll(async () => {
    rig = await startStripeRig(store, erp, { autoDeliver: false });
  });
  afterAll(() => rig?.close());

  async function payBank(customer: string, account: string) {
    const ct = await sessionFor(rig.server, `cus_${customer}`);
    const token = await bankToken(rig.stripe, account);
    const res = await postPayment<SessionPayment>(rig.server, ct, {
      method: 'ach_debit',
      allocations: [{ invoiceId: `inv_${customer}_0`, amount: 25_000 }],
      paymentMethodToken: token,
    });
    expect(res.status).toBe(201);
    return res.body;
  }
  const eventsOf = (intentId: string) =>
    rig.double.events.filter((e) => {
      const o = e.data.object as { id?: string; payment_intent?: string };
      return o.id === intentId || o.payment_intent === intentId;
    });
  const merchantView = (id: string) =>
    call<Payment>(rig.server, 'GET', `/v1/payments/${id}`, rig.server.secretKey).then((r) => r.body);

  it('an ACH return delivered before the settlement and processing still ends reversed in the ERP', async () => {
    const payment = await payBank('late', '000123456789');
    const intentId = payment.processor.intentId ?? '';
    await rig.double.advance(intentId);
    await rig.double.advance(intentId, 'failed', { code: 'account_closed' });
    const events = eventsOf(intentId);
    const byType = (t: string) => events.find((e) => e.type === t);
    for (const type of ['charge.dispute.created', 'payment_intent.succeeded', 'payment_intent.processing']) {
      const event = byType(type);
      expect(event, type).toBeDefined();
      const [d] = await rig.double.deliver(event as NonNullable<typeof event>);
      expect(d?.status).toBe(200);
    }
    const done = await waitFor('reversed', async () => {
      const p = await merchantView(payment.id);
      return p.status === 'reversed' && p.erpStatus === 'reversed' ? p : undefined;
    });
    expect(done.events.filter((e) => e.kind === 'status').map((e) => e.to)).toEqual([
      'requires_confirmation',
      'processing',
      'succeeded',
      'reversed',
    ]);
    expect((await erp.listOpenItems('cus_late')).invoices[0]?.openAmount).toBe(25_000);
  });

  it('a card dispute is recorded without a reversal; won puts it back to succeeded, even delivered first', async () => {
    const ct = await sessionFor(rig.server, 'cus_dispute');
    const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
    const res = await postPayment<SessionPayment>(rig.server, ct, {
      method: 'card',
      allocations: [{ invoiceId: 'inv_dispute_0', amount: 10_000 }],
      paymentMethodToken: token,
    });
    expect(res.body.status).toBe('succeeded');
    await waitFor('posted', async () => ((await merchantView(res.body.id)).erpStatus === 'posted' ? true : undefined));
    const intentId = res.body.processor.intentId ?? '';
    await rig.double.advance(intentId, 'disputed');
    await rig.double.advance(intentId, 'dispute_closed', { status: 'won' });
    const created = eventsOf(intentId).find((e) => e.type === 'charge.dispute.created');
    const closed = eventsOf(intentId).find((e) => e.type === 'charge.dispute.closed');
    if (!created || !closed) throw new Error('dispute events missing');
    await rig.double.deliver(closed);
    await rig.double.deliver(created);
    const done = await waitFor('won', async () => {
      const p = await merchantView(res.body.id);
      return p.status === 'succeeded' && p.events.some((e) => e.from === 'disputed') ? p : undefined;
    });
    expect(done.erpStatus, JSON.stringify(done.events)).toBe('posted');
    expect(erp.postingCount(res.body.id)).toBe(1);
  });

  it('a payer back from 3-D Secure sees the outcome on reading the payment, before any webhook', async () => {
    const ct = await sessionFor(rig.server, 'cus_threeds');
    const token = await cardToken(rig.stripe, 'pm_card_threeDSecure2Required');
    const res = await postPayment<SessionPayment>(rig.server, ct, {
      method: 'card',
      allocations: [{ invoiceId: 'inv_threeds_0', amount: 10_000 }],
      paymentMethodToken: token,
      // A credit card in New York: 3% accepted by the payer.
      expectedTotal: 10_300,
    });
    expect(res.body.status).toBe('requires_action');
    const delivered = rig.double.deliveries.length;
    await rig.double.advance(res.body.processor.intentId ?? '');
    const read = await call<SessionPayment>(rig.server, 'GET', `/v1/session/payments/${res.body.id}`, ct);
    expect(read.body).toMatchObject({ status: 'succeeded', nextAction: null });
    expect(rig.double.deliveries.length).toBe(delivered);
    await waitFor('posted', async () => ((await merchantView(res.body.id)).erpStatus === 'posted' ? true : undefined));
    expect(erp.postingCount(res.body.id)).toBe(1);
    // The webhook that follows changes nothing.
    const succeeded = eventsOf(res.body.processor.intentId ?? '').find((e) => e.type === 'payment_intent.succeeded');
    if (!succeeded) throw new Error('no payment_intent.succeeded');
    const [d] = await rig.double.deliver(succeeded);
    expect(d?.status).toBe(200);
    expect(erp.postingCount(res.body.id)).toBe(1);
  });

  it('a full refund is recorded as refunded and reverses the ERP posting', async () => {
    const ct = await sessionFor(rig.server, 'cus_card');
    const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
    const res = await postPayment<SessionPayment>(rig.server, ct, {
      method: 'card',
      allocations: [{ invoiceId: 'inv_card_0', amount: 10_000 }],
      paymentMethodToken: token,
    });
    await waitFor('posted', async () => ((await merchantView(res.body.id)).erpStatus === 'posted' ? true : undefined));
    await rig.double.advance(res.body.processor.intentId ?? '', 'refunded');
    const refunded = eventsOf(res.body.processor.intentId ?? '').find((e) => e.type === 'charge.refunded');
    if (!refunded) throw new Error('no charge.refunded');
    await rig.double.deliver(refunded);
    const done = await waitFor('refunded', async () => {
      const p = await merchantView(res.body.id);
      return p.status === 'refunded' && p.erpStatus === 'reversed' ? p : undefined;
    });
    expect(done.status).toBe('refunded');
    expect((await erp.listOpenItems('cus_card')).invoices[0]?.openAmount).toBe(10_000);
  });
});

describe('Stripe down', () => {
  it('answers 503 and loses nothing: the same request succeeds once Stripe is back, with one PaymentIntent', async () => {
    const erp = ledger({ outage: [10_000] });
    let hop: Awaited<ReturnType<typeof startOutage>> | undefined;
    const rig = await startStripeRig('pglite', erp, {
      apiUrl: async (double) => {
        hop = await startOutage(double.port);
        return `http://127.0.0.1:${hop.port}`;
      },
    });
    try {
      if (!hop) throw new Error('no hop');
      const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
      const ct = await sessionFor(rig.server, 'cus_outage');
      const body = {
        method: 'card',
        allocations: [{ invoiceId: 'inv_outage_0', amount: 10_000 }],
        paymentMethodToken: token,
      };
      expect((await call(rig.server, 'POST', '/v1/session/quote', ct, body)).status).toBe(200);
      hop.down = true;
      const key = randomUUID();
      const down = await call<{ code: string; message: string }>(rig.server, 'POST', '/v1/session/payments', ct, body, {
        'idempotency-key': key,
      });
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ code: 'processor_unavailable' });
      expect(down.body.message).toMatch(/same Idempotency-Key/);
      const listed = await call<{ data: Payment[] }>(
        rig.server,
        'GET',
        '/v1/payments?customerId=cus_outage',
        rig.server.secretKey,
      );
      expect(listed.body.data.map((p) => p.status)).toEqual(['requires_confirmation']);
      hop.down = false;
      const back = await call<SessionPayment>(rig.server, 'POST', '/v1/session/payments', ct, body, {
        'idempotency-key': key,
      });
      expect(back.status).toBe(201);
      expect(back.body).toMatchObject({ id: listed.body.data[0]?.id, status: 'succeeded' });
      const creates = rig.double.requests.filter(
        (r) => r.method === 'POST' && r.path === '/v1/payment_intents' && r.status === 200,
      );
      expect(creates).toHaveLength(1);
      expect(rig.double.intents.size).toBe(1);
    } finally {
      await rig.close();
      await hop?.close();
    }
  });
});

describe('Stripe keys and modes', () => {
  const env = {
    SETTLE_PROCESSOR: 'stripe',
    STRIPE_SECRET_KEY: 'sk_test_abc',
    STRIPE_PUBLISHABLE_KEY: 'pk_test_abc',
    STRIPE_WEBHOOK_SECRET: 'whsec_abc',
  };

  it('starts with test keys in test mode and tells the session it is Stripe', () => {
    const config = loadConfig({ ...env, STRIPE_API_URL: 'http://127.0.0.1:12111' });
    expect(config.stripe).toEqual({
      secretKey: 'sk_test_abc',
      publishableKey: 'pk_test_abc',
      webhookSecret: 'whsec_abc',
      apiUrl: 'http://127.0.0.1:12111',
    });
  });

  it('refuses live keys in test mode and test keys in live mode', () => {
    expect(() => loadConfig({ ...env, STRIPE_SECRET_KEY: 'sk_live_abc' })).toThrow(/live key but SETTLE_MODE is test/);
    expect(() => loadConfig({ ...env, STRIPE_PUBLISHABLE_KEY: 'pk_live_abc' })).toThrow(/STRIPE_PUBLISHABLE_KEY/);
    expect(() => loadConfig({ ...env, SETTLE_MODE: 'live' })).toThrow(/test key but SETTLE_MODE is live/);
  });

  it('names the missing keys', () => {
    expect(() => loadConfig({ SETTLE_PROCESSOR: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(
      'SETTLE_PROCESSOR=stripe needs STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET',
    );
  });

  it('refuses a live key in a config built in code', async () => {
    const config = loadConfig(
      {},
      {
        processor: 'stripe',
        stripe: { secretKey: 'sk_live_abc', publishableKey: 'pk_test_abc', webhookSecret: 'whsec_abc', apiUrl: null },
      },
    );
    await expect(createSettle({ config, inMemory: true, worker: false })).rejects.toThrow(/live key/);
  });
});
