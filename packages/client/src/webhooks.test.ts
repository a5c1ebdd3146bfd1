import { createHmac } from 'node:crypto';
import type { WebhookEvent } from '@settle/schema';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../../server/src/services/webhooks.js';
import {
  isSettleError,
  isSettleHttpError,
  isSettleWebhookError,
  type SettleWebhookError,
  WebhookErrorCode,
} from './errors.js';
import { useTestServer } from './test-server.js';
import { verifyWebhook } from './webhooks.js';

const SECRET = 'whsec_test_0123456789abcdef';
const AT = new Date('2026-11-22T05:00:00.000Z');

const event: WebhookEvent = {
  id: 'evt_0123456789abcdef01234567',
  type: 'payment.succeeded',
  createdAt: AT.toISOString(),
  data: {
    payment: {
      id: 'pay_1',
      sessionId: 'ses_1',
      customerId: 'cus_1',
      status: 'succeeded',
      currency: 'USD',
      method: 'card',
      amount: 12_500,
      invoiceTotal: 12_500,
      creditTotal: 0,
      onAccountAmount: 0,
      subtotal: 12_500,
      surcharge: { status: 'disabled', rateBps: 0, amount: 0 },
      lines: [],
      credits: [],
      paymentMethod: null,
      failure: null,
      erpStatus: 'pending',
      erpReference: null,
      processor: { name: 'sandbox', intentId: null },
      events: [],
      createdAt: AT.toISOString(),
      updatedAt: AT.toISOString(),
    },
  },
};
const body = JSON.stringify(event);

/** Settle's own signer (the server's), so the two sides are tested against each other. */
const signed = (raw = body, secret = SECRET, at = AT) => signatureHeader(secret, raw, at);

async function refusal(promise: Promise<unknown>): Promise<SettleWebhookError> {
  const error = await promise.then(
    () => {
      throw new Error('expected verifyWebhook to refuse');
    },
    (e: unknown) => e,
  );
  expect(isSettleWebhookError(error)).toBe(true);
  expect(isSettleError(error)).toBe(true);
  return error as SettleWebhookError;
}

describe('verifyWebhook', () => {
  it("returns the typed event for a body signed with the endpoint's secret", async () => {
    const verified = await verifyWebhook(body, signed(), SECRET, { now: AT });
    expect(verified).toEqual(event);
    expect(verified.data.payment.amount).toBe(12_500);
  });

  it("matches Stripe's scheme: hex HMAC-SHA256 of `<t>.<body>`", async () => {
    const t = Math.floor(AT.getTime() / 1000);
    const v1 = createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
    expect(signed()).toBe(`t=${t},v1=${v1}`);
    await expect(verifyWebhook(body, `t=${t},v1=${v1}`, SECRET, { now: AT.getTime() })).resolves.toEqual(event);
  });

  it('accepts the delivery when any one of several v1 signatures matches (a secret being rolled)', async () => {
    const header = signed();
    const other = signed(body, 'whsec_other').split(',')[1];
    await expect(
      verifyWebhook(body, `${header.split(',')[0]},${other},${header.split(',')[1]}`, SECRET, { now: AT }),
    ).resolves.toEqual(event);
  });

  it('refuses a body changed by one character as a bad signature', async () => {
    const tampered = body.replace('12500', '12501');
    expect(tampered).not.toBe(body);
    const error = await refusal(verifyWebhook(tampered, signed(), SECRET, { now: AT }));
    expect(error.code).toBe(WebhookErrorCode.badSignature);
    expect(error.message).toMatch(/secret/);
  });

  it('refuses a delivery signed with another secret', async () => {
    const error = await refusal(verifyWebhook(body, signed(body, 'whsec_someone_else'), SECRET, { now: AT }));
    expect(error.code).toBe('webhook_bad_signature');
  });

  it('refuses a delivery signed longer ago than the tolerance, as a possible replay', async () => {
    const later = new Date(AT.getTime() + 301_000);
    const error = await refusal(verifyWebhook(body, signed(), SECRET, { now: later }));
    expect(error.code).toBe(WebhookErrorCode.tooOld);
    await expect(verifyWebhook(body, signed(), SECRET, { now: later, toleranceSeconds: 600 })).resolves.toEqual(event);
    const justInside = new Date(AT.getTime() + 299_000);
    await expect(verifyWebhook(body, signed(), SECRET, { now: justInside })).resolves.toEqual(event);
  });

  it('checks the signature before the time, so a forged body is never called merely "too old"', async () => {
    const later = new Date(AT.getTime() + 3_600_000);
    const error = await refusal(verifyWebhook(`${body} `, signed(), SECRET, { now: later }));
    expect(error.code).toBe(WebhookErrorCode.badSignature);
  });

  it.each([
    ['an empty header', ''],
    ['a header without a timestamp', `v1=${'a'.repeat(64)}`],
    ['a header without a v1 signature', 't=1700000000'],
    ['a v1 that is not 64 hex digits', 't=1700000000,v1=abc'],
    ['a non-numeric timestamp', `t=soon,v1=${'a'.repeat(64)}`],
  ])('calls %s malformed', async (_, header) => {
    const error = await refusal(verifyWebhook(body, header, SECRET, { now: AT }));
    expect(error.code).toBe(WebhookErrorCode.malformed);
  });

  it('calls a correctly signed body that is not JSON, or not an event, malformed', async () => {
    const notJson = await refusal(verifyWebhook('not json', signed('not json'), SECRET, { now: AT }));
    expect(notJson.code).toBe('webhook_malformed');
    const raw = JSON.stringify({ id: event.id, type: 'payment.succeeded', createdAt: event.createdAt, data: {} });
    const notEvent = await refusal(verifyWebhook(raw, signed(raw), SECRET, { now: AT }));
    expect(notEvent.code).toBe('webhook_malformed');
    expect(notEvent.message).toMatch(/data\.payment/);
  });

  it('returns a signed event of a type this version does not know, so the endpoint can answer 2xx', async () => {
    // A newer server: a new event type, and a payment with a status and a field this client has never seen.
    const newer = {
      ...event,
      type: 'payment.partially_refunded',
      data: { payment: { ...event.data.payment, status: 'partially_refunded', refundedAmount: 2_500 } },
    };
    const raw = JSON.stringify(newer);
    const verified = await verifyWebhook(raw, signed(raw), SECRET, { now: AT });
    expect(verified).toEqual(newer);
    expect(verified.type).toBe('payment.partially_refunded');
    // A known type whose payment has a newer value is let through too, as sent.
    const known = JSON.stringify({ ...newer, type: 'payment.refunded' });
    await expect(verifyWebhook(known, signed(known), SECRET, { now: AT })).resolves.toMatchObject({
      type: 'payment.refunded',
      data: { payment: { status: 'partially_refunded' } },
    });
    // The signature is still checked first.
    const forged = await refusal(verifyWebhook(raw, signed(raw, 'whsec_someone_else'), SECRET, { now: AT }));
    expect(forged.code).toBe(WebhookErrorCode.badSignature);
  });

  it('tells an integrator who passes parsed JSON to pass the raw body', async () => {
    const error = await refusal(verifyWebhook(event as unknown as string, signed(), SECRET, { now: AT }));
    expect(error.code).toBe('webhook_malformed');
    expect(error.message).toMatch(/raw body/);
  });
});

describe("the merchant client's webhook endpoints", () => {
  const settle = useTestServer();

  it('registers an endpoint, lists it without its secret, and disables it', async () => {
    const created = await settle.merchant.createWebhookEndpoint({
      url: 'https://erp-bridge.example.com/settle',
      enabledEvents: ['payment.succeeded', 'payment.reversed'],
    });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ enabledEvents: ['payment.succeeded', 'payment.reversed'], disabledAt: null });
    const { data } = await settle.merchant.listWebhookEndpoints();
    expect(data.map((e) => e.id)).toContain(created.id);
    expect(JSON.stringify(data)).not.toContain(created.secret);
    const disabled = await settle.merchant.disableWebhookEndpoint(created.id);
    expect(disabled.disabledAt).not.toBeNull();
    expect(await settle.merchant.listWebhookDeliveries(created.id, { limit: 5 })).toEqual({ data: [] });
  });

  it('turns a bad URL into an HTTP error that names the field', async () => {
    const error = await settle.merchant
      .createWebhookEndpoint({ url: 'ftp://example.com/hook' })
      .catch((e: unknown) => e);
    expect(isSettleHttpError(error)).toBe(true);
    if (!isSettleHttpError(error)) return;
    expect(error.status).toBe(422);
    expect(error.fieldErrors().url).toMatch(/https/);
  });
});
