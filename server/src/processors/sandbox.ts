import type { FieldIssue, Mode, PaymentMethodSummary, PaymentMethodToken, SandboxTokenRequest } from '@settle/schema';
import { newId } from '../keys.js';
import { enqueue } from '../outbox/outbox.js';
import type { Db, Tx } from '../store/db.js';
import { fromJson, json } from '../store/db.js';
import type { ConfirmInput, PaymentProcessor, ProcessorEvent, ProcessorOutcome } from './port.js';
import {
  cardBrand,
  FAILURES,
  luhnValid,
  type Scenario,
  TEST_BANK_ACCOUNTS,
  TEST_CARDS,
  TEST_ROUTING_NUMBER,
} from './sandbox-cards.js';

export const PROCESSOR_EVENT_JOB = 'processor_event';

export class SandboxTokenError extends Error {
  override readonly name = 'SandboxTokenError';
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => i.message).join('; '));
  }
}

/**
 * The offline processor: Stripe's test numbers, immediate card outcomes, and ACH debits
 * that settle (or fail, or are returned) asynchronously through the outbox, like webhooks.
 * State lives in the database, so any instance can continue what another started.
 * It keeps a card's brand, last 4 and funding, never the number.
 */
export class SandboxProcessor implements PaymentProcessor {
  readonly name = 'sandbox' as const;
  readonly publishableKey = null;

  constructor(
    private readonly db: Db,
    private readonly options: { mode: Mode; achSettleSeconds: number },
  ) {
    if (options.mode === 'live') throw new Error('The sandbox processor refuses to run in live mode');
  }

  /** Tokenizes what the sandbox's fields collected. The number is read here and dropped. */
  async createToken(
    input: SandboxTokenRequest,
    scope: { merchantId: string; sessionId: string },
  ): Promise<PaymentMethodToken> {
    const { summary, scenario } = describe(input);
    const id = newId('tok_sbx');
    await this.db
      .insertInto('sandbox_tokens')
      .values({ id, merchant_id: scope.merchantId, session_id: scope.sessionId, summary: json(summary), scenario })
      .execute();
    return { id, summary };
  }

  limits() {
    return { min: 1, max: Number.MAX_SAFE_INTEGER };
  }

  async retrieve(paymentId: string): Promise<ProcessorOutcome | null> {
    const row = await this.db
      .selectFrom('sandbox_intents')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .executeTakeFirst();
    return row ? outcomeOf(row) : null;
  }

  async retrievePaymentMethod(token: string, scope: { merchantId: string; sessionId: string }) {
    const row = await this.#token(token);
    if (!row || row.merchant_id !== scope.merchantId || row.session_id !== scope.sessionId) return null;
    return fromJson<PaymentMethodSummary>(row.summary);
  }

  async confirm(input: ConfirmInput): Promise<ProcessorOutcome> {
    const existing = await this.db
      .selectFrom('sandbox_intents')
      .selectAll()
      .where('payment_id', '=', input.paymentId)
      .executeTakeFirst();
    if (existing) return outcomeOf(existing);
    const token = await this.#token(input.token);
    if (!token) throw new Error(`Unknown sandbox token ${input.token}`);
    const scenario = token.scenario as Scenario;
    const id = newId('pi_sbx');
    const isBank = scenario.startsWith('ach_');
    const failure = !isBank ? (FAILURES[scenario] ?? null) : null;
    const status = isBank ? 'processing' : failure ? 'failed' : 'succeeded';
    // The intent and its scheduled bank events land together, or not at all.
    const inserted = await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('sandbox_intents')
        .values({
          id,
          payment_id: input.paymentId,
          amount: input.amount,
          currency: input.currency,
          token: input.token,
          status,
          failure: failure ? json(failure) : null,
        })
        .onConflict((oc) => oc.column('payment_id').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row && isBank) await this.#scheduleBankEvents(trx, input.paymentId, id, scenario);
      return row;
    });
    if (!inserted) {
      // A concurrent confirm of the same payment won the race: report its intent.
      const winner = await this.db
        .selectFrom('sandbox_intents')
        .selectAll()
        .where('payment_id', '=', input.paymentId)
        .executeTakeFirstOrThrow();
      return outcomeOf(winner);
    }
    return { intentId: id, status, failure };
  }

  async cancel(paymentId: string): Promise<ProcessorOutcome> {
    // Record the cancellation first, so a confirm that arrives late finds it and charges nothing.
    await this.db
      .insertInto('sandbox_intents')
      .values({
        id: newId('pi_sbx'),
        payment_id: paymentId,
        amount: 0,
        currency: 'XXX',
        token: '',
        status: 'canceled',
        failure: null,
      })
      .onConflict((oc) => oc.column('payment_id').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('sandbox_intents')
      .selectAll()
      .where('payment_id', '=', paymentId)
      .executeTakeFirstOrThrow();
    return outcomeOf(row);
  }

  async #token(id: string) {
    return this.db.selectFrom('sandbox_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async #scheduleBankEvents(trx: Tx, paymentId: string, intentId: string, scenario: Scenario): Promise<void> {
    if (scenario === 'ach_stay_processing') return;
    const settleAt = new Date(Date.now() + this.options.achSettleSeconds * 1000);
    const event = (type: ProcessorEvent['type'], failure: ProcessorEvent['failure'], runAt: Date) =>
      enqueue(trx, {
        kind: PROCESSOR_EVENT_JOB,
        dedupeKey: `${intentId}:${type}`,
        runAt,
        payload: { id: `evt_sbx_${intentId}_${type}`, paymentId, type, failure } satisfies ProcessorEvent,
      });
    if (scenario === 'ach_succeed' || scenario === 'ach_return_after_success') {
      await event('payment.succeeded', null, settleAt);
    } else {
      await event('payment.failed', FAILURES[scenario] ?? null, settleAt);
    }
    if (scenario === 'ach_return_after_success') {
      await event(
        'payment.returned',
        FAILURES[scenario] ?? null,
        new Date(settleAt.getTime() + this.options.achSettleSeconds * 1000),
      );
    }
  }
}

function outcomeOf(row: { id: string; status: string; failure: unknown }): ProcessorOutcome {
  return {
    intentId: row.id,
    status: row.status as ProcessorOutcome['status'],
    failure: row.failure ? fromJson(row.failure) : null,
  };
}

function describe(input: SandboxTokenRequest): { summary: PaymentMethodSummary; scenario: Scenario } {
  if (input.type === 'card') {
    const digits = input.number.replace(/\s/g, '');
    if (!luhnValid(digits))
      throw new SandboxTokenError([
        { path: 'number', code: 'invalid_number', message: 'The card number is not valid' },
      ]);
    const now = new Date();
    const expired =
      input.expYear < now.getUTCFullYear() ||
      (input.expYear === now.getUTCFullYear() && input.expMonth < now.getUTCMonth() + 1);
    if (expired)
      throw new SandboxTokenError([{ path: 'expYear', code: 'invalid_expiry', message: 'The card has expired' }]);
    const known = TEST_CARDS[digits];
    return {
      summary: {
        type: input.wallet ? 'wallet' : 'card',
        brand: known?.brand ?? cardBrand(digits),
        last4: digits.slice(-4),
        funding: known?.funding ?? 'unknown',
        bankName: null,
        accountHolderType: null,
      },
      scenario: known?.scenario ?? 'decline_live_card',
    };
  }
  if (input.routingNumber !== TEST_ROUTING_NUMBER) {
    throw new SandboxTokenError([
      {
        path: 'routingNumber',
        code: 'invalid_routing_number',
        message: `Use the test routing number ${TEST_ROUTING_NUMBER}`,
      },
    ]);
  }
  return {
    summary: {
      type: 'ach_debit',
      brand: null,
      last4: input.accountNumber.slice(-4),
      funding: null,
      bankName: 'STRIPE TEST BANK',
      accountHolderType: input.accountHolderType,
    },
    scenario: TEST_BANK_ACCOUNTS[input.accountNumber] ?? 'ach_fail_no_account',
  };
}
