import type { SessionClient } from '@settle/client';
import type { PaymentMethodToken, PaymentProposal, Quote, SessionPayment } from '@settle/schema';
import { classify } from './pay-errors.js';
import { fingerprint } from './pay-price.js';

/** One press of Pay that reached the server: retried as is (same key) only after a network failure. */
interface Attempt {
  fingerprint: string;
  key: string;
  token: PaymentMethodToken;
  expectedTotal: number;
}

export type AttemptResult =
  /** The server prices this card differently from what was shown: show `confirm` and wait for Pay again. */
  { kind: 'confirm' } | { kind: 'payment'; payment: SessionPayment };

/**
 * The payment attempts of one session. Never charges a total the payer has not seen: the
 * server's quote for the tokenized card is compared with the total on screen, and a different
 * one waits for the payer to press Pay again. A network failure keeps the attempt, so the retry
 * sends the same request under the same idempotency key and cannot charge twice; anything else
 * (a new card, a changed selection, a decline) starts a new attempt with a new key.
 */
export class PaymentAttempts {
  /** The server's quote the payer is asked to accept, with the token it was priced for. */
  confirm: { quote: Quote; token: PaymentMethodToken; fingerprint: string } | null = null;
  #attempt: Attempt | null = null;

  /** The payer changed the card: neither its token nor a total priced for it may be used. */
  forgetToken(): void {
    this.#attempt = null;
    this.confirm = null;
  }

  reset(): void {
    this.#attempt = null;
    this.confirm = null;
  }

  async run(
    client: SessionClient,
    proposal: PaymentProposal,
    shownTotal: number,
    tokenize: () => Promise<PaymentMethodToken>,
  ): Promise<AttemptResult> {
    const fp = fingerprint(proposal);
    let attempt = this.#attempt?.fingerprint === fp ? this.#attempt : null;
    if (!attempt && this.confirm?.fingerprint === fp) {
      // The payer saw the server's total for this card and pressed Pay again: that total is accepted.
      const { token, quote } = this.confirm;
      attempt = { fingerprint: fp, key: newKey(), token, expectedTotal: quote.total };
    }
    if (!attempt) {
      const token = await tokenize();
      const quote = await client.quote({ ...proposal, paymentMethodToken: token.id });
      if (quote.total !== shownTotal) {
        this.confirm = { quote, token, fingerprint: fp };
        return { kind: 'confirm' };
      }
      attempt = { fingerprint: fp, key: newKey(), token, expectedTotal: quote.total };
    }
    this.#attempt = attempt;
    const request = { ...proposal, paymentMethodToken: attempt.token.id, expectedTotal: attempt.expectedTotal };
    try {
      const { payment } = await client.createPayment(request, { idempotencyKey: attempt.key });
      this.reset();
      return { kind: 'payment', payment };
    } catch (error) {
      const { kind } = classify(error);
      if (kind === 'network') throw error;
      this.#attempt = null;
      if (kind !== 'total_changed') throw error;
      // The balances moved since the quote: nothing was charged; show the new total to accept.
      const quote = await client.quote({ ...proposal, paymentMethodToken: attempt.token.id });
      this.confirm = { quote, token: attempt.token, fingerprint: fp };
      return { kind: 'confirm' };
    }
  }
}

function newKey(): string {
  // randomUUID exists only in secure contexts; getRandomValues everywhere.
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
