import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Currency, sum, toDecimalString } from '@settle/schema';
import { type Insertable, type Selectable, sql } from 'kysely';
import { type Database, type Db, type Executor, openStore, type Tx } from '../store/db.js';
import type { ErpDeduction } from './memory.js';
import {
  type ErpAdapter,
  type ErpCredit,
  type ErpCustomer,
  type ErpInvoice,
  type ErpOpenItems,
  type ErpPosting,
  type ErpPostingResult,
  ErpRejectedError,
  ErpUnavailableError,
} from './port.js';

/** An invoice or credit as the adapter reads it (ITEM_COLUMNS of ledger_items). */
type ItemRow = Pick<Selectable<Database['ledger_items']>, (typeof ITEM_COLUMNS)[number]>;

/** A stable item id from its natural key, so re-importing into a new store yields the same ids. */
export function ledgerItemId(customerId: string, type: 'invoice' | 'credit', number: string): string {
  const hash = createHash('sha256').update(`${customerId}\u0000${type}\u0000${number}`).digest('hex').slice(0, 24);
  return `${type === 'invoice' ? 'inv' : 'cre'}_${hash}`;
}

/**
 * The merchant's accounts receivable mirrored in Settle's own store (tables from migration 8):
 * for an ERP without an API, or while its adapter is being written. `ledger import` fills it from
 * the ERP's AR-aging export; `ledger export-payments` hands back what Settle posted.
 *
 * Posting and reversal each run in one transaction: an advisory lock on the payment id makes a
 * repeated or concurrent posting of one payment apply once, and SELECT … FOR UPDATE on the items
 * (in id order, so two postings cannot deadlock) makes concurrent postings on one invoice see each
 * other's balances. Validation mirrors MemoryErp, so the conformance kit holds for both.
 */
export class SqlLedgerErp implements ErpAdapter {
  readonly name = 'sql-ledger';

  /** `owned`: close() destroys `db` (a handle opened for the ledger alone, see openSqlLedger). */
  constructor(
    readonly db: Db,
    private readonly owned = false,
    private readonly release?: () => Promise<void>,
  ) {}

  async close(): Promise<void> {
    if (this.owned) await this.db.destroy();
    await this.release?.();
  }

  async listCustomers(): Promise<ErpCustomer[]> {
    return guard(async () => {
      const rows = await this.db.selectFrom('ledger_customers').selectAll().orderBy('id').execute();
      return rows.map(toCustomer);
    });
  }

  async getCustomer(customerId: string): Promise<ErpCustomer | null> {
    return guard(async () => {
      const row = await this.db
        .selectFrom('ledger_customers')
        .selectAll()
        .where('id', '=', customerId)
        .executeTakeFirst();
      return row ? toCustomer(row) : null;
    });
  }

  async listOpenItems(customerId: string): Promise<ErpOpenItems> {
    return guard(async () => {
      const rows = await this.db
        .selectFrom('ledger_items')
        .select(ITEM_COLUMNS)
        .where('customer_id', '=', customerId)
        .where('open_amount', '>', 0)
        .orderBy('due_date')
        .orderBy('issue_date')
        .orderBy('number')
        .execute();
      return {
        invoices: rows.filter((r) => r.type === 'invoice').map(toInvoice),
        credits: rows
          .filter((r) => r.type === 'credit')
          .sort((a, b) => compare(a.issue_date, b.issue_date) || compare(a.number, b.number))
          .map(toCredit),
      };
    });
  }

  /** Deductions recorded by postings that are not reversed, oldest first (as MemoryErp.listDeductions). */
  async listDeductions(customerId?: string): Promise<ErpDeduction[]> {
    return guard(async () => {
      let q = this.db
        .selectFrom('ledger_deductions as d')
        .innerJoin('ledger_postings as p', 'p.payment_id', 'd.payment_id')
        .innerJoin('ledger_items as i', 'i.id', 'd.invoice_id')
        .select([
          'd.payment_id',
          'd.customer_id',
          'd.invoice_id',
          'i.number',
          'd.currency',
          'd.amount',
          'd.reason_code',
          'd.erp_reason_code',
          'd.note',
          'd.date',
        ])
        .where('p.reversed_at', 'is', null)
        .orderBy('d.id');
      if (customerId !== undefined) q = q.where('d.customer_id', '=', customerId);
      return (await q.execute()).map((d) => ({
        paymentId: d.payment_id,
        customerId: d.customer_id,
        invoiceId: d.invoice_id,
        invoiceNumber: d.number,
        currency: d.currency,
        amount: d.amount,
        reasonCode: d.reason_code,
        erpReasonCode: d.erp_reason_code,
        note: d.note,
        date: d.date,
      }));
    });
  }

  async postPayment(posting: ErpPosting): Promise<ErpPostingResult> {
    return guard(() =>
      this.db.transaction().execute(async (trx) => {
        await lockLedgerShared(trx);
        await lockPayment(trx, posting.paymentId);
        const existing = await trx
          .selectFrom('ledger_postings')
          .select('erp_reference')
          .where('payment_id', '=', posting.paymentId)
          .executeTakeFirst();
        if (existing) return { erpReference: existing.erp_reference };
        const plan = await planPosting(trx, posting);
        const { seq } = await sql<{ seq: number }>`select nextval('ledger_receipt_seq')::int as seq`
          .execute(trx)
          .then((r) => r.rows[0]!);
        const erpReference = `RCPT-${String(seq).padStart(6, '0')}`;
        await trx
          .insertInto('ledger_postings')
          .values({
            payment_id: posting.paymentId,
            erp_reference: erpReference,
            customer_id: posting.customerId,
            currency: posting.currency,
            date: posting.date,
            method: posting.method,
            cash_amount: posting.cashAmount,
            surcharge_amount: posting.surchargeAmount,
            unapplied_amount: posting.unappliedAmount,
            reference: posting.reference,
            on_account_item_id: plan.onAccount?.id ?? null,
          })
          .execute();
        for (const line of plan.lines) {
          await trx
            .updateTable('ledger_items')
            .set({ open_amount: sql`open_amount - ${line.taken}`, updated_at: sql`now()` })
            .where('id', '=', line.item_id)
            .execute();
        }
        if (plan.lines.length) {
          await trx
            .insertInto('ledger_posting_lines')
            .values(plan.lines.map((l) => ({ payment_id: posting.paymentId, ...l })))
            .execute();
        }
        if (plan.deductions.length) await trx.insertInto('ledger_deductions').values(plan.deductions).execute();
        if (plan.onAccount) await trx.insertInto('ledger_items').values(plan.onAccount).execute();
        return { erpReference };
      }),
    );
  }

  /** Restores what the posting changed. Unknown or already reversed payments are a no-op. */
  async reversePayment(paymentId: string, reason = ''): Promise<void> {
    return guard(() =>
      this.db.transaction().execute(async (trx) => {
        await lockLedgerShared(trx);
        await lockPayment(trx, paymentId);
        const record = await trx
          .selectFrom('ledger_postings')
          .select(['on_account_item_id', 'reversed_at'])
          .where('payment_id', '=', paymentId)
          .forUpdate()
          .executeTakeFirst();
        if (!record || record.reversed_at) return;
        const lines = await trx
          .selectFrom('ledger_posting_lines')
          .select(['item_id', 'taken'])
          .where('payment_id', '=', paymentId)
          .execute();
        const ids = [...lines.map((l) => l.item_id), ...(record.on_account_item_id ? [record.on_account_item_id] : [])];
        const items = await lockItems(trx, ids);
        const onAccount = record.on_account_item_id ? items.get(record.on_account_item_id) : undefined;
        if (onAccount && onAccount.open_amount !== onAccount.amount) {
          throw new ErpRejectedError(
            `Cannot reverse ${paymentId}: its on-account credit ${onAccount.number} has since been applied; reverse that posting first`,
          );
        }
        for (const line of lines) {
          // An import may since have lowered the item's amount below what the reversal gives back:
          // capping it would drop money silently, so the reversal is refused, by name.
          const item = items.get(line.item_id)!;
          if (item.open_amount + line.taken > item.amount) {
            const money = (n: number) => `${toDecimalString(n, item.currency as Currency)} ${item.currency}`;
            throw new ErpRejectedError(
              `Cannot reverse ${paymentId}: giving back ${money(line.taken)} would take ${item.type} ${item.number} to ` +
                `${money(item.open_amount + line.taken)}, above its amount ${money(item.amount)} (the ERP lowered it since); settle it in the ERP`,
            );
          }
          await trx
            .updateTable('ledger_items')
            .set({ open_amount: sql`open_amount + ${line.taken}`, updated_at: sql`now()` })
            .where('id', '=', line.item_id)
            .execute();
        }
        if (onAccount) {
          // Closed rather than deleted: the posting lines and the export still name it.
          await trx
            .updateTable('ledger_items')
            .set({ open_amount: 0, updated_at: sql`now()` })
            .where('id', '=', onAccount.id)
            .execute();
        }
        await trx
          .updateTable('ledger_postings')
          .set({ reversed_at: sql`now()`, reversal_reason: reason || null })
          .where('payment_id', '=', paymentId)
          .execute();
      }),
    );
  }
}

/** Where the ledger lives: PostgreSQL (the server's database), else an embedded PGlite folder, or memory. */
export interface LedgerStoreOptions {
  databaseUrl: string | null;
  /** The server's data folder (SETTLE_DATA_DIR); the ledger is its `ledger` subfolder. Null: in memory. */
  dataDir: string | null;
}

/** The ledger's PGlite folder inside the server's data folder. */
export function ledgerDataDir(dataDir: string): string {
  return `${dataDir}/ledger`;
}

/**
 * Opens the ledger on a database handle of its own. On PostgreSQL that is a second pool on the
 * server's database: Settle calls the ERP while it holds a transaction (creating a payment,
 * posting from the outbox), and a shared pool could be drained by requests each waiting for a
 * second connection. PGlite serves one session at a time, so there the ledger is a PGlite of its
 * own in <dataDir>/ledger, which the `ledger` CLI opens too (docs/sql-ledger.md).
 */
export async function openSqlLedger(options: LedgerStoreOptions): Promise<SqlLedgerErp> {
  if (options.databaseUrl || options.dataDir === null) {
    return new SqlLedgerErp(await openStore({ databaseUrl: options.databaseUrl, dataDir: null }), true);
  }
  const dir = ledgerDataDir(options.dataDir);
  const unlock = await lockDataDir(dir);
  try {
    const db = await openStore({ databaseUrl: null, dataDir: dir });
    return new SqlLedgerErp(db, true, unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** Ledger folders this process has open: a second open would corrupt it as surely as a second process. */
const openDirs = new Set<string>();

/**
 * An embedded PGlite folder opened by two processes at once (the server and `ledger import`)
 * would be corrupted; a lock file with the holder's pid refuses the second one, by name, and a
 * per-process set refuses a second open in the same process (taken before the first await, so two
 * opens started together cannot both pass it). A lock left by a process that is gone is taken over
 * under a `.takeover` file created exclusively, which re-checks the lock is still the stale one:
 * two processes taking over at once cannot both end up holding it.
 */
async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir);
  if (openDirs.has(key)) throw new Error(`the SQL ledger in ${dir} is already open in this process`);
  openDirs.add(key);
  const file = `${dir}.lock`;
  try {
    await acquireLockFile(dir, file);
  } catch (error) {
    openDirs.delete(key);
    throw error;
  }
  return async () => {
    await rm(file, { force: true });
    openDirs.delete(key);
  };
}

async function acquireLockFile(dir: string, file: string): Promise<void> {
  const takeover = `${file}.takeover`;
  await mkdir(dirname(file), { recursive: true });
  const holder = async (path: string) => Number(await readFile(path, 'utf8').catch(() => ''));
  const valid = (pid: number) => Number.isInteger(pid) && pid > 0;
  const pause = () => sleep(50);
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = await holder(file);
    // Empty: its creator may not have written its pid yet; give it a moment before calling it stale.
    if (!valid(pid) && attempt < 5) {
      await pause();
      continue;
    }
    // Our own pid is stale too: the set above says this process does not hold it (a pid reused after a restart).
    if (valid(pid) && pid !== process.pid && alive(pid)) {
      throw new Error(
        `the SQL ledger in ${dir} is open in process ${pid} (lock file ${file}; a running Settle server?): stop it first, or use PostgreSQL (DATABASE_URL)`,
      );
    }
    try {
      await writeFile(takeover, String(process.pid), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another process is taking over right now (empty: it has not written its pid yet, so read
      // again); one that died doing so left its file behind, with a dead pid or still empty.
      let other = await holder(takeover);
      if (!valid(other)) {
        await pause();
        other = await holder(takeover);
      }
      if (valid(other) && alive(other)) await pause();
      else await rm(takeover, { force: true });
      continue;
    }
    try {
      if ((await holder(file)) === pid) await rm(file, { force: true });
    } finally {
      await rm(takeover, { force: true });
    }
  }
  throw new Error(`cannot lock the SQL ledger in ${dir} (${file})`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const ITEM_COLUMNS = [
  'id',
  'customer_id',
  'number',
  'type',
  'issue_date',
  'due_date',
  'currency',
  'amount',
  'open_amount',
  'document_url',
  'po_number',
  'memo',
] as const;

/** The rows a posting writes: its lines (without the payment id), deductions and on-account credit. */
interface Plan {
  lines: Array<Omit<Insertable<Database['ledger_posting_lines']>, 'payment_id'>>;
  deductions: Array<Insertable<Database['ledger_deductions']>>;
  onAccount: Insertable<Database['ledger_items']> | null;
}

/** Validates the whole posting against the locked balances; throws before anything is changed. */
async function planPosting(trx: Tx, p: ErpPosting): Promise<Plan> {
  const reject = (why: string): never => {
    throw new ErpRejectedError(`Posting ${p.paymentId} rejected: ${why}`);
  };
  const money = (n: number) => `${toDecimalString(n, p.currency)} ${p.currency}`;
  const checkAmount = (n: number, what: string) => {
    if (!Number.isSafeInteger(n) || n < 0) reject(`${what} must be a non-negative integer in minor units`);
  };
  if (typeof p.paymentId !== 'string' || p.paymentId === '') reject('paymentId is required');
  const customer = await trx
    .selectFrom('ledger_customers')
    .select('id')
    .where('id', '=', p.customerId)
    .executeTakeFirst();
  if (!customer) return reject(`unknown customer ${p.customerId}`);
  checkAmount(p.cashAmount, 'cashAmount');
  checkAmount(p.surchargeAmount, 'surchargeAmount');
  checkAmount(p.unappliedAmount, 'unappliedAmount');

  const items = await lockItems(trx, [...p.applications.map((a) => a.invoiceId), ...p.credits.map((c) => c.creditId)]);
  const owned = (id: string, kind: 'invoice' | 'credit'): ItemRow => {
    const item = items.get(id);
    if (!item || item.type !== kind) return reject(`unknown ${kind} ${id}`);
    if (item.customer_id !== customer.id) reject(`${kind} ${item.number} belongs to another customer`);
    if (item.currency !== p.currency)
      reject(`${kind} ${item.number} is in ${item.currency}, the posting in ${p.currency}`);
    return item;
  };

  const plan: Plan = { lines: [], deductions: [], onAccount: null };
  const seen = new Set<string>();
  for (const a of p.applications) {
    const invoice = owned(a.invoiceId, 'invoice');
    if (seen.has(invoice.id)) reject(`invoice ${invoice.number} appears twice`);
    seen.add(invoice.id);
    checkAmount(a.cash, `cash on ${invoice.number}`);
    checkAmount(a.credit, `credit on ${invoice.number}`);
    const d = a.deduction;
    if (d) {
      if (!Number.isSafeInteger(d.amount) || d.amount <= 0) reject(`deduction on ${invoice.number} must be positive`);
      if (!d.reasonCode) reject(`deduction on ${invoice.number} needs a reason code`);
      plan.deductions.push({
        payment_id: p.paymentId,
        customer_id: customer.id,
        invoice_id: invoice.id,
        currency: p.currency,
        amount: d.amount,
        reason_code: d.reasonCode,
        erp_reason_code: d.erpReasonCode,
        note: d.note,
        date: p.date,
      });
    }
    const taken = sum([a.cash, a.credit, d?.amount ?? 0]);
    if (taken > invoice.open_amount) {
      reject(`${money(taken)} would take invoice ${invoice.number} below zero (open ${money(invoice.open_amount)})`);
    }
    plan.lines.push({ item_id: invoice.id, cash: a.cash, credit: a.credit, deduction: d?.amount ?? 0, taken });
  }

  const consumed = new Map<string, number>();
  const creditPerInvoice = new Map<string, number>();
  for (const c of p.credits) {
    const credit = owned(c.creditId, 'credit');
    checkAmount(c.amount, `amount of credit ${credit.number}`);
    if (!seen.has(c.invoiceId))
      reject(`credit ${credit.number} names invoice ${c.invoiceId}, which has no application`);
    consumed.set(credit.id, sum([consumed.get(credit.id) ?? 0, c.amount]));
    creditPerInvoice.set(c.invoiceId, sum([creditPerInvoice.get(c.invoiceId) ?? 0, c.amount]));
  }
  for (const [id, amount] of consumed) {
    const credit = items.get(id)!;
    if (amount > credit.open_amount) {
      reject(`${money(amount)} would take credit ${credit.number} below zero (open ${money(credit.open_amount)})`);
    }
    plan.lines.push({ item_id: id, cash: 0, credit: amount, deduction: 0, taken: amount });
  }
  for (const a of p.applications) {
    if ((creditPerInvoice.get(a.invoiceId) ?? 0) !== a.credit) {
      reject(`credit on invoice ${a.invoiceId} does not match the credits listed for it`);
    }
  }
  const cash = sum([...p.applications.map((a) => a.cash), p.unappliedAmount]);
  if (cash !== p.cashAmount)
    reject(`cashAmount ${money(p.cashAmount)} is not applied cash plus unapplied ${money(cash)}`);

  if (p.unappliedAmount > 0) {
    plan.onAccount = {
      id: `cre_unapplied_${p.paymentId}`,
      customer_id: customer.id,
      number: `UNAPPLIED-${p.paymentId}`,
      type: 'credit',
      issue_date: p.date,
      due_date: null,
      currency: p.currency,
      amount: p.unappliedAmount,
      erp_open_amount: p.unappliedAmount,
      open_amount: p.unappliedAmount,
      memo: `Unapplied cash: ${p.reference}`,
      import_batch: null,
    };
  }
  return plan;
}

/** Locks the items (FOR UPDATE, in id order so concurrent postings cannot deadlock) and returns them by id. */
async function lockItems(trx: Tx, ids: string[]): Promise<Map<string, ItemRow>> {
  const unique = [...new Set(ids)].sort();
  if (!unique.length) return new Map();
  const rows = await trx
    .selectFrom('ledger_items')
    .select(ITEM_COLUMNS)
    .where('id', 'in', unique)
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

const IMPORT_LOCK = 'ledger-import';

/**
 * `ledger import` computes balances from the postings in one statement whose snapshot would miss a
 * posting committed meanwhile (and ON CONFLICT would then overwrite its balance): the import holds
 * this lock exclusively, postings and reversals hold it shared, so they wait for each other.
 */
export async function lockLedgerExclusive(trx: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${IMPORT_LOCK}, 0))`.execute(trx);
}

/** Taken by a posting or reversal before anything else (see lockLedgerExclusive). */
async function lockLedgerShared(trx: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(hashtextextended(${IMPORT_LOCK}, 0))`.execute(trx);
}

/** One payment id is posted or reversed by one transaction at a time, across instances. */
async function lockPayment(trx: Executor, paymentId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`ledger-posting:${paymentId}`}, 0))`.execute(trx);
}

/**
 * Our own refusals pass through; anything else from the database (a refused or dropped connection,
 * a closed store, a serialization failure) is worth retrying, so the outbox gets ErpUnavailableError.
 */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ErpRejectedError || error instanceof ErpUnavailableError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ErpUnavailableError(`SQL ledger unavailable: ${message}`, { cause: error });
  }
}

function toCustomer(
  row: Pick<Selectable<Database['ledger_customers']>, 'id' | 'name' | 'email' | 'currency' | 'region'>,
): ErpCustomer {
  return { id: row.id, name: row.name, email: row.email, currency: row.currency as Currency, region: row.region };
}

function toInvoice(row: ItemRow): ErpInvoice {
  return {
    id: row.id,
    customerId: row.customer_id,
    number: row.number,
    issueDate: row.issue_date,
    dueDate: row.due_date ?? row.issue_date,
    currency: row.currency as Currency,
    amount: row.amount,
    openAmount: row.open_amount,
    documentUrl: row.document_url,
    poNumber: row.po_number,
  };
}

function toCredit(row: ItemRow): ErpCredit {
  return {
    id: row.id,
    customerId: row.customer_id,
    number: row.number,
    issueDate: row.issue_date,
    currency: row.currency as Currency,
    amount: row.amount,
    openAmount: row.open_amount,
    memo: row.memo,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Writes customers, invoices and credits into the ledger as they are (ids included), skipping
 * those it already has (so balances Settle changed stay): for tests, the conformance kit and
 * `ledger seed-demo`. Real data comes through `ledger import`.
 */
export async function seedLedger(
  db: Db,
  data: { customers: ErpCustomer[]; invoices: ErpInvoice[]; credits: ErpCredit[] },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (data.customers.length) {
      await trx
        .insertInto('ledger_customers')
        .values(data.customers.map((c) => ({ ...pick(c), import_batch: 'seed' })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    const items = [
      ...data.invoices.map((i) => ({
        id: i.id,
        customer_id: i.customerId,
        number: i.number,
        type: 'invoice' as const,
        issue_date: i.issueDate,
        due_date: i.dueDate,
        currency: i.currency,
        amount: i.amount,
        erp_open_amount: i.openAmount,
        open_amount: i.openAmount,
        document_url: i.documentUrl,
        po_number: i.poNumber,
        memo: null,
        import_batch: 'seed',
      })),
      ...data.credits.map((c) => ({
        id: c.id,
        customer_id: c.customerId,
        number: c.number,
        type: 'credit' as const,
        issue_date: c.issueDate,
        due_date: null,
        currency: c.currency,
        amount: c.amount,
        erp_open_amount: c.openAmount,
        open_amount: c.openAmount,
        document_url: null,
        po_number: null,
        memo: c.memo,
        import_batch: 'seed',
      })),
    ];
    for (let i = 0; i < items.length; i += 500) {
      await trx
        .insertInto('ledger_items')
        .values(items.slice(i, i + 500))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  });
}

function pick(c: ErpCustomer) {
  return { id: c.id, name: c.name, email: c.email, currency: c.currency, region: c.region };
}
