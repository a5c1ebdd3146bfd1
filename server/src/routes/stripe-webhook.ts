import { Hono } from 'hono';
import type Stripe from 'stripe';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { enqueue } from '../outbox/outbox.js';
import type { ProcessorEvent } from '../processors/port.js';
import { PROCESSOR_EVENT_JOB } from '../processors/sandbox.js';
import type { StripeProcessor } from '../processors/stripe.js';
import { failureOf } from '../processors/stripe-failures.js';

export const STRIPE_WEBHOOK_PATH = '/v1/webhooks/stripe';

/** The events Settle acts on; the endpoint should be subscribed to exactly these (docs/going-live.md). */
export const STRIPE_EVENTS = [
  'payment_intent.processing',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.refunded',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const;

type Mapped = Omit<ProcessorEvent, 'id' | 'paymentId'> & { intentId: string; paymentId: string | null };

/** What a Stripe event means for a Settle payment; null for events Settle does not act on. */
function mapEvent(event: Stripe.Event): Mapped | null {
  switch (event.type) {
    case 'payment_intent.processing':
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled': {
      const intent = event.data.object;
      const type = (
        {
          'payment_intent.processing': 'payment.processing',
          'payment_intent.succeeded': 'payment.succeeded',
          'payment_intent.payment_failed': 'payment.failed',
          'payment_intent.canceled': 'payment.canceled',
        } as const
      )[event.type];
      const failure =
        event.type === 'payment_intent.payment_failed'
          ? failureOf(intent.last_payment_error ?? { code: 'payment_failed' })
          : null;
      return { type, failure, intentId: intent.id, paymentId: intent.metadata?.settle_payment ?? null };
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
      if (!intentId) return null;
      const full = charge.refunded || charge.amount_refunded >= charge.amount;
      return full
        ? { type: 'payment.refunded', failure: null, intentId, paymentId: null }
        : {
            type: 'payment.partially_refunded',
            failure: null,
            intentId,
            paymentId: null,
            amount: charge.amount_refunded,
          };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      const intentId = typeof dispute.payment_intent === 'string' ? dispute.payment_intent : dispute.payment_intent?.id;
      if (!intentId) return null;
      const failure = failureOf({ code: `dispute_${dispute.reason}` });
      // ACH disputes are final when opened (DOMAIN.md §2.4): the money is already gone.
      if (dispute.status === 'lost') return { type: 'payment.returned', failure, intentId, paymentId: null };
      if (event.type === 'charge.dispute.created')
        return { type: 'payment.disputed', failure, intentId, paymentId: null };
      // `warning_closed`: an inquiry closed without becoming a chargeback; the payment stands as won.
      if (dispute.status === 'won' || dispute.status === 'warning_closed')
        return { type: 'payment.dispute_won', failure: null, intentId, paymentId: null };
      return null;
    }
    default:
      return null;
  }
}

/**
 * `POST /v1/webhooks/stripe`: the signature is checked on the raw body, the event id is
 * recorded (a repeat is answered 200 and dropped) in the same transaction that queues the work
 * in the outbox, and the answer goes back at once. Order does not matter: the outbox handler
 * retries an event that overtook the one before it.
 */
export function stripeWebhookRoutes(deps: Deps, processor: StripeProcessor) {
  const app = new Hono();
  app.post(STRIPE_WEBHOOK_PATH, async (c) => {
    const signature = c.req.header('stripe-signature');
    if (!signature) {
      throw new ApiError(400, 'webhook_signature_missing', 'Send the Stripe-Signature header Stripe signs events with');
    }
    const raw = Buffer.from(await c.req.arrayBuffer());
    let event: Stripe.Event;
    try {
      event = processor.verifyWebhook(raw, signature);
    } catch (err) {
      throw new ApiError(
        400,
        'webhook_signature_invalid',
        `The Stripe-Signature does not match this endpoint's secret or is older than 5 minutes: ${(err as Error).message}`,
      );
    }
    const mapped = mapEvent(event);
    let paymentId: string | null = null;
    if (mapped) {
      paymentId = mapped.paymentId ?? (await processor.paymentOfIntent(mapped.intentId));
      if (!paymentId && event.type.startsWith('charge.')) {
        // A charge event names only the intent, which Settle may not have recorded yet (its create
        // answer lost): the intent's own metadata says whose it is. Unreachable → 503, Stripe redelivers.
        try {
          paymentId = await processor.paymentOfIntentAtStripe(mapped.intentId);
        } catch {
          throw new ApiError(
            503,
            'processor_unavailable',
            `Could not look up PaymentIntent ${mapped.intentId} at Stripe; redeliver the event`,
          );
        }
      }
      if (paymentId) {
        const known = await deps.db
          .selectFrom('payments')
          .select('id')
          .where('id', '=', paymentId)
          .where('processor', '=', 'stripe')
          .executeTakeFirst();
        if (!known) paymentId = null;
      }
      if (paymentId) await processor.learnIntent(paymentId, mapped.intentId);
      else deps.log.warn(`Stripe event ${event.id} (${event.type}) is not about a Settle payment; ignored`);
    }
    const accepted = await deps.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('stripe_events')
        .values({ id: event.id, type: event.type, payment_id: paymentId })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return false;
      if (mapped && paymentId) {
        const { intentId: _intent, paymentId: _payment, ...rest } = mapped;
        await enqueue(trx, {
          kind: PROCESSOR_EVENT_JOB,
          dedupeKey: `stripe:${event.id}`,
          payload: { ...rest, id: event.id, paymentId, intentId: mapped.intentId } satisfies ProcessorEvent,
        });
      }
      return true;
    });
    return c.json({ received: true, duplicate: !accepted, handled: Boolean(mapped && paymentId) });
  });
  return app;
}
