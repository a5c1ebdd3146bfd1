import { randomUUID } from 'node:crypto';
import type { Payment, Quote, SessionPayment } from '@settle/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { applyOutcome, ERP_POST_JOB, expirePayment } from '../src/services/payments.js';
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
} from './stripe-helpers.js';

/**
 * Money safety with Stripe: a charge whose answer was lost is never canceled locally, failed
 * intents cannot be charged later, permanent refusals fail the payment, disputes before the
 * posting still post.
 */
describe.each(STORES)('Stripe money safety on %s', (store) => {
  let rig: StripeRig;
  let hop: Awaited<ReturnType<typeof startOutage>> | undefined;
  const erp = ledger({
    lostwebhook: [10_000],
    lostexpire: [10_000],
    nothing: [10_000],
    closed: [10_000],
    reused: [10_000, 10_000],
    early: [10_000],
    refund: [10_000],
    partial: [10_000],
    warning: [10_000],
    proxied: [25_000],
    lostcharge: [10_000],
  });

  beforeAll(async () => {
    rig = await startStripeRig(store, erp, {
      autoDeliver: false,
      apiUrl: async (double) => {
        hop = await startOutage(double.port);
        return `http://127.0.0.1:${hop.port}`;
      },
    });
  });
  afterAll(async () => {
    await rig?.close();
    await hop?.close();
  });

  const deps = () => rig.server.settle.deps;
  const merchantView = (id: string) =>
    call<Payment>(rig.server, 'GET', `/v1/payments/${id}`, rig.server.secretKey).then((r) => r.body);
  const eventsOf = (intentId: string) =>
    rig.double.events.filter((e) => {
      const o = e.data.object as { id?: string; payment_intent?: string };
      return o.id === intentId || o.payment_intent === intentId;
    });

  /** A debit-card payment whose create reached Stripe but whose answer Settle never got. */
  async function lostCreate(customer: string, charge = true) {
    if (!hop) throw new Error('no hop');
    const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
    const ct = await sessionFor(rig.server, `cus_${customer}`);
    const body = {
      method: 'card',
      allocations: [{ invoiceId: `inv_${customer}_0`, amount: 10_000 }],
      paymentMethodToken: token,
    };
    // Quoted first, so the token's summary is known before Stripe goes away.
    expect((await call(rig.server, 'POST', '/v1/session/quote', ct, body)).status).toBe(200);
    hop.down = true;
    const down = await postPayment<{ code: string }>(rig.server, ct, body);
    hop.down = false;
    expect(down.status).toBe(503);
    const listed = await call<{ data: Payment[] }>(
      rig.server,
      'GET',
      `/v1/payments?customerId=cus_${customer}`,
      rig.server.secretKey,
    );
    const payment = listed.body.data[0] as Payment;
    expect(payment.status).toBe('requires_confirmation');
    if (!charge) return { payment, intentId: null };
    // What Stripe did with the request whose answer was lost.
    const intent = await rig.stripe.paymentIntents.create({
      amount: 10_000,
      currency: 'usd',
      confirm: true,
      confirmation_token: token,
      allowed_payment_method_types: ['card'],
      return_url: 'https://example.com/',
      metadata: { settle_payment: payment.id },
    });
    expect(intent.status).toBe('succeeded');
    return { payment, intentId: intent.id };
  }

  const backdate = (paymentId: string) =>
    deps()
      .db.updateTable('stripe_intents')
      .set({ updated_at: new Date(Date.now() - 2 * 60 * 60 * 1000) })
      .where('payment_id', '=', paymentId)
      .execute();

  it('a webhook for a payment still requires_confirmation moves it and records the intent', async () => {
    const { payment, intentId } = await lostCreate('lostwebhook');
    const succeeded = eventsOf(intentId ?? '').find((e) => e.type === 'payment_intent.succeeded');
    if (!succeeded) throw new Error('no payment_intent.succeeded');
    const [d] = await rig.double.deliver(succeeded);
    expect(d?.status).toBe(200);
    const done = await waitFor('succeeded', async () => {
      const p = await merchantView(payment.id);
      return p.status === 'succeeded' && p.erpStatus === 'posted' ? p : undefined;
    });
    expect(done.processor.intentId).toBe(intentId);
  });

  it('a charge event for an intent Settle has not recorded yet is looked up at Stripe, not dropped', async () => {
    const { payment, intentId } = await lostCreate('lostcharge');
    await rig.double.advance(intentId ?? '', 'refunded');
    const refunded = eventsOf(intentId ?? '').find((e) => e.type === 'charge.refunded');
    if (!refunded) throw new Error('no charge.refunded');
    const [d] = await rig.double.deliver(refunded);
    expect(d?.status).toBe(200);
    expect(JSON.parse(d?.body ?? '{}')).toMatchObject({ handled: true });
    // The refund waits for the success it follows, then lands.
    const succeeded = eventsOf(intentId ?? '').find((e) => e.type === 'payment_intent.succeeded');
    if (!succeeded) throw new Error('no payment_intent.succeeded');
    await rig.double.deliver(succeeded);
    const done = await waitFor('refunded', async () => {
      const p = await merchantView(payment.id);
      return p.status === 'refunded' && p.erpStatus === 'reversed' ? p : undefined;
    });
    expect(done.processor.intentId).toBe(intentId);
  });

  it('an expiry after a lost create asks Stripe, and adopts the charge instead of canceling', async () => {
    const { payment, intentId } = await lostCreate('lostexpire');
    await backdate(payment.id);
    await expirePayment(deps(), payment.id);
    const p = await merchantView(payment.id);
    expect(p.status).toBe('succeeded');
    expect(p.processor.intentId).toBe(intentId);
    expect(rig.double.requests.some((r) => r.path === '/v1/payment_intents/search')).toBe(true);
  });

  it('an expiry after a lost create that Stripe never saw waits, then cancels once certainly dead', async () => {
    const { payment } = await lostCreate('nothing', false);
    await expect(expirePayment(deps(), payment.id)).rejects.toThrow(/not known yet/);
    expect((await merchantView(payment.id)).status).toBe('requires_confirmation');
    await backdate(payment.id);
    await expirePayment(deps(), payment.id);
    expect((await merchantView(payment.id)).status).toBe('canceled');
  });

  it('a success reported for a payment Settle closed is recorded as needing review', async () => {
    const { payment } = await lostCreate('closed', false);
    await backdate(payment.id);
    await expirePayment(deps(), payment.id);
    await applyOutcome(
      deps(),
      payment.id,
      { intentId: 'pi_late', status: 'succeeded', failure: null, nextAction: null },
      'processor.reconcile',
    );
    const p = await merchantView(payment.id);
    expect(p.status).toBe('canceled');
    expect(p.events.some((e) => e.kind === 'status' && e.cause.includes('needs review'))).toBe(true);
  });

  it('a used ConfirmationToken fails the payment with a 422 naming paymentMethodToken, not a 503', async () => {
    const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
    const ct = await sessionFor(rig.server, 'cus_reused');
    const pay = (invoice: number) =>
      postPayment<SessionPayment & { code: string; details: { path: string; code: string }[] }>(rig.server, ct, {
        method: 'card',
        allocations: [{ invoiceId: `inv_reused_${invoice}`, amount: 10_000 }],
        paymentMethodToken: token,
      });
    expect((await pay(0)).body.status).toBe('succeeded');
    const second = await pay(1);
    expect(second.status).toBe(422);
    expect(second.body.details[0]).toMatchObject({ path: 'paymentMethodToken', code: 'token_already_used' });
    const listed = await call<{ data: Payment[] }>(
      rig.server,
      'GET',
      '/v1/payments?customerId=cus_reused',
      rig.server.secretKey,
    );
    const failed = listed.body.data.find((p) => p.status === 'failed');
    expect(failed?.failure?.message).toMatch(/paymentMethodToken/);
    // The invoice is free again.
    const q = await call<Quote>(rig.server, 'POST', '/v1/session/quote', ct, {
      method: 'card',
      allocations: [{ invoiceId: 'inv_reused_1', amount: 10_000 }],
    });
    expect(q.status).toBe(200);
  });

  it('a dispute opened before the ERP posting still posts, and a won dispute leaves it posted', async () => {
    await rig.server.settle.worker.stop();
    try {
      const ct = await sessionFor(rig.server, 'cus_early');
      const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
      const res = await postPayment<SessionPayment>(rig.server, ct, {
        method: 'card',
        allocations: [{ invoiceId: 'inv_early_0', amount: 10_000 }],
        paymentMethodToken: token,
      });
      expect(res.body).toMatchObject({ status: 'succeeded', erpStatus: 'pending' });
      const postJob = () => deps().db.updateTable('outbox').where('dedupe_key', '=', `${ERP_POST_JOB}:${res.body.id}`);
      await postJob()
        .set({ run_at: new Date(Date.now() + 60 * 60 * 1000) })
        .execute();
      const intentId = res.body.processor.intentId ?? '';
      await rig.double.advance(intentId, 'disputed');
      const created = eventsOf(intentId).find((e) => e.type === 'charge.dispute.created');
      if (!created) throw new Error('no dispute');
      await rig.double.deliver(created);
      await rig.server.settle.worker.runDue();
      expect((await merchantView(res.body.id)).status).toBe('disputed');
      await postJob().set({ run_at: new Date() }).execute();
      await rig.server.settle.worker.runDue();
      await rig.double.advance(intentId, 'dispute_closed', { status: 'won' });
      const closed = eventsOf(intentId).find((e) => e.type === 'charge.dispute.closed');
      if (!closed) throw new Error('no dispute close');
      await rig.double.deliver(closed);
      await rig.server.settle.worker.runDue();
      const p = await merchantView(res.body.id);
      expect(p.status).toBe('succeeded');
      expect(p.erpStatus).toBe('posted');
      expect(erp.postingCount(res.body.id)).toBe(1);
    } finally {
      rig.server.settle.worker.start();
    }
  });

  async function paidCard(customer: string) {
    const ct = await sessionFor(rig.server, `cus_${customer}`);
    const token = await cardToken(rig.stripe, 'pm_card_visa_debit');
    const res = await postPayment<SessionPayment>(rig.server, ct, {
      method: 'card',
      allocations: [{ invoiceId: `inv_${customer}_0`, amount: 10_000 }],
      paymentMethodToken: token,
    });
    expect(res.body.status).toBe('succeeded');
    await waitFor('posted', async () => ((await merchantView(res.body.id)).erpStatus === 'posted' ? true : undefined));
    return { id: res.body.id, intentId: res.body.processor.intentId ?? '' };
  }

  async function deliverLast(intentId: string, type: string) {
    const event = eventsOf(intentId)
      .filter((e) => e.type === type)
      .at(-1);
    if (!event) throw new Error(`no ${type}`);
    const [d] = await rig.double.deliver(event);
    expect(d?.status).toBe(200);
  }

  it('a refund that arrives after the dispute ends refunded, its posting reversed', async () => {
    const { id, intentId } = await paidCard('refund');
    // Refunded, then disputed anyway (an inquiry); Settle sees the dispute first.
    await rig.double.advance(intentId, 'refunded');
    await rig.double.advance(intentId, 'disputed');
    await deliverLast(intentId, 'charge.dispute.created');
    await waitFor('disputed', async () => ((await merchantView(id)).status === 'disputed' ? true : undefined));
    await deliverLast(intentId, 'charge.refunded');
    const p = await waitFor('refunded', async () => {
      const now = await merchantView(id);
      return now.status === 'refunded' && now.erpStatus === 'reversed' ? now : undefined;
    });
    expect(p.status).toBe('refunded');
  });

  it('a partial refund is flagged for review in the merchant view', async () => {
    const { id, intentId } = await paidCard('partial');
    await rig.double.advance(intentId, 'refunded', { amount: 2_500 });
    await deliverLast(intentId, 'charge.refunded');
    const p = await waitFor('flagged', async () => {
      const now = await merchantView(id);
      return now.events.some((e) => e.cause.includes('needs review')) ? now : undefined;
    });
    expect(p).toMatchObject({ status: 'succeeded', erpStatus: 'posted' });
    expect(p.events.find((e) => e.cause.includes('needs review'))?.cause).toMatch(/2500 refunded/);
  });

  it('a dispute closed as warning_closed puts the payment back to succeeded, posting untouched', async () => {
    const { id, intentId } = await paidCard('warning');
    await rig.double.advance(intentId, 'disputed');
    await deliverLast(intentId, 'charge.dispute.created');
    await waitFor('disputed', async () => ((await merchantView(id)).status === 'disputed' ? true : undefined));
    await rig.double.advance(intentId, 'dispute_closed', { status: 'warning_closed' });
    await deliverLast(intentId, 'charge.dispute.closed');
    const p = await waitFor('won', async () => {
      const now = await merchantView(id);
      return now.status === 'succeeded' && now.events.some((e) => e.from === 'disputed') ? now : undefined;
    });
    expect(p.erpStatus).toBe('posted');
    expect(erp.postingCount(id)).toBe(1);
  });

  it('ACH mandate evidence takes the socket address, not an X-Forwarded-For the payer can forge', async () => {
    const ct = await sessionFor(rig.server, 'cus_proxied');
    const token = await bankToken(rig.stripe, '000123456789');
    const res = await call<SessionPayment>(
      rig.server,
      'POST',
      '/v1/session/payments',
      ct,
      {
        method: 'ach_debit',
        allocations: [{ invoiceId: 'inv_proxied_0', amount: 25_000 }],
        paymentMethodToken: token,
      },
      { 'idempotency-key': randomUUID(), 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
    );
    expect(res.status).toBe(201);
    const create = rig.double.requests.find((r) => r.idempotencyKey === `settle_confirm_${res.body.id}`);
    expect(create?.params).toMatchObject({
      mandate_data: { customer_acceptance: { online: { ip_address: '127.0.0.1' } } },
    });
  });
});

describe('SETTLE_TRUST_PROXY', () => {
  it('is off unless set, and refuses a value it does not understand', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ SETTLE_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(() => loadConfig({ SETTLE_TRUST_PROXY: 'yes please' })).toThrow(/SETTLE_TRUST_PROXY/);
  });
});
