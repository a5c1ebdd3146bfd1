import type { Currency, PaymentFailure, PaymentMethodSummary, PaymentMethodType } from '@settle/schema';

/** Where a processor says a confirmed payment stands. */
export interface ProcessorOutcome {
  intentId: string;
  status: 'processing' | 'succeeded' | 'failed' | 'canceled';
  failure: PaymentFailure | null;
}

export interface ConfirmInput {
  paymentId: string;
  amount: number;
  currency: Currency;
  method: PaymentMethodType;
  /** The processor's token for what the payer entered in its fields. */
  token: string;
  /** Derived from Settle's payment id, so a retried confirm never charges twice. */
  idempotencyKey: string;
}

/**
 * A payment processor. Card and bank numbers never pass through here: the browser gives
 * them to the processor's own fields, and Settle holds only a token and its summary.
 * Later changes (ACH settlement, returns) arrive as ProcessorEvents through the outbox.
 */
export interface PaymentProcessor {
  readonly name: 'sandbox' | 'stripe';
  readonly publishableKey: string | null;
  /** The summary of a token made for this session; null if unknown or made for another one. */
  retrievePaymentMethod(
    token: string,
    scope: { merchantId: string; sessionId: string },
  ): Promise<PaymentMethodSummary | null>;
  /** Creates and confirms the intent for a payment; idempotent on paymentId. */
  confirm(input: ConfirmInput): Promise<ProcessorOutcome>;
  /** Cancels a payment not confirmed yet; if the processor already did confirm it, returns that outcome instead. */
  cancel(paymentId: string): Promise<ProcessorOutcome>;
}

/** A change reported by the processor after confirmation (a webhook, or the sandbox's timer). */
export interface ProcessorEvent {
  /** Unique per event, for de-duplication. */
  id: string;
  paymentId: string;
  type: 'payment.succeeded' | 'payment.failed' | 'payment.returned';
  failure: PaymentFailure | null;
}

/** The processor could not be reached: nothing was charged, the same request may be retried. */
export class ProcessorUnavailableError extends Error {
  override readonly name = 'ProcessorUnavailableError';
}
