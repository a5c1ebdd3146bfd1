import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { type AdvanceOptions, advance, type Outcome } from './lifecycle.js';
import { newId } from './objects.js';
import { createHandler, type RecordedRequest } from './server.js';
import type { State } from './state.js';
import { type DeliverOptions, type Delivery, type DoubleEvent, type EventType, WebhookSender } from './webhooks.js';

export { TEST_BANK_ACCOUNTS, TEST_CARDS, TEST_ROUTING_NUMBER } from './catalog.js';
export { signPayload } from './webhooks.js';
export type { AdvanceOptions, DeliverOptions, Delivery, DoubleEvent, EventType, Outcome, RecordedRequest };

export interface StripeDoubleOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default a fresh `sk_test_…`; the only key the double accepts. */
  secretKey?: string;
  /** Default a fresh `whsec_…`. */
  webhookSecret?: string;
  /** Where events are POSTed; settable later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** Event types delivered automatically (a webhook endpoint's `enabled_events`); default all. */
  enabledEvents?: readonly EventType[];
  /** Deliver events as they happen (default true); false to deliver only with `deliver()`. */
  autoDeliver?: boolean;
  /** Payment method types "enabled in the Dashboard"; default card and us_bank_account. */
  paymentMethodTypes?: readonly string[];
}

export interface StripeDouble {
  url: string;
  host: string;
  port: number;
  secretKey: string;
  webhookSecret: string;
  /** The API version the double speaks: the SDK's pinned `Stripe.API_VERSION`. */
  apiVersion: string;
  requests: RecordedRequest[];
  intents: ReadonlyMap<string, Stripe.PaymentIntent>;
  events: DoubleEvent[];
  deliveries: Delivery[];
  setWebhookUrl(url: string | undefined): void;
  /**
   * Moves an intent on as the bank or the customer would, emits the events and waits for their
   * delivery. Without an outcome, an ACH intent follows its test account (DOMAIN.md §2.4) and a
   * `requires_action` intent completes 3-D Secure. `failed` after `succeeded` on ACH is a dispute.
   */
  advance(intentId: string, outcome?: Outcome, options?: AdvanceOptions): Promise<Stripe.PaymentIntent>;
  /** Sends an event (or event id) to the webhook URL: stale, forged, repeated or out of order as asked. */
  deliver(event: DoubleEvent | string, options?: DeliverOptions): Promise<Delivery[]>;
  /** Resolves when automatic deliveries queued so far are answered. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a Stripe API double on 127.0.0.1; point the official SDK at it with `host`, `port`, `protocol: 'http'`. */
export async function startStripeDouble(options: StripeDoubleOptions = {}): Promise<StripeDouble> {
  const apiVersion: string = Stripe.API_VERSION;
  const secretKey = options.secretKey ?? newId('sk_test', 32);
  const webhookSecret = options.webhookSecret ?? newId('whsec', 32);
  const senderOptions = {
    apiVersion,
    secret: webhookSecret,
    autoDeliver: options.autoDeliver ?? true,
    ...(options.webhookUrl ? { url: options.webhookUrl } : {}),
    ...(options.enabledEvents ? { enabledEvents: options.enabledEvents } : {}),
  };
  const webhooks = new WebhookSender(senderOptions);
  const state: State = {
    apiVersion,
    enabledTypes: options.paymentMethodTypes ?? ['card', 'us_bank_account'],
    intents: new Map(),
    intentMethods: new Map(),
    methods: new Map(),
    tokens: new Map(),
    tokenMethods: new Map(),
    charges: new Map(),
    refunds: new Map(),
    disputes: new Map(),
    emit: (type, object, context) => {
      webhooks.emit(type, object, context);
    },
  };
  const requests: RecordedRequest[] = [];
  const handler = createHandler(state, secretKey, requests);
  const server = createServer((request, response) => {
    handler(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    host,
    port,
    secretKey,
    webhookSecret,
    apiVersion,
    requests,
    intents: state.intents,
    events: webhooks.events,
    deliveries: webhooks.deliveries,
    setWebhookUrl: (url) => webhooks.setUrl(url),
    async advance(intentId, outcome, advanceOptions = {}) {
      const intent = advance(state, intentId, outcome, advanceOptions);
      await webhooks.idle();
      return structuredClone(intent);
    },
    deliver(event, deliverOptions) {
      const found = typeof event === 'string' ? webhooks.events.find((e) => e.id === event) : event;
      if (!found) throw new Error(`stripe-double: no event ${String(event)}`);
      return webhooks.deliver(found, deliverOptions);
    },
    idle: () => webhooks.idle(),
    async close() {
      await webhooks.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
