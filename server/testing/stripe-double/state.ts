import type Stripe from 'stripe';
import type { ChargeObject, DisputeObject, MethodRecord, RefundObject } from './objects.js';
import type { EventType, RequestContext } from './webhooks.js';

/** Everything the double holds in memory; one instance per `startStripeDouble`. */
export interface State {
  apiVersion: string;
  /** Payment method types "enabled in the Dashboard". */
  enabledTypes: readonly string[];
  intents: Map<string, Stripe.PaymentIntent>;
  /** The payment method behind each intent (kept after a failure clears `payment_method`). */
  intentMethods: Map<string, MethodRecord>;
  methods: Map<string, MethodRecord>;
  tokens: Map<string, Stripe.ConfirmationToken>;
  tokenMethods: Map<string, MethodRecord>;
  charges: Map<string, ChargeObject>;
  refunds: Map<string, RefundObject>;
  disputes: Map<string, DisputeObject>;
  emit(type: EventType, object: object, context: RequestContext): void;
}
