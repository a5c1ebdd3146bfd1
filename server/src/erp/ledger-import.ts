import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { type Currency, currencyExponent, parseDecimal } from '@settle/schema';
import { parse } from 'csv-parse';
import { type Insertable, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Database, Db, Tx } from '../store/db.js';
import { ledgerItemId, lockLedgerExclusive } from './sql-ledger.js';

/** Header names `ledger import` reads (case-insensitive); docs/sql-ledger.md describes each. */
export const REQUIRED_COLUMNS = [
  'customer_id',
  'customer_name',
  'document_number',
  'type',
  'issue_date',
  'currency',
  'amount',
  'open_amount',
] as const;
export const OPTIONAL_COLUMNS = [
  'customer_email',
  'customer_region',
  'due_date',
  'po_number',
  'memo',
  'document_url',
] as const;

/** One rejected row: `line N: field: what is wrong`. */
export interface RowError {
  line: number;
  field: string;
  message: string;
}

export function formatRowError(e: RowError): string {
  return `line ${e.line}: ${e.field}: ${e.message}`;
}

export interface ImportProgress {
  rows: number;
  bytes: number;
  /** The input's size when known (a file), for a percentage. */
  totalBytes: number | null;
  elapsedMs: number;
}

export interface ImportOptions {
  /** Validate and count what would change, then roll everything back. */
  dryRun?: boolean;
  /**
   * When the ERP exported the file. Settle's postings not handed to the ERP by `export-payments`
   * before this instant are kept on top of the file's open amounts. Default: now, allowed only when
   * nothing was exported since the last import (else LedgerAsOfRequiredError: the file may or may
   * not include those postings, and only the person who exported it knows).
   */
  asOf?: Date;
  /**
   * The file is the complete list of open items of every (customer, currency) pair in it: a
   * document of such a pair that the file no longer lists is closed as if listed with open amount
   * 0 (docs/sql-ledger.md, "Complete files"). Customers and currencies absent from the file are untouched.
   */
  complete?: boolean;
  /** Rows per INSERT … ON CONFLICT statement. */
  batchSize?: number;
  totalBytes?: number | null;
  onProgress?: (progress: ImportProgress) => void;
  /** How often onProgress is called at most (default 250 ms). */
  progressEveryMs?: number;
}

export interface ImportResult {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  customersInserted: number;
  customersUpdated: number;
  /** With `complete`: documents absent from the file that it closed (or would close, in a dry run). */
  closed: number;
  /** The first CLOSED_LISTED of them, by customer, currency, type and number. */
  closedFirst: ClosedDocument[];
  /** With `complete`: the (customer, currency) pairs the file covers; null without. */
  completePairs: number | null;
  /** The first MAX_ERRORS problems; when any, nothing was written. */
  errors: RowError[];
  /** Problems past the first MAX_ERRORS, counted only. */
  errorsOmitted: number;
  /** Header columns that are not Settle's (docs/sql-ledger.md), read past. */
  ignoredColumns: string[];
  /** The import batch id written on new and changed rows. */
  batch: string;
  /** False for a dry run or when rows were rejected. */
  written: boolean;
  elapsedMs: number;
}

type LedgerItems = Database['ledger_items'];

/** A document closed by a complete import: its open amount before and after. */
export type ClosedDocument = Pick<
  Selectable<LedgerItems>,
  'customer_id' | 'type' | 'number' | 'currency' | 'open_amount'
> & {
  previous_open_amount: number;
};

/** A row as the import writes it: every column, updated_at aside (the database sets it). */
type ItemInput = Required<Omit<Insertable<LedgerItems>, 'updated_at'>>;
type CustomerInput = Required<Omit<Insertable<Database['ledger_customers']>, 'updated_at'>>;

/** How many closed documents a complete import lists by name; the rest are counted. */
export const CLOSED_LISTED = 20;

/** How many problems an import keeps; the rest are counted (a wrong file can have millions). */
export const MAX_ERRORS = 1000;

/** The longest CSV record read, in bytes: a runaway quote is a line error, not all memory. */
export const MAX_RECORD_BYTES = 64 * 1024;

/** An import without an as-of time while postings were exported since the last import. */
export class LedgerAsOfRequiredError extends Error {
  override readonly name = 'LedgerAsOfRequiredError';
}

/** Thrown for a file that cannot be read as the expected CSV at all (header, quoting). */
export class LedgerFileError extends Error {
  override readonly name = 'LedgerFileError';
}

class Rollback extends Error {}

/**
 * Imports an AR-aging / open-items CSV into the SQL ledger in one transaction, streaming: rows
 * are validated as they are read and written 1,000 per statement. Any bad row means nothing is
 * written (every bad row is still reported). Rows are keyed by (customer, type, document number):
 * a row equal to what the last import brought changes nothing, so re-importing a file is a no-op;
 * a changed row takes the file's values, and its open amount becomes the file's minus what Settle
 * posted against the item that the ERP cannot have seen yet (docs/sql-ledger.md, "Idempotency").
 * With `complete`, documents of the file's (customer, currency) pairs that it no longer lists are
 * closed in the same transaction (closeAbsent).
 */
export async function importLedgerCsv(db: Db, input: Readable, options: ImportOptions = {}): Promise<ImportResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 1000;
  let asOf = options.asOf ?? new Date();
  const batch = `imp_${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}_${randomBytes(3).toString('hex')}`;
  const result: ImportResult = {
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    customersInserted: 0,
    customersUpdated: 0,
    closed: 0,
    closedFirst: [],
    completePairs: null,
    errors: [],
    errorsOmitted: 0,
    ignoredColumns: [],
    batch,
    written: false,
    elapsedMs: 0,
  };
  const every = options.progressEveryMs ?? 250;
  let lastProgress = started;
  let bytes = 0;
  const progress = (force = false) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastProgress < every)) return;
    lastProgress = now;
    options.onProgress({ rows: result.rows, bytes, totalBytes: options.totalBytes ?? null, elapsedMs: now - started });
  };

  let headerCount = 0;
  const parser = input.pipe(
    parse({
      columns: (header: string[]) => {
        const names = checkHeader(header);
        headerCount = names.length;
        const known = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
        result.ignoredColumns = names.filter((n) => !known.has(n));
        return names;
      },
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_BYTES,
    }),
  );
  input.on('error', (e) => parser.destroy(e));
  const addError = (e: RowError) => {
    if (result.errors.length < MAX_ERRORS) result.errors.push(e);
    else result.errorsOmitted += 1;
  };

  try {
    await db.transaction().execute(async (trx) => {
      await lockLedgerExclusive(trx);
      if (!options.asOf) asOf = await defaultAsOf(trx);
      if (options.complete) await createSeenTable(trx);
      const seenItems = new Map<string, number>();
      const seenCustomers = new Set<string>();
      const pairs = new Set<string>();
      let items: ItemInput[] = [];
      let customers: CustomerInput[] = [];
      const flush = async () => {
        if (items.length) await checkCurrencies(trx, items, seenItems, addError);
        if (result.errors.length === 0 && items.length) {
          await writeBatch(trx, customers, items, asOf, result);
          if (options.complete) await markSeen(trx, items);
        }
        items = [];
        customers = [];
      };
      try {
        for await (const { record, info } of parser as AsyncIterable<{
          record: Record<string, string | undefined>;
          info: { lines: number; bytes: number; error?: { message: string; record?: string[] } };
        }>) {
          result.rows += 1;
          bytes = info.bytes;
          const line = info.lines;
          if (info.error) {
            const found = info.error.record?.length ?? 0;
            addError({
              line,
              field: 'row',
              message: `has ${found} fields, the header has ${headerCount}`,
            });
            progress();
            continue;
          }
          const rowErrors: RowError[] = [];
          const row = validateRow(record, line, batch, rowErrors);
          for (const e of rowErrors) addError(e);
          if (row) {
            const key = `${row.item.customer_id}\u0000${row.item.type}\u0000${row.item.number}`;
            const first = seenItems.get(key);
            if (first !== undefined) {
              addError({
                line,
                field: 'document_number',
                message: `${row.item.type} ${row.item.number} of customer ${row.item.customer_id} is already on line ${first}`,
              });
            } else {
              seenItems.set(key, line);
              if (options.complete) pairs.add(`${row.item.customer_id}\u0000${row.item.currency}`);
              if (!seenCustomers.has(row.customer.id)) {
                seenCustomers.add(row.customer.id);
                customers.push(row.customer);
              }
              items.push(row.item);
            }
          }
          if (items.length >= batchSize) await flush();
          progress();
        }
      } catch (error) {
        if (
          error instanceof Error &&
          'code' in error &&
          typeof error.code === 'string' &&
          error.code.startsWith('CSV_')
        ) {
          const at = 'lines' in error && typeof error.lines === 'number' ? `line ${error.lines}: ` : '';
          throw new LedgerFileError(`${at}${error.message}`);
        }
        throw error;
      }
      await flush();
      if (options.complete) result.completePairs = pairs.size;
      if (options.complete && result.errors.length === 0) await closeAbsent(trx, asOf, batch, result);
      if (result.errors.length === 0 && !options.dryRun) {
        await trx.insertInto('ledger_imports').values({ batch, as_of: asOf }).execute();
      }
      // A closing line for a run long enough to have shown progress.
      if (Date.now() - started >= every) progress(true);
      if (result.errors.length || options.dryRun) throw new Rollback();
    });
    result.written = true;
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  if (result.errors.length) {
    result.inserted = result.updated = result.customersInserted = result.customersUpdated = result.closed = 0;
    result.closedFirst = [];
  }
  result.unchanged = result.errors.length ? 0 : result.rows - result.inserted - result.updated;
  result.elapsedMs = Date.now() - started;
  return result;
}

/** Other columns (an aging bucket, days overdue…) are read past; the result lists them. */
function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length) {
    throw new LedgerFileError(
      `line 1: header: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (found: ${names.join(', ') || 'nothing'})`,
    );
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new LedgerFileError(`line 1: header: column ${dup} appears twice`);
  return names;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** Why a decimal amount (its sign aside) was refused, in the words a person fixing the file needs. */
function amountProblem(value: string, currency: Currency): string {
  const cleaned = value.replace(/[,\s]/g, '').replace(/^-/, '');
  const m = /^\d+\.(\d+)$/.exec(cleaned);
  if (m && (m[1]?.length ?? 0) > currencyExponent(currency)) {
    return `"${value}" has ${m[1]?.length} decimals; ${currency} has ${currencyExponent(currency)}`;
  }
  if (/^\d+(\.\d*)?$/.test(cleaned)) return `"${value}" is too large`;
  return `"${value}" is not a number`;
}

/** Checks one record; pushes an error per bad field and returns null, or the rows to write. */
function validateRow(
  record: Record<string, string | undefined>,
  line: number,
  batch: string,
  errors: RowError[],
): { item: ItemInput; customer: CustomerInput } | null {
  const before = errors.length;
  const bad = (field: string, message: string) => errors.push({ line, field, message });
  // A file in another encoding decodes to U+FFFD where its bytes are not UTF-8.
  const garbled = Object.entries(record).find(([, v]) => v?.includes('\uFFFD'));
  if (garbled) {
    bad(garbled[0], 'is not UTF-8: export the file as UTF-8');
    return null;
  }
  const text = (field: string, max: number, required: boolean): string | null => {
    const v = record[field]?.trim() ?? '';
    if (!v) {
      if (required) bad(field, 'is missing');
      return null;
    }
    if (v.length > max) bad(field, `is longer than ${max} characters`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    else if (/[\u0000-\u001f\u007f]/.test(v)) bad(field, 'contains control characters');
    return v;
  };
  const customerId = text('customer_id', 100, true);
  const customerName = text('customer_name', 200, true);
  const email = text('customer_email', 254, false);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) bad('customer_email', `"${email}" is not an email address`);
  const region = text('customer_region', 10, false);
  if (region && !/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/.test(region))
    bad('customer_region', `"${region}" is not an ISO 3166 code such as US-NY`);
  const number = text('document_number', 100, true);
  const rawType = text('type', 20, true);
  const type = rawType?.toLowerCase();
  if (rawType && type !== 'invoice' && type !== 'credit') bad('type', `"${rawType}" is neither invoice nor credit`);
  const issueDate = text('issue_date', 10, true);
  if (issueDate && !validDate(issueDate)) bad('issue_date', `"${issueDate}" is not a date (YYYY-MM-DD)`);
  const dueDate = text('due_date', 10, type === 'invoice');
  if (dueDate && !validDate(dueDate)) bad('due_date', `"${dueDate}" is not a date (YYYY-MM-DD)`);
  else if (dueDate && issueDate && validDate(issueDate) && dueDate < issueDate)
    bad('due_date', `${dueDate} is before the issue date ${issueDate}`);
  const rawCurrency = text('currency', 3, true);
  const currency = rawCurrency?.toUpperCase() ?? null;
  if (rawCurrency && !/^[A-Z]{3}$/.test(currency ?? '')) bad('currency', `"${rawCurrency}" is not an ISO 4217 code`);
  // Many ERPs export credit memos with negative amounts: a credit keeps the magnitude, as long
  // as its amount and open amount agree in sign. Exact decimal parsing, no floats.
  const money = (field: 'amount' | 'open_amount'): { value: number; negative: boolean } | null => {
    const v = text(field, 40, true);
    if (v === null || !currency || !/^[A-Z]{3}$/.test(currency)) return null;
    const cleaned = v.replace(/[,\s]/g, '');
    const negative = cleaned.startsWith('-');
    const n = parseDecimal(negative ? cleaned.slice(1) : cleaned, currency);
    if (n === undefined) {
      bad(field, amountProblem(v, currency));
      return null;
    }
    if (negative && n > 0 && type !== 'credit') {
      bad(field, `"${v}" is negative; only a credit memo's amounts may be`);
      return null;
    }
    return { value: n, negative: negative && n > 0 };
  };
  const amount = money('amount');
  const open = money('open_amount');
  if (amount && open) {
    if (amount.value > 0 && open.value > 0 && amount.negative !== open.negative) {
      bad(
        'open_amount',
        `${record.open_amount} and the amount ${record.amount} differ in sign: give both negative or both positive`,
      );
    } else if (open.value > amount.value) {
      const magnitude = open.negative || amount.negative ? ' (in absolute value)' : '';
      bad('open_amount', `${record.open_amount} is more than the amount ${record.amount}${magnitude}`);
    }
  }
  const po = text('po_number', 100, false);
  const memo = text('memo', 500, false);
  const url = text('document_url', 2000, false);
  if (url && !/^https?:\/\/\S+$/.test(url)) bad('document_url', `"${url}" is not an http(s) URL`);
  if (errors.length > before) return null;
  const t = type as 'invoice' | 'credit';
  const item: ItemInput = {
    id: ledgerItemId(customerId!, t, number!),
    customer_id: customerId!,
    number: number!,
    type: t,
    issue_date: issueDate!,
    due_date: t === 'invoice' ? dueDate : null,
    currency: currency!,
    amount: amount!.value,
    erp_open_amount: open!.value,
    open_amount: open!.value,
    document_url: url,
    po_number: po,
    memo,
    import_batch: batch,
  };
  const customer: CustomerInput = {
    id: customerId!,
    name: customerName!,
    email,
    currency: currency!,
    region,
    import_batch: batch,
  };
  return { item, customer };
}

async function writeBatch(
  trx: Tx,
  customers: CustomerInput[],
  items: ItemInput[],
  asOf: Date,
  result: ImportResult,
): Promise<void> {
  if (customers.length) {
    // A customer keeps the currency it was created with; an email or region absent from the file is kept.
    const rows = await trx
      .insertInto('ledger_customers')
      .values(customers)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({
            name: sql`excluded.name`,
            email: sql`coalesce(excluded.email, ledger_customers.email)`,
            region: sql`coalesce(excluded.region, ledger_customers.region)`,
            import_batch: sql`excluded.import_batch`,
            updated_at: sql`now()`,
          })
          .where(
            sql<boolean>`(ledger_customers.name, ledger_customers.email, ledger_customers.region) is distinct from
              (excluded.name, coalesce(excluded.email, ledger_customers.email), coalesce(excluded.region, ledger_customers.region))`,
          ),
      )
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .execute();
    for (const r of rows) {
      if (r.inserted) result.customersInserted += 1;
      else result.customersUpdated += 1;
    }
  }
  const rows = await trx
    .insertInto('ledger_items')
    .values(items)
    .onConflict((oc) =>
      oc
        .columns(['customer_id', 'number', 'type'])
        .doUpdateSet({
          amount: sql`excluded.amount`,
          erp_open_amount: sql`excluded.erp_open_amount`,
          open_amount: openBalance(sql`excluded.amount`, sql`excluded.erp_open_amount`, asOf),
          issue_date: sql`excluded.issue_date`,
          due_date: sql`excluded.due_date`,
          currency: sql`excluded.currency`,
          document_url: sql`excluded.document_url`,
          po_number: sql`excluded.po_number`,
          memo: sql`excluded.memo`,
          import_batch: sql`excluded.import_batch`,
          updated_at: sql`now()`,
        })
        .where(
          // A row the file restates unchanged is still written when its open balance is not what the
          // rules give (a reversal since gave back money the ERP's unchanged figure says is paid).
          sql<boolean>`(ledger_items.amount, ledger_items.erp_open_amount, ledger_items.issue_date, ledger_items.due_date,
              ledger_items.currency, ledger_items.document_url, ledger_items.po_number, ledger_items.memo)
            is distinct from (excluded.amount, excluded.erp_open_amount, excluded.issue_date, excluded.due_date,
              excluded.currency, excluded.document_url, excluded.po_number, excluded.memo)
            or ledger_items.open_amount is distinct from ${openBalance(sql`excluded.amount`, sql`excluded.erp_open_amount`, asOf)}`,
        ),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
  for (const r of rows) {
    if (r.inserted) result.inserted += 1;
    else result.updated += 1;
  }
}

/**
 * The open balance of the ledger_items row being written, from the ERP's figure: that figure minus
 * Settle's postings the ERP cannot have had when it exported the file (not reversed, not exported
 * before asOf), plus postings it had (exported before asOf) whose reversal it had not (the ERP
 * still shows them paid), within 0..amount. Posting lines are never changed: what Settle took stays
 * recorded for the export and for a reversal.
 */
function openBalance(
  amount: RawBuilder<unknown>,
  erpOpen: RawBuilder<unknown>,
  asOf: Date,
  item: RawBuilder<unknown> = sql`ledger_items.id`,
): RawBuilder<number> {
  const at = sql`${asOf.toISOString()}::timestamptz`;
  return sql<number>`least(${amount}, greatest(0, ${erpOpen} - coalesce((
    select sum(case
      when p.reversed_at is null then
        case when p.exported_at is null or p.exported_at > ${at} then l.taken else 0 end
      when p.exported_at <= ${at} and (p.reversal_exported_at is null or p.reversal_exported_at > ${at})
        then -l.taken
      else 0 end)
    from ledger_posting_lines l
    join ledger_postings p on p.payment_id = l.payment_id
    where l.item_id = ${item}), 0)))`;
}

/** The ids of a complete import's rows, for closeAbsent; gone with the transaction. */
async function createSeenTable(trx: Tx): Promise<void> {
  await sql`create temporary table ledger_import_seen (id text primary key) on commit drop`.execute(trx);
}

async function markSeen(trx: Tx, items: ItemInput[]): Promise<void> {
  await sql`insert into ledger_import_seen (id) select unnest(${items.map((i) => i.id)}::text[])`.execute(trx);
}

/**
 * A complete import, once every row is written: a document of a (customer, currency) pair the
 * file lists but absent from the file is closed as if the file listed it with open amount 0:
 * erp_open_amount 0, and open_amount by openBalance from 0 (0, unless a reversal of a payment the
 * ERP has had is not yet exported: the payer owes that again). Only documents this changes are
 * touched: open on the ERP's side, or with an open balance the rules no longer give (a reversal
 * exported since the ERP closed it). One statement, whatever the size of the file. Settle's
 * on-account credits are not the ERP's and are never closed. A second run finds nothing.
 */
async function closeAbsent(trx: Tx, asOf: Date, batch: string, result: ImportResult): Promise<void> {
  const { rows } = await sql<ClosedDocument & { total: number }>`
    with pairs as (
      select distinct i.customer_id, i.currency
      from ledger_items i join ledger_import_seen s on s.id = i.id
    ), absent as (
      select t.id, t.erp_open_amount, t.open_amount as previous_open_amount,
        ${openBalance(sql`t.amount`, sql`0`, asOf, sql`t.id`)} as open_amount
      from ledger_items t join pairs on pairs.customer_id = t.customer_id and pairs.currency = t.currency
      where not exists (select 1 from ledger_import_seen s where s.id = t.id)
        and not exists (select 1 from ledger_postings o where o.on_account_item_id = t.id)
    ), closing as (
      select * from absent where erp_open_amount > 0 or previous_open_amount is distinct from open_amount
    ), closed as (
      update ledger_items
      set erp_open_amount = 0, open_amount = closing.open_amount, import_batch = ${batch}, updated_at = now()
      from closing
      where ledger_items.id = closing.id
      returning ledger_items.customer_id, ledger_items.type, ledger_items.number, ledger_items.currency,
        ledger_items.open_amount, closing.previous_open_amount
    )
    select *, (count(*) over ())::int as total from closed
    order by customer_id, currency, type, number
    limit ${CLOSED_LISTED}`.execute(trx);
  result.closed = rows[0]?.total ?? 0;
  result.closedFirst = rows.map(({ total: _, ...doc }) => doc);
}

/**
 * Now, when nothing was handed to the ERP since the last import (every choice of as-of then gives
 * the same balances); otherwise the caller must say when the ERP exported the file.
 */
async function defaultAsOf(trx: Tx): Promise<Date> {
  const { rows } = await sql<{ exported: Date | null; imported: Date | null }>`
    select (select max(greatest(exported_at, reversal_exported_at)) from ledger_postings) as exported,
           (select max(imported_at) from ledger_imports) as imported`.execute(trx);
  const { exported, imported } = rows[0]!;
  if (exported && (!imported || new Date(exported) >= new Date(imported))) {
    throw new LedgerAsOfRequiredError(
      `payments were exported (ledger export-payments) at ${new Date(exported).toISOString()}, ` +
        `${imported ? `after the last import (${new Date(imported).toISOString()})` : 'and nothing was imported since'}: ` +
        'say when the ERP produced this file with --as-of <ISO time>, so the ledger knows whether it includes them',
    );
  }
  return new Date();
}

/** An item with postings keeps its currency: the postings' amounts are in it. */
async function checkCurrencies(
  trx: Tx,
  items: ItemInput[],
  lines: Map<string, number>,
  addError: (e: RowError) => void,
): Promise<void> {
  const rows = await trx
    .selectFrom('ledger_items as i')
    .select(['i.id', 'i.customer_id', 'i.type', 'i.number', 'i.currency'])
    .where(
      'i.id',
      'in',
      items.map((i) => i.id),
    )
    .where((eb) =>
      eb.exists(eb.selectFrom('ledger_posting_lines as l').select('l.item_id').whereRef('l.item_id', '=', 'i.id')),
    )
    .execute();
  const current = new Map(rows.map((r) => [r.id, r]));
  for (const item of items) {
    const was = current.get(item.id);
    if (was && was.currency !== item.currency) {
      addError({
        line: lines.get(`${item.customer_id}\u0000${item.type}\u0000${item.number}`) ?? 0,
        field: 'currency',
        message: `${item.type} ${item.number} has Settle payments in ${was.currency}; its currency cannot change to ${item.currency}`,
      });
    }
  }
}
