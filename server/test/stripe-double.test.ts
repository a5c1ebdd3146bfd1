import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StripeDouble, signPayload, startStripeDouble } from '../testing/stripe-double/index.js';

/** A webhook endpoint as the processor will have one: raw body, `constructEvent`, 5-minute tolerance. */
interface Receiver {
  url: string;
  accepted: Stripe.Event[];
  rejected: string[];
  close(): Promise<void>;
}

async function startReceiver(stripe: Stripe, secret: () => string): Promise<Receiver> {
  const accepted: Stripe.Event[] = [];
  const rejected: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      const event = stripe.webhooks.constructEvent(
        Buffer.concat(chunks),
        request.headers['stripe-signature'] as string,
        secret(),
        300,
      );
      accepted.push(event);
      response.writeHead(200).end('{"received":true}');
    } catch (error) {
      rejected.push((error as Error).message);
      response.writeHead(400).end('bad signature');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/webhooks/stripe`,
    accepted,
    rejected,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const RETURN_URL = 'https://merchant.example/return';
const MANDATE = {
  customer_acceptance: { type: 'online', online: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' } },
} as const;

function bankToken(stripe: Stripe, accountNumber: string, holder: 'company' | 'individual' = 'company') {
  return stripe.testHelpers.confirmationTokens.create({
    payment_method_data: {
      type: 'us_bank_account',
      us_bank_account: { routing_number: '110000000', account_number: accountNumber, account_holder_type: holder },
      billing_details: { name: 'Acme Corp' },
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the Stripe call to fail');
}

describe('Stripe double through the official SDK', () => {
  let double: StripeDouble;
  let stripe: Stripe;
  let receiver: Receiver;

  beforeAll(async () => {
    double = await startStripeDouble();
    stripe = new Stripe(double.secretKey, {
      host: double.host,
      port: double.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    receiver = await startReceiver(stripe, () => double.webhookSecret);
    double.setWebhookUrl(receiver.url);
  });
  afterAll(async () => {
    await double?.close();
    await receiver?.close();
  });
  beforeEach(async () => {
    await double.idle();
    receiver.accepted.length = 0;
    receiver.rejected.length = 0;
  });

  const eventsFor = (id: string) =>
    receiver.accepted.filter((e) => (e.data.object as { id?: string; payment_intent?: string }).id === id);

  it('speaks the API version the SDK pins', async () => {
    expect(double.apiVersion).toBe(Stripe.API_VERSION);
    await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect(double.requests.at(-1)?.stripeVersion).toBe(Stripe.API_VERSION);
  });

  describe('cards', () => {
    it('charges a card confirmed with a confirmation token and reports it by a signed webhook', async () => {
      const token = await stripe.testHelpers.confirmationTokens.create({ payment_method: 'pm_card_visa' });
      const intent = await stripe.paymentIntents.create({
        amount: 125_000,
        currency: 'usd',
        confirm: true,
        confirmation_token: token.id,
        return_url: RETURN_URL,
        metadata: { settle_payment: 'pay_123', invoice_count: '2' },
        description: 'Invoices INV-1001, INV-1002',
        statement_descriptor_suffix: 'INV-1001',
      });
      expect(intent).toMatchObject({
        object: 'payment_intent',
        status: 'succeeded',
        amount: 125_000,
        amount_received: 125_000,
        currency: 'usd',
        livemode: false,
        metadata: { settle_payment: 'pay_123', invoice_count: '2' },
        last_payment_error: null,
        next_action: null,
      });
      expect(intent.id).toMatch(/^pi_/);
      expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));
      expect(intent.latest_charge).toMatch(/^ch_/);
      expect(intent.payment_method).toMatch(/^pm_/);

      const expanded = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
      const charge = expanded.latest_charge as Stripe.Charge;
      expect(charge.payment_method_details?.card?.funding).toBe('credit');
      expect(charge.status).toBe('succeeded');

      await double.idle();
      expect(eventsFor(intent.id).map((e) => e.type)).toEqual(['payment_intent.created', 'payment_intent.succeeded']);
      const succeeded = eventsFor(intent.id)[1]!;
      expect(succeeded).toMatchObject({ object: 'event', api_version: Stripe.API_VERSION, livemode: false });
      expect(succeeded.request?.idempotency_key).toBe(double.requests.at(-2)?.idempotencyKey);
    });

    it.each([
      ['pm_card_visa', 'credit', 'visa', '4242'],
      ['pm_card_visa_debit', 'debit', 'visa', '5556'],
      ['pm_card_mastercard_prepaid', 'prepaid', 'mastercard', '5100'],
    ])('previews %s as a %s card before anything is charged', async (paymentMethod, funding, brand, last4) => {
      const created = await stripe.testHelpers.confirmationTokens.create({ payment_method: paymentMethod });
      const token = await stripe.confirmationTokens.retrieve(created.id);
      expect(token.object).toBe('confirmation_token');
      expect(token.payment_method_preview).toMatchObject({ type: 'card', card: { funding, brand, last4 } });
      expect(token.payment_intent).toBeNull();
    });

    it('declines a card with a StripeCardError carrying the intent, left for another method', async () => {
      const error = await rejection(
        stripe.paymentIntents.create({
          amount: 5000,
          currency: 'usd',
          confirm: true,
          payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
          return_url: RETURN_URL,
        }),
      );
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error.statusCode).toBe(402);
      expect(error.code).toBe('card_declined');
      expect(error.decline_code).toBe('insufficient_funds');
      expect(error.charge).toMatch(/^ch_/);
      const intent = error.payment_intent!;
      expect(intent.status).toBe('requires_payment_method');
      expect(intent.last_payment_error).toMatchObject({ type: 'card_error', decline_code: 'insufficient_funds' });

      const retried = await stripe.paymentIntents.confirm(intent.id, {
        payment_method: 'pm_card_visa',
        return_url: RETURN_URL,
      });
      expect(retried.status).toBe('succeeded');
      expect(retried.last_payment_error).toBeNull();
    });

    it('asks for 3-D Secure and completes when the customer authenticates', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 5000,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_threeDSecure2Required',
        return_url: RETURN_URL,
        use_stripe_sdk: true,
      });
      expect(intent.status).toBe('requires_action');
      expect(intent.next_action?.type).toBe('use_stripe_sdk');
      expect((await double.advance(intent.id)).status).toBe('succeeded');
      expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
    });

    it('fails instead of asking for 3-D Secure when error_on_requires_action is set', async () => {
      const error = await rejection(
        stripe.paymentIntents.create({
          amount: 5000,
          currency: 'usd',
          confirm: true,
          payment_method: 'pm_card_threeDSecure2Required',
          return_url: RETURN_URL,
          error_on_requires_action: true,
        }),
      );
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error.code).toBe('authentication_required');
    });

    it('requires a return_url when dynamic payment methods may redirect', async () => {
      const error = await rejection(
        stripe.paymentIntents.create({ amount: 5000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' }),
      );
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.message).toContain('return_url');
      const noRedirects = await stripe.paymentIntents.create({
        amount: 5000,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_visa',
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      });
      expect(noRedirects.status).toBe('succeeded');
    });
  });

  describe('ACH Direct Debit', () => {
    it('processes, then succeeds when the bank settles, with events in order', async () => {
      const token = await bankToken(stripe, '000123456789');
      expect(token.payment_method_preview?.us_bank_account).toMatchObject({
        bank_name: 'STRIPE TEST BANK',
        last4: '6789',
        account_holder_type: 'company',
      });
      const intent = await stripe.paymentIntents.create({
        amount: 250_000,
        currency: 'usd',
        confirm: true,
        confirmation_token: token.id,
        allowed_payment_method_types: ['us_bank_account'],
        mandate_data: MANDATE,
        payment_method_options: { us_bank_account: { verification_method: 'instant' } },
      });
      expect(intent.status).toBe('processing');
      expect(intent.latest_charge).toMatch(/^py_/);
      await double.advance(intent.id);
      expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
      expect(eventsFor(intent.id).map((e) => e.type)).toEqual([
        'payment_intent.created',
        'payment_intent.processing',
        'payment_intent.succeeded',
      ]);
    });

    it('fails days later with the bank return code of the test account', async () => {
      const token = await bankToken(stripe, '000222222227');
      const intent = await stripe.paymentIntents.create({
        amount: 250_000,
        currency: 'usd',
        confirm: true,
        confirmation_token: token.id,
        allowed_payment_method_types: ['us_bank_account'],
        mandate_data: MANDATE,
      });
      const failed = await double.advance(intent.id);
      expect(failed.status).toBe('requires_payment_method');
      expect(failed.last_payment_error?.code).toBe('insufficient_funds');
      const event = eventsFor(intent.id).at(-1)!;
      expect(event.type).toBe('payment_intent.payment_failed');
      expect((event.data.object as Stripe.PaymentIntent).last_payment_error?.code).toBe('insufficient_funds');
    });

    it('turns a failure after success into a dispute', async () => {
      const token = await bankToken(stripe, '000123456789');
      const intent = await stripe.paymentIntents.create({
        amount: 250_000,
        currency: 'usd',
        confirm: true,
        confirmation_token: token.id,
        allowed_payment_method_types: ['us_bank_account'],
        mandate_data: MANDATE,
      });
      await double.advance(intent.id, 'succeeded');
      await double.advance(intent.id, 'failed', { code: 'account_closed' });
      const dispute = receiver.accepted.find((e) => e.type === 'charge.dispute.created')?.data.object as Stripe.Dispute;
      expect(dispute).toMatchObject({ payment_intent: intent.id, reason: 'incorrect_account_details', status: 'lost' });
      expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
    });

    it('refuses to debit a bank account without a mandate', async () => {
      const token = await bankToken(stripe, '000123456789');
      const error = await rejection(
        stripe.paymentIntents.create({
          amount: 5000,
          currency: 'usd',
          confirm: true,
          confirmation_token: token.id,
          allowed_payment_method_types: ['us_bank_account'],
        }),
      );
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.param).toBe('mandate_data');
    });
  });

  describe('webhook signatures', () => {
    it('signs exactly as the SDK test helper does', () => {
      const payload = JSON.stringify({ id: 'evt_test', object: 'event' }, null, 2);
      const timestamp = 1_760_000_000;
      expect(signPayload(payload, double.webhookSecret, timestamp)).toBe(
        stripe.webhooks.generateTestHeaderString({ payload, secret: double.webhookSecret, timestamp }),
      );
    });

    it('lets the receiver reject forged and stale events and see replays and reordering', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 5000,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_visa',
        return_url: RETURN_URL,
      });
      await double.idle();
      const [created, succeeded] = double.events.filter(
        (e) => (e.data.object as { id: string }).id === intent.id && e.type.startsWith('payment_intent.'),
      );
      receiver.accepted.length = 0;

      const forged = await double.deliver(succeeded!, { signatureSecret: 'whsec_attacker' });
      const stale = await double.deliver(succeeded!, { timestamp: Math.floor(Date.now() / 1000) - 600 });
      expect([forged[0]?.status, stale[0]?.status]).toEqual([400, 400]);
      expect(receiver.rejected).toHaveLength(2);

      const replayed = await double.deliver(succeeded!.id, { times: 2 });
      await double.deliver(created!);
      expect(replayed.map((d) => d.status)).toEqual([200, 200]);
      expect(receiver.accepted.map((e) => e.id)).toEqual([succeeded!.id, succeeded!.id, created!.id]);
    });
  });

  describe('idempotency', () => {
    it('replays the first response for the same key and parameters', async () => {
      const params = { amount: 4200, currency: 'usd', metadata: { settle_payment: 'pay_idem' } };
      const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'settle-pay_idem-1' });
      const again = await stripe.paymentIntents.create(params, { idempotencyKey: 'settle-pay_idem-1' });
      expect(again.id).toBe(first.id);
      expect(double.requests.at(-1)?.replayed).toBe(true);
      expect([...double.intents.values()].filter((i) => i.metadata.settle_payment === 'pay_idem')).toHaveLength(1);
    });

    it('replays a stored decline, not a second attempt', async () => {
      const params = {
        amount: 4200,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_chargeDeclined',
        return_url: RETURN_URL,
      };
      const first = await rejection(stripe.paymentIntents.create(params, { idempotencyKey: 'decline-1' }));
      const again = await rejection(stripe.paymentIntents.create(params, { idempotencyKey: 'decline-1' }));
      expect(again).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(again.payment_intent?.id).toBe(first.payment_intent?.id);
    });

    it('refuses a key reused with different parameters', async () => {
      await stripe.paymentIntents.create({ amount: 4200, currency: 'usd' }, { idempotencyKey: 'reuse-1' });
      const error = await rejection(
        stripe.paymentIntents.create({ amount: 4300, currency: 'usd' }, { idempotencyKey: 'reuse-1' }),
      );
      expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      expect(error.statusCode).toBe(400);
    });

    it('stores nothing when validation failed, so the key can be retried', async () => {
      const invalid = await rejection(
        stripe.paymentIntents.create({ amount: 10, currency: 'usd' }, { idempotencyKey: 'fix-and-retry' }),
      );
      expect(invalid.code).toBe('amount_too_small');
      const fixed = await stripe.paymentIntents.create(
        { amount: 1000, currency: 'usd' },
        { idempotencyKey: 'fix-and-retry' },
      );
      expect(fixed.status).toBe('requires_payment_method');
    });
  });

  describe('parameter validation', () => {
    it('rejects a parameter the pinned API version does not have, naming it', async () => {
      // `payment_method_types` left the PaymentIntent params in 2026-09-30.endive (allowed_payment_method_types).
      const legacy = { amount: 1000, currency: 'usd', payment_method_types: ['card'] };
      const error = await rejection(stripe.paymentIntents.create(legacy as Stripe.PaymentIntentCreateParams));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ code: 'parameter_unknown', param: 'payment_method_types' });
    });

    it('names unknown nested parameters with bracket notation', async () => {
      const params = {
        amount: 1000,
        currency: 'usd',
        payment_method_options: { us_bank_account: { verification_methd: 'instant' } },
      };
      const error = await rejection(stripe.paymentIntents.create(params as Stripe.PaymentIntentCreateParams));
      expect(error.param).toBe('payment_method_options[us_bank_account][verification_methd]');
    });

    it('checks types, enums and required parameters', async () => {
      const notInteger = await rejection(
        stripe.paymentIntents.create({ amount: 'ten', currency: 'usd' } as unknown as Stripe.PaymentIntentCreateParams),
      );
      expect(notInteger).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
      const missing = await rejection(
        stripe.paymentIntents.create({ amount: 1000 } as Stripe.PaymentIntentCreateParams),
      );
      expect(missing).toMatchObject({ code: 'parameter_missing', param: 'currency' });
      const badEnum = await rejection(
        stripe.paymentIntents.create({ amount: 1000, currency: 'usd', capture_method: 'later' }),
      );
      expect(badEnum.param).toBe('capture_method');
      const badCurrency = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'zzz' }));
      expect(badCurrency.param).toBe('currency');
    });

    it.each([
      [49, 'usd', 'amount_too_small'],
      [100_000_000, 'usd', 'amount_too_large'],
      [49, 'jpy', 'amount_too_small'],
      [29, 'gbp', 'amount_too_small'],
    ])('refuses %i %s with %s', async (amount, currency, code) => {
      const error = await rejection(stripe.paymentIntents.create({ amount, currency }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ code, param: 'amount' });
    });

    it('takes the largest and smallest amounts Stripe allows', async () => {
      expect((await stripe.paymentIntents.create({ amount: 99_999_999, currency: 'usd' })).amount).toBe(99_999_999);
      expect((await stripe.paymentIntents.create({ amount: 50, currency: 'usd' })).amount).toBe(50);
    });

    it('enforces the metadata limits', async () => {
      const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
      const limits: Array<Record<string, string>> = [
        tooMany,
        { ['k'.repeat(41)]: 'v' },
        { inv_00: 'x'.repeat(501) },
        { 'inv[0]': 'x' },
      ];
      for (const metadata of limits) {
        const error = await rejection(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', metadata }));
        expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
        expect(error.param).toBe('metadata');
      }
      const atLimit = Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`k${i}`.padEnd(40, '_'), 'x'.repeat(500)]),
      );
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', metadata: atLimit });
      expect(Object.keys(intent.metadata)).toHaveLength(50);
    });

    it('refuses a wrong API key with a 401', async () => {
      const wrong = new Stripe('sk_test_wrong_key_1234', {
        host: double.host,
        port: double.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      const error = await rejection(wrong.paymentIntents.create({ amount: 1000, currency: 'usd' }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(error.statusCode).toBe(401);
      expect(error.message).toContain('sk_test_');
      expect(error.message).not.toContain('wrong_key');
    });

    it('answers resource_missing with a 404 for an unknown intent or token', async () => {
      const intent = await rejection(stripe.paymentIntents.retrieve('pi_does_not_exist'));
      expect(intent).toMatchObject({ statusCode: 404, code: 'resource_missing' });
      const token = await rejection(
        stripe.paymentIntents.create({
          amount: 1000,
          currency: 'usd',
          confirm: true,
          confirmation_token: 'ctoken_missing',
          return_url: RETURN_URL,
        }),
      );
      expect(token).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'confirmation_token' });
    });
  });

  describe('updates, cancellation and refunds', () => {
    it('updates the amount and metadata before confirmation, not after', async () => {
      const intent = await stripe.paymentIntents.create({
        amount: 100_000,
        currency: 'usd',
        metadata: { a: '1', b: '2' },
      });
      const updated = await stripe.paymentIntents.update(intent.id, {
        amount: 102_900,
        metadata: { b: '', surcharge_amount: '2900' },
      });
      expect(updated.amount).toBe(102_900);
      expect(updated.metadata).toEqual({ a: '1', surcharge_amount: '2900' });
      await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa', return_url: RETURN_URL });
      const error = await rejection(stripe.paymentIntents.update(intent.id, { amount: 1000 }));
      expect(error.code).toBe('payment_intent_unexpected_state');
    });

    it('cancels an unpaid intent and refuses to cancel a paid one', async () => {
      const open = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const canceled = await stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' });
      expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
      await double.idle();
      expect(eventsFor(open.id).at(-1)?.type).toBe('payment_intent.canceled');
      const paid = await stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_visa',
        return_url: RETURN_URL,
      });
      const error = await rejection(stripe.paymentIntents.cancel(paid.id));
      expect(error.code).toBe('payment_intent_unexpected_state');
    });

    it('refunds in parts, reports charge.refunded, and refuses to refund twice', async () => {
      const paid = await stripe.paymentIntents.create({
        amount: 10_000,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_visa',
        return_url: RETURN_URL,
      });
      const partial = await stripe.refunds.create({
        payment_intent: paid.id,
        amount: 2500,
        reason: 'requested_by_customer',
      });
      expect(partial).toMatchObject({ object: 'refund', amount: 2500, status: 'succeeded', payment_intent: paid.id });
      const rest = await stripe.refunds.create({ payment_intent: paid.id });
      expect(rest.amount).toBe(7500);
      await double.idle();
      const refunded = receiver.accepted.filter(
        (e) => e.type === 'charge.refunded' && (e.data.object as Stripe.Charge).payment_intent === paid.id,
      );
      expect(refunded.map((e) => (e.data.object as Stripe.Charge).amount_refunded)).toEqual([2500, 10_000]);
      const again = await rejection(stripe.refunds.create({ payment_intent: paid.id }));
      expect(again.code).toBe('charge_already_refunded');
    });

    it('reports card disputes opened and closed', async () => {
      const paid = await stripe.paymentIntents.create({
        amount: 10_000,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_visa',
        return_url: RETURN_URL,
      });
      await double.advance(paid.id, 'disputed');
      await double.advance(paid.id, 'dispute_closed', { status: 'won' });
      const types = receiver.accepted
        .filter((e) => (e.data.object as { payment_intent?: string }).payment_intent === paid.id)
        .map((e) => `${e.type}:${(e.data.object as Stripe.Dispute).status}`);
      expect(types).toEqual([
        'charge.succeeded:succeeded',
        'charge.dispute.created:needs_response',
        'charge.dispute.closed:won',
      ]);
    });
  });
});
