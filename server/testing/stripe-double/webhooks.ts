import { createHmac } from 'node:crypto';
import type Stripe from 'stripe';
import { newId, now } from './objects.js';

/** The request that caused an event: `{ id: null, idempotency_key: null }` for automatic changes. */
export interface RequestContext {
  id: string | null;
  idempotencyKey: string | null;
}

export type EventType =
  | 'payment_intent.created'
  | 'payment_intent.processing'
  | 'payment_intent.requires_action'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed'
  | 'payment_intent.canceled'
  | 'payment_intent.amount_capturable_updated'
  | 'charge.pending'
  | 'charge.succeeded'
  | 'charge.failed'
  | 'charge.refunded'
  | 'charge.dispute.created'
  | 'charge.dispute.closed'
  | 'refund.created';

/** A Stripe event as delivered to webhook endpoints; the envelope is typed by the SDK's `Stripe.Event`. */
export type DoubleEvent = Pick<
  Stripe.Event,
  'id' | 'object' | 'api_version' | 'created' | 'livemode' | 'pending_webhooks' | 'request'
> & {
  type: EventType & Stripe.Event['type'];
  data: { object: object };
};

export interface DeliverOptions {
  /** Unix seconds for `t=`; default now. A value older than the receiver's tolerance makes a stale event. */
  timestamp?: number;
  /** Sign with this secret instead of the endpoint's (a forged event). */
  signatureSecret?: string;
  /** Send the same event this many times, each with a fresh signature, as Stripe's retries do. */
  times?: number;
  /** Send to this URL instead of `webhookUrl`. */
  url?: string;
}

export interface Delivery {
  eventId: string;
  type: EventType;
  status: number;
  body: string;
  signature: string;
}

/**
 * The `Stripe-Signature` header Stripe sends: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">`
 * (Stripe "Webhooks" › Verify manually). Equal to the SDK's `webhooks.generateTestHeaderString`.
 */
export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export class WebhookSender {
  readonly events: DoubleEvent[] = [];
  readonly deliveries: Delivery[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: {
      apiVersion: string;
      secret: string;
      url?: string | undefined;
      enabledEvents?: readonly EventType[];
      autoDeliver: boolean;
    },
  ) {}

  setUrl(url: string | undefined): void {
    this.options.url = url;
  }

  /** Records an event with a snapshot of `object` and queues its delivery (in order) when enabled. */
  emit(type: EventType, object: object, context: RequestContext): DoubleEvent {
    const event: DoubleEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: this.options.apiVersion,
      created: now(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: this.options.url ? 1 : 0,
      request: { id: context.id, idempotency_key: context.idempotencyKey },
      type,
    };
    this.events.push(event);
    const wanted = !this.options.enabledEvents || this.options.enabledEvents.includes(type);
    if (this.options.url && this.options.autoDeliver && wanted) {
      this.queue = this.queue.then(() => this.deliver(event)).catch(() => undefined);
    }
    return event;
  }

  /** Resolves when every queued automatic delivery has been answered. */
  async idle(): Promise<void> {
    let current: Promise<unknown>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  /** POSTs `event` as Stripe does (pretty-printed JSON body, signed header); returns each answer. */
  async deliver(event: DoubleEvent, options: DeliverOptions = {}): Promise<Delivery[]> {
    const url = options.url ?? this.options.url;
    if (!url) throw new Error('stripe-double: no webhookUrl to deliver to');
    const payload = JSON.stringify(event, null, 2);
    const results: Delivery[] = [];
    for (let attempt = 0; attempt < (options.times ?? 1); attempt++) {
      const signature = signPayload(
        payload,
        options.signatureSecret ?? this.options.secret,
        options.timestamp ?? now(),
      );
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signature,
        },
        body: payload,
      });
      const delivery = {
        eventId: event.id,
        type: event.type,
        status: response.status,
        body: await response.text(),
        signature,
      };
      this.deliveries.push(delivery);
      results.push(delivery);
    }
    return results;
  }
}
