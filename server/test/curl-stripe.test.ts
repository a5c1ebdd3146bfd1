import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Payment } from '@settle/schema';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryErp } from '../src/erp/memory.js';
import { createDemoErp } from '../src/erp/seed.js';
import { call } from './harness.js';
import { type StripeRig, startStripeRig } from './stripe-helpers.js';

const script = fileURLToPath(new URL('../../examples/curl/pay.sh', import.meta.url));

describe('examples/curl/pay.sh with SETTLE_PROCESSOR=stripe', () => {
  let rig: StripeRig;
  beforeAll(async () => {
    rig = await startStripeRig('pglite', createDemoErp() as MemoryErp);
  });
  afterAll(() => rig?.close());

  it('pays by card and by ACH through PaymentIntents; signed webhooks settle one ACH debit and reverse another', async () => {
    // The bank settles the ACH debit once it is processing, as Stripe's test mode does after a while.
    const advanced = new Set<string>();
    const bank = setInterval(() => {
      for (const intent of rig.double.intents.values()) {
        if (intent.status === 'processing' && !advanced.has(intent.id)) {
          advanced.add(intent.id);
          void rig.double.advance(intent.id);
        }
      }
    }, 50);
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)('bash', [script], {
        env: {
          ...process.env,
          SETTLE_API_URL: rig.server.url,
          SETTLE_SECRET_KEY: rig.server.secretKey,
          STRIPE_API_URL: rig.double.url,
          STRIPE_SECRET_KEY: rig.double.secretKey,
          STRIPE_ACH_WAIT_SECONDS: '20',
        },
        timeout: 60_000,
      }));
    } finally {
      clearInterval(bank);
    }
    expect(stdout).toContain('ACH debit succeeded and posted (payment.succeeded)');
    expect(stdout).toContain('ACH return reversed the ERP posting');
    expect(stdout).toContain('OK: paid, posted exactly once');

    const intents = [...rig.double.intents.values()];
    const card = intents.find((i) => i.status === 'succeeded' && i.payment_method_types.includes('card'));
    const achs = intents.filter((i) => i.payment_method_types.includes('us_bank_account'));
    expect(card).toMatchObject({ currency: 'usd', metadata: { settle_payment: expect.stringMatching(/^pay_/) } });
    expect(achs).toHaveLength(2);
    const view = async (intent: Stripe.PaymentIntent) =>
      (await call<Payment>(rig.server, 'GET', `/v1/payments/${intent.metadata.settle_payment}`, rig.server.secretKey))
        .body;
    const [ach, returned] = await Promise.all(achs.map(view));
    // Succeeded by the webhook's event, never by a read that asked Stripe (processor.reconcile).
    const statuses = (p?: Payment) => p?.events.filter((e) => e.kind === 'status') ?? [];
    expect(statuses(ach).find((e) => e.to === 'succeeded')?.cause).toBe('payment.succeeded');
    expect(statuses(ach).some((e) => e.cause === 'processor.reconcile')).toBe(false);
    expect(ach).toMatchObject({ status: 'succeeded', erpStatus: 'posted' });
    expect(statuses(returned).map((e) => e.to)).toEqual([
      'requires_confirmation',
      'processing',
      'succeeded',
      'reversed',
    ]);
    expect(statuses(returned).at(-1)?.cause).toBe('payment.returned');
    const erpMoves = returned?.events.filter((e) => e.kind === 'erp').map((e) => e.to) ?? [];
    expect(erpMoves).toContain('reversal_pending');
    expect(erpMoves.at(-1)).toBe('reversed');
    expect(returned?.erpStatus).toBe('reversed');
    // The ACH payment reached succeeded through a webhook the server accepted (signature checked).
    const delivered = rig.double.deliveries.filter(
      (d) => d.type === 'payment_intent.succeeded' && d.status === 200 && JSON.parse(d.body).handled === true,
    );
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    expect(rig.double.deliveries.every((d) => d.status === 200)).toBe(true);
    const declined = intents.filter(
      (i) => (i.last_payment_error as Stripe.PaymentIntent.LastPaymentError | null)?.type,
    );
    expect(declined).toHaveLength(1);
  });
});
