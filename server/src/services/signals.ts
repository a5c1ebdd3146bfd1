import type { PayerSignalKind } from '@settle/schema';
import { sql } from 'kysely';
import type { Deps } from '../deps.js';
import { enqueue } from '../outbox/outbox.js';
import type { Executor, Tx } from '../store/db.js';
import type { SessionContext } from './sessions.js';

/**
 * Payer signals: what a payer did with a session (opened it, looked at invoices, started a payment,
 * paid, or left without paying), so collectors see who looked and did not pay. Recorded on the
 * server from the calls the widget makes anyway; ids and times only, never card or bank details.
 * Each signal happens once: its dedupe key names the session, session and invoice, or payment.
 */

/** Runs when an opened session expires, and records `abandoned` if nothing was paid in it. */
export const SESSION_ABANDON_JOB = 'session_abandon';

/** Payment states that mean the payer did pay (or the bank is still taking the money). */
const PAID_STATUSES = ['processing', 'succeeded', 'disputed', 'refunded', 'reversed'];

interface SignalInput {
  merchantId: string;
  customerId: string;
  sessionId: string;
  kind: PayerSignalKind;
  invoiceId?: string;
  paymentId?: string;
  dedupeKey: string;
}

/**
 * Signals per insert: a statement carries at most 65,535 bind parameters (PostgreSQL's wire
 * protocol counts them in 16 bits), and a payment may name 10,000 invoices at 7 parameters each.
 */
const ROWS_PER_INSERT = 1_000;

/** Inserts signals, each once; the session's pay link is copied onto them. Returns the keys that were new. */
async function record(ex: Executor, signals: SignalInput[]): Promise<Set<string>> {
  const added = new Set<string>();
  for (let at = 0; at < signals.length; at += ROWS_PER_INSERT) {
    for (const key of await insertSignals(ex, signals.slice(at, at + ROWS_PER_INSERT))) added.add(key);
  }
  return added;
}

async function insertSignals(ex: Executor, signals: SignalInput[]): Promise<string[]> {
  const rows = await ex
    .insertInto('payer_signals')
    .columns([
      'merchant_id',
      'customer_id',
      'session_id',
      'pay_link_id',
      'kind',
      'invoice_id',
      'payment_id',
      'dedupe_key',
    ])
    .expression(
      // One row per signal, with the pay link read from its session.
      sql`select v.merchant_id, v.customer_id, v.session_id, s.pay_link_id, v.kind, v.invoice_id, v.payment_id, v.dedupe_key
        from (values ${sql.join(
          signals.map(
            (s) =>
              sql`(${s.merchantId}, ${s.customerId}, ${s.sessionId}, ${s.kind}, ${s.invoiceId ?? null}::text, ${s.paymentId ?? null}::text, ${s.dedupeKey})`,
          ),
        )}) as v(merchant_id, customer_id, session_id, kind, invoice_id, payment_id, dedupe_key)
        join sessions s on s.id = v.session_id`,
    )
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('dedupe_key')
    .execute();
  return rows.map((r) => r.dedupe_key);
}

const base = (session: SessionContext) => ({
  merchantId: session.merchant.id,
  customerId: session.customerId,
  sessionId: session.id,
});

/** The payer's page read the session: the first read is `session_opened`, and schedules the abandonment check. */
export async function recordSessionOpened(deps: Deps, session: SessionContext): Promise<void> {
  const dedupeKey = `session_opened:${session.id}`;
  await deps.db.transaction().execute(async (trx) => {
    const added = await record(trx, [{ ...base(session), kind: 'session_opened', dedupeKey }]);
    if (!added.size) return;
    await enqueue(trx, {
      kind: SESSION_ABANDON_JOB,
      dedupeKey: `${SESSION_ABANDON_JOB}:${session.id}`,
      runAt: session.expiresAt,
      payload: { sessionId: session.id },
    });
  });
}

/** Invoices a quote or payment of this session included: `invoice_viewed`, once per invoice. */
export async function recordInvoicesViewed(ex: Executor, session: SessionContext, invoiceIds: string[]) {
  await record(
    ex,
    [...new Set(invoiceIds)].map((invoiceId) => ({
      ...base(session),
      kind: 'invoice_viewed' as const,
      invoiceId,
      dedupeKey: `invoice_viewed:${session.id}:${invoiceId}`,
    })),
  );
}

/** A payment was created (in its own transaction): its invoices were viewed, and `payment_started`. */
export async function recordPaymentStarted(trx: Tx, session: SessionContext, paymentId: string, invoiceIds: string[]) {
  await recordInvoicesViewed(trx, session, invoiceIds);
  await record(trx, [
    { ...base(session), kind: 'payment_started', paymentId, dedupeKey: `payment_started:${paymentId}` },
  ]);
}

/** A payment succeeded (called where its status moves): `paid`, once per payment; its session is not abandoned. */
export async function recordPaid(trx: Tx, paymentId: string): Promise<void> {
  const row = await trx
    .selectFrom('payments')
    .select(['merchant_id', 'customer_id', 'session_id'])
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  await record(trx, [
    {
      merchantId: row.merchant_id,
      customerId: row.customer_id,
      sessionId: row.session_id,
      kind: 'paid',
      paymentId,
      dedupeKey: `paid:${paymentId}`,
    },
  ]);
  // A session paid in is not abandoned: its check has nothing left to do.
  await trx
    .updateTable('outbox')
    .set({ status: 'done', done_at: new Date() })
    .where('dedupe_key', '=', `${SESSION_ABANDON_JOB}:${row.session_id}`)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * The abandonment check of an opened session, run at its expiry: `abandoned` unless one of its
 * payments went through. A session still fresh (a clock ahead of the database's) is retried later.
 */
export async function checkAbandoned(deps: Deps, sessionId: string): Promise<void> {
  const session = await deps.db
    .selectFrom('sessions')
    .select(['id', 'merchant_id', 'customer_id', 'expires_at'])
    .where('id', '=', sessionId)
    .executeTakeFirst();
  if (!session) return;
  if (new Date(session.expires_at).getTime() > Date.now()) {
    throw new Error(`Session ${sessionId} has not expired yet`);
  }
  const paid = await deps.db
    .selectFrom('payments')
    .select('id')
    .where('session_id', '=', sessionId)
    .where('status', 'in', PAID_STATUSES)
    .executeTakeFirst();
  if (paid) return;
  await record(deps.db, [
    {
      merchantId: session.merchant_id,
      customerId: session.customer_id,
      sessionId,
      kind: 'abandoned',
      dedupeKey: `abandoned:${sessionId}`,
    },
  ]);
}
