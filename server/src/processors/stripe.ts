import type { Currency, Mode, NextAction, PaymentMethodSummary } from '@settle/schema';
import Stripe from 'stripe';
import type { Db } from '../store/db.js';
import { fromJson, json } from '../store/db.js';
import type { AmountLimits, ConfirmInput, PaymentProcessor, ProcessorOutcome } from './port.js';
import { ProcessorRejectedError, ProcessorUnavailableError } from './port.js';
import { failureOf } from './stripe-failures.js';
import { stripeLimits } from './stripe-limits.js';

export interface StripeOptions {
  mode: Mode;
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  /** Another API host (the offline double in tests); Stripe's own when null. */
  apiUrl: string | null;
}

/** A create that never answered is taken as never made after this long (well past the SDK's retries). */
const STALE_CREATE_MS = 60 * 60 * 1000;

type Mandate = Stripe.PaymentIntentCreateParams.MandateData | null;

/**
 * PaymentIntents through the official SDK, one per Settle payment (DOMAIN.md §1.4, §3).
 * The browser's Stripe.js makes a ConfirmationToken; the server reads its funding before
 * quoting, then creates and confirms the intent for the quoted total in one call under an
 * idempotency key derived from Settle's own. Allocations stay in Settle's database: the
 * intent's metadata is a compact reference.
 */
export class StripeProcessor implements PaymentProcessor {
  readonly name = 'stripe' as const;
  readonly publishableKey: string;
  readonly stripe: Stripe;

  constructor(
    private readonly db: Db,
    private readonly options: StripeOptions,
  ) {
    this.publishableKey = options.publishableKey;
    const api = options.apiUrl ? new URL(options.apiUrl) : null;
    this.stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      appInfo: { name: 'Settle' },
      ...(api
        ? {
            host: api.hostname,
            port: Number(api.port || (api.protocol === 'http:' ? 80 : 443)),
            protocol: api.protocol === 'http:' ? 'http' : 'https',
          }
        : {}),
    });
  }

  limits(currency: Currency): AmountLimits | null {
    return stripeLimits(currency);
  }

  async retrievePaymentMethod(token: string, scope: { merchantId: string; sessionId: string }) {
    if (!/^ctoken_[A-Za-z0-9_]+$/.test(token)) return null;
    // A token is bound to the first session that shows it, so another payer cannot reuse it.
    await this.db
      .insertInto('stripe_tokens')
      .values({ token, merchant_id: scope.merchantId, session_id: scope.sessionId })
      .onConflict((oc) => oc.column('token').doNothing())
      .execute();
    const owner = await this.db
      .selectFrom('stripe_tokens')
      .selectAll()
      .where('token', '=', token)
      .executeTakeFirstOrThrow();
    if (owner.merchant_id !== scope.merchantId || owner.session_id !== scope.sessionId) return null;
    if (owner.summary) return fromJson<PaymentMethodSummary>(owner.summary);
    let ct: Stripe.ConfirmationToken;
    try {
      ct = await this.stripe.confirmationTokens.retrieve(token);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return null;
      throw unavailable(err);
    }
    const summary = summaryOf(ct.payment_method_preview);
    if (summary) {
      await this.db
        .updateTable('stripe_tokens')
        .set({ summary: json(summary) })
        .where('token', '=', token)
        .execute();
    }
    return summary;
  }

  async confirm(input: ConfirmInput): Promise<ProcessorOutcome> {
    let row = await this.#row(input.paymentId);
    if (row?.intent_id) return this.#outcomeOf(row.intent_id);
    if (row?.status === 'canceled') return canceledBeforeCreate();
    if (!row) {
      const mandate = input.method === 'ach_debit' ? await this.#mandate(input) : null;
      await this.db
        .insertInto('stripe_intents')
        .values({ payment_id: input.paymentId, status: 'creating', mandate: mandate ? json(mandate) : null })
        .onConflict((oc) => oc.column('payment_id').doNothing())
        .execute();
      row = await this.#row(input.paymentId);
      if (!row) throw new Error(`stripe_intents row for ${input.paymentId} vanished`);
      if (row.status === 'canceled') return canceledBeforeCreate();
    }
    // Compare-and-set: a create goes out only while the row is still `creating`, and claiming it
    // refreshes `updated_at`, so a cancel cannot take it as a stale create meanwhile (and a cancel
    // that won first leaves nothing to claim).
    const claimed = await this.db
      .updateTable('stripe_intents')
      .set({ updated_at: new Date() })
      .where('payment_id', '=', input.paymentId)
      .where('status', '=', 'creating')
      .where('intent_id', 'is', null)
      .returning('payment_id')
      .executeTakeFirst();
    if (!claimed) {
      const now = await this.#row(input.paymentId);
      if (now?.intent_id) return this.#outcomeOf(now.intent_id);
      return canceledBeforeCreate();
    }
    const mandate = row.mandate ? fromJson<NonNullable<Mandate>>(row.mandate) : null;
    const params: Stripe.PaymentIntentCreateParams = {
      amount: input.amount,
      currency: input.currency.toLowerCase(),
      confirm: true,
      confirmation_token: input.token,
      // Wallets (Apple Pay, Google Pay) are cards to Stripe; bank debits are us_bank_account.
      allowed_payment_method_types: input.method === 'ach_debit' ? ['us_bank_account'] : ['card'],
      use_stripe_sdk: true,
      return_url: input.returnUrl,
      description: `Settle payment ${input.paymentId}`,
      metadata: {
        settle_payment: input.paymentId,
        settle_customer: input.customerId.slice(0, 500),
        settle_merchant: input.merchantId,
      },
      ...(input.method === 'ach_debit'
        ? {
            // Instant verification through Financial Connections, microdeposits when that is not possible.
            payment_method_options: { us_bank_account: { verification_method: 'automatic' as const } },
            ...(mandate ? { mandate_data: mandate } : {}),
          }
        : {}),
    };
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.create(params, { idempotencyKey: input.idempotencyKey });
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError && err.payment_intent) {
        await this.#remember(input.paymentId, err.payment_intent.id, 'failed');
        return { intentId: err.payment_intent.id, status: 'failed', failure: failureOf(err), nextAction: null };
      }
      const rejected = rejection(err);
      if (rejected && rejected.code !== 'idempotency_error') {
        // Refused for good: Stripe made no intent. (An idempotency error may hide one the first
        // request made: the row stays `creating`, so a cancel looks for it at Stripe.)
        await this.db
          .updateTable('stripe_intents')
          .set({ status: 'rejected', updated_at: new Date() })
          .where('payment_id', '=', input.paymentId)
          .where('intent_id', 'is', null)
          .execute();
      }
      if (rejected) throw rejected;
      throw unavailable(err);
    }
    await this.#remember(input.paymentId, intent.id, intent.status);
    return outcomeOf(intent);
  }

  async retrieve(paymentId: string): Promise<ProcessorOutcome | null> {
    const row = await this.#row(paymentId);
    if (!row?.intent_id) return row?.status === 'canceled' ? canceledBeforeCreate() : null;
    return this.#outcomeOf(row.intent_id);
  }

  async cancel(paymentId: string): Promise<ProcessorOutcome> {
    // Recorded first, so a confirm that arrives later finds it and charges nothing.
    await this.db
      .insertInto('stripe_intents')
      .values({ payment_id: paymentId, status: 'canceled', mandate: null })
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .execute();
    let row = await this.#row(paymentId);
    if (!row) throw new Error(`stripe_intents row for ${paymentId} vanished`);
    if (!row.intent_id) {
      if (row.status === 'canceled' || row.status === 'rejected') return canceledBeforeCreate();
      // A create was sent and its answer not recorded: Stripe may have made (and even charged)
      // the intent. Ask Stripe before anything is canceled here.
      const found = await this.#findAtStripe(paymentId);
      if (found) {
        await this.learnIntent(paymentId, found.id);
        row = { ...row, intent_id: found.id };
      } else {
        // Search lags writes by up to a minute: only a create that is certainly dead (well past
        // the SDK's retries and the search's lag) is canceled locally, and only if no confirm
        // claimed the row meanwhile (compare-and-set on `updated_at`).
        const staleBefore = new Date(Date.now() - STALE_CREATE_MS);
        const canceled = await this.db
          .updateTable('stripe_intents')
          .set({ status: 'canceled', updated_at: new Date() })
          .where('payment_id', '=', paymentId)
          .where('status', '=', 'creating')
          .where('intent_id', 'is', null)
          .where('updated_at', '<', staleBefore)
          .returning('payment_id')
          .executeTakeFirst();
        if (canceled) return canceledBeforeCreate();
        throw new Error(`The PaymentIntent of ${paymentId} is not known yet; will retry`);
      }
    }
    const intentId = row.intent_id as string;
    try {
      const intent = await this.stripe.paymentIntents.cancel(intentId, { cancellation_reason: 'abandoned' });
      return outcomeOf(intent);
    } catch (err) {
      // Already confirmed (or already final): say where it stands instead.
      if (err instanceof Stripe.errors.StripeInvalidRequestError) return this.#outcomeOf(intentId);
      throw unavailable(err);
    }
  }

  /** The intent Stripe holds for a payment, found by its metadata; null if Stripe shows none. */
  async #findAtStripe(paymentId: string): Promise<Stripe.PaymentIntent | null> {
    try {
      const result = await this.stripe.paymentIntents.search({
        query: `metadata['settle_payment']:'${paymentId}'`,
        limit: 10,
      });
      // Oldest first: with one idempotency key there is one intent, but never adopt a stray newer one.
      return [...result.data].sort((a, b) => a.created - b.created)[0] ?? null;
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** Checks a webhook's `Stripe-Signature` against the raw body (5 minutes of tolerance). */
  verifyWebhook(rawBody: Buffer, signature: string): Stripe.Event {
    return this.stripe.webhooks.constructEvent(rawBody, signature, this.options.webhookSecret, 300);
  }

  /** Records the intent id a webhook names for a payment whose create answer was lost. */
  async learnIntent(paymentId: string, intentId: string): Promise<void> {
    await this.db
      .updateTable('stripe_intents')
      .set({ intent_id: intentId, updated_at: new Date() })
      .where('payment_id', '=', paymentId)
      .where('intent_id', 'is', null)
      .execute();
  }

  /** The Settle payment an intent belongs to, if it is one of Settle's. */
  async paymentOfIntent(intentId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('stripe_intents')
      .select('payment_id')
      .where('intent_id', '=', intentId)
      .executeTakeFirst();
    return row?.payment_id ?? null;
  }

  /** The Settle payment an intent names in its metadata, asking Stripe; null if none or not found. */
  async paymentOfIntentAtStripe(intentId: string): Promise<string | null> {
    try {
      const intent = await this.stripe.paymentIntents.retrieve(intentId);
      return intent.metadata?.settle_payment ?? null;
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return null;
      throw unavailable(err);
    }
  }

  async #outcomeOf(intentId: string): Promise<ProcessorOutcome> {
    try {
      return outcomeOf(await this.stripe.paymentIntents.retrieve(intentId));
    } catch (err) {
      throw unavailable(err);
    }
  }

  async #row(paymentId: string) {
    return this.db.selectFrom('stripe_intents').selectAll().where('payment_id', '=', paymentId).executeTakeFirst();
  }

  async #remember(paymentId: string, intentId: string, status: string): Promise<void> {
    await this.db
      .updateTable('stripe_intents')
      .set({ intent_id: intentId, status, updated_at: new Date() })
      .where('payment_id', '=', paymentId)
      .execute();
  }

  /**
   * The ACH mandate (DOMAIN.md §2.2). Stripe.js's Payment Element puts the payer's acceptance on
   * the ConfirmationToken itself; a token made without it gets the acceptance this request shows.
   */
  async #mandate(input: ConfirmInput): Promise<Mandate> {
    let ct: Stripe.ConfirmationToken;
    try {
      ct = await this.stripe.confirmationTokens.retrieve(input.token);
    } catch (err) {
      throw unavailable(err);
    }
    if (ct.mandate_data?.customer_acceptance) return null;
    // Mandate evidence with a made-up address is worthless: refuse rather than send one.
    if (!input.payer.ipAddress) {
      throw new ProcessorRejectedError(
        "The payer's IP address is unknown, so the bank-debit mandate cannot be recorded",
        'mandate_ip_unknown',
        null,
      );
    }
    return {
      customer_acceptance: {
        type: 'online',
        accepted_at: Math.floor(Date.now() / 1000),
        online: {
          ip_address: input.payer.ipAddress,
          user_agent: (input.payer.userAgent ?? 'unknown').slice(0, 500),
        },
      },
    };
  }
}

function canceledBeforeCreate(): ProcessorOutcome {
  return { intentId: '', status: 'canceled', failure: null, nextAction: null };
}

/** Settle's view of a PaymentIntent. */
export function outcomeOf(intent: Stripe.PaymentIntent): ProcessorOutcome {
  const base = { intentId: intent.id, failure: null, nextAction: null };
  switch (intent.status) {
    case 'succeeded':
      return { ...base, status: 'succeeded' };
    case 'processing':
    case 'requires_capture':
      return { ...base, status: 'processing' };
    case 'canceled':
      return { ...base, status: 'canceled' };
    case 'requires_action':
      return { ...base, status: 'requires_action', nextAction: nextActionOf(intent) };
    case 'requires_payment_method':
      // After a confirm, this is a decline or a failed authentication or bank debit.
      return {
        ...base,
        status: 'failed',
        failure: failureOf(intent.last_payment_error ?? { code: 'payment_failed' }),
      };
    default:
      throw new Error(`PaymentIntent ${intent.id} is ${intent.status} after confirmation`);
  }
}

function nextActionOf(intent: Stripe.PaymentIntent): NextAction | null {
  const next = intent.next_action;
  if (!next || !intent.client_secret) return null;
  const clientSecret = intent.client_secret;
  if (next.type === 'redirect_to_url' && next.redirect_to_url?.url) {
    return { type: 'redirect_to_url', clientSecret, url: next.redirect_to_url.url };
  }
  if (next.type === 'verify_with_microdeposits') {
    const url = next.verify_with_microdeposits?.hosted_verification_url;
    return { type: 'verify_with_microdeposits', clientSecret, ...(url ? { url } : {}) };
  }
  return { type: 'use_stripe_sdk', clientSecret };
}

function summaryOf(preview: Stripe.ConfirmationToken.PaymentMethodPreview | null): PaymentMethodSummary | null {
  if (!preview) return null;
  if (preview.type === 'card' && preview.card) {
    const card = preview.card;
    const funding = card.funding === 'credit' || card.funding === 'debit' || card.funding === 'prepaid';
    return {
      type: card.wallet ? 'wallet' : 'card',
      brand: card.display_brand ?? card.brand,
      last4: card.last4,
      // Anything Stripe cannot name is `unknown`, and unknown is never surcharged.
      funding: funding ? (card.funding as 'credit' | 'debit' | 'prepaid') : 'unknown',
      bankName: null,
      accountHolderType: null,
    };
  }
  if (preview.type === 'us_bank_account' && preview.us_bank_account) {
    const bank = preview.us_bank_account;
    const holder = bank.account_holder_type;
    return {
      type: 'ach_debit',
      brand: null,
      last4: bank.last4 ?? '',
      funding: null,
      bankName: bank.bank_name,
      accountHolderType: holder === 'company' ? 'company' : holder === 'individual' ? 'individual' : null,
    };
  }
  return null;
}

/** What may be logged of a Stripe error: never the raw error, which can carry a client secret. */
export function describeStripeError(err: unknown): string {
  if (err instanceof Stripe.errors.StripeError) {
    return `type=${err.type} code=${err.code ?? 'none'} status=${err.statusCode ?? 'none'} requestId=${err.requestId ?? 'none'}`;
  }
  return err instanceof Error ? err.name : 'unknown error';
}

/** A 4xx that retrying cannot fix (other than a card decline, a 402 handled apart). */
function rejection(err: unknown): ProcessorRejectedError | null {
  if (!(err instanceof Stripe.errors.StripeError)) return null;
  const status = err.statusCode ?? 0;
  if (status < 400 || status >= 500 || status === 429) return null;
  if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) {
    return null;
  }
  const code = err instanceof Stripe.errors.StripeIdempotencyError ? 'idempotency_error' : (err.code ?? err.type);
  return new ProcessorRejectedError(
    `Stripe refused the request (${describeStripeError(err)})`,
    code,
    err.param ?? null,
  );
}

/** Network trouble, Stripe's own 5xx and rate limits leave the payment retriable; the rest is a bug. */
function unavailable(err: unknown): Error {
  if (
    err instanceof Stripe.errors.StripeConnectionError ||
    err instanceof Stripe.errors.StripeAPIError ||
    err instanceof Stripe.errors.StripeRateLimitError ||
    (err instanceof Stripe.errors.StripeError && (err.statusCode ?? 0) >= 500)
  ) {
    return new ProcessorUnavailableError(`Stripe is unavailable (${describeStripeError(err)})`);
  }
  if (err instanceof Stripe.errors.StripeError) return new Error(`Stripe error (${describeStripeError(err)})`);
  return err instanceof Error ? err : new Error(String(err));
}
