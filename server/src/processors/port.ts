import type { Currency, NextAction, PaymentFailure, PaymentMethodSummary, PaymentMethodType } from '@settle/schema';

/** Where a processor says a confirmed payment stands. */
export interface ProcessorOutcome {
  intentId: string;
  status: 'requires_action' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  failure: PaymentFailure | null;
  /** What the payer's browser must do while `requires_action` (it carries a client secret: payer only). */
  nextAction?: NextAction | null;
}

/** Who accepted a bank-debit mandate, as the browser that sent the payment reported it. */
export interface PayerContext {
  ipAddress: string | null;
  userAgent: string | null;
}

export interface ConfirmInput {
  paymentId: string;
  merchantId: string;
  customerId: string;
  amount: number;
  currency: Currency;
  method: PaymentMethodType;
  /** The processor's token for what the payer entered in its fields. */
  token: string;
  /** Derived from Settle's payment id, so a retried confirm never charges twice. */
  idempotencyKey: string;
  /** Where a redirect-based step (3-D Secure, bank link) sends the payer back. */
  returnUrl: string;
  payer: PayerContext;
}

/** The amounts one payment at this processor may carry, in minor units; null when it sets none. */
export interface AmountLimits {
  min: number;
  max: number;
}

/**
 * A payment processor. Card and bank numbers never pass through here: the browser gives
 * them to the processor's own fields, and Settle holds only a token and its summary.
 * Later changes (ACH settlement, returns) arrive as ProcessorEvents through the outbox.
 */
export interface PaymentProcessor {
  readonly name: 'sandbox' | 'stripe';
  readonly publishableKey: string | null;
  /** What one payment in `currency` may carry; null if the processor cannot take that currency at all. */
  limits(currency: Currency): AmountLimits | null;
  /** The summary of a token made for this session; null if unknown or made for another one. */
  retrievePaymentMethod(
    token: string,
    scope: { merchantId: string; sessionId: string },
  ): Promise<PaymentMethodSummary | null>;
  /** Creates and confirms the intent for a payment; idempotent on paymentId. */
  confirm(input: ConfirmInput): Promise<ProcessorOutcome>;
  /** Where the processor says the payment stands now; null if it never saw it. */
  retrieve(paymentId: string): Promise<ProcessorOutcome | null>;
  /** Cancels a payment not confirmed yet; if the processor already did confirm it, returns that outcome instead. */
  cancel(paymentId: string): Promise<ProcessorOutcome>;
}

/** A change reported by the processor after confirmation (a webhook, or the sandbox's timer). */
export interface ProcessorEvent {
  /** Unique per event, for de-duplication. */
  id: string;
  paymentId: string;
  type:
    | 'payment.processing'
    | 'payment.succeeded'
    | 'payment.failed'
    | 'payment.canceled'
    /** Money taken back after success (an ACH return, a lost dispute): the ERP posting is reversed. */
    | 'payment.returned'
    | 'payment.refunded'
    | 'payment.partially_refunded'
    | 'payment.disputed'
    | 'payment.dispute_won';
  failure: PaymentFailure | null;
  /** The processor's id for the payment (a PaymentIntent), when the event names it. */
  intentId?: string;
  /** For partial refunds: how much, in minor units. */
  amount?: number;
}

/** The processor could not be reached: nothing was charged, the same request may be retried. */
export class ProcessorUnavailableError extends Error {
  override readonly name = 'ProcessorUnavailableError';
}

/**
 * The processor refused the request for good (a used or expired token, a reused idempotency key,
 * an invalid parameter): retrying cannot help. `param` names the request field at fault, if known.
 */
export class ProcessorRejectedError extends Error {
  override readonly name = 'ProcessorRejectedError';
  constructor(
    message: string,
    readonly code: string,
    readonly param: string | null,
  ) {
    super(message);
  }
}
