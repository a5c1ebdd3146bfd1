import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { type ColumnType, type Generated, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { MIGRATIONS } from './migrations.js';

type Json = ColumnType<unknown, string, string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Amount = ColumnType<number, number, number>;

export interface Database {
  merchants: {
    id: string;
    name: string;
    mode: string;
    secret_key_hash: string;
    rules: Json;
    return_url: string | null;
    signing_key: string | null;
    created_at: Timestamp;
  };
  sessions: {
    id: string;
    merchant_id: string;
    customer_id: string;
    currency: string;
    token_hash: string;
    snapshot: Json;
    preselected: Json;
    expires_at: Timestamp;
    created_at: Timestamp;
    /** Set by migration 5: the pay link that minted this session. */
    pay_link_id: Generated<string | null>;
  };
  payments: {
    id: string;
    merchant_id: string;
    session_id: string;
    customer_id: string;
    status: string;
    currency: string;
    method: string;
    amount: Amount;
    quote: Json;
    payment_method: Json | null;
    failure: Json | null;
    erp_status: Generated<string>;
    erp_reference: string | null;
    processor: string;
    intent_id: string | null;
    token: string;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  payment_allocations: { payment_id: string; kind: 'invoice' | 'credit'; item_id: string; amount: Amount };
  payment_events: {
    id: Generated<number>;
    payment_id: string;
    kind: string;
    from_state: string | null;
    to_state: string;
    cause: string;
    at: Timestamp;
  };
  idempotency_keys: {
    merchant_id: string;
    key: string;
    request_hash: string;
    payment_id: string;
    created_at: Timestamp;
  };
  sandbox_tokens: {
    id: string;
    merchant_id: string;
    session_id: string;
    summary: Json;
    scenario: string;
    created_at: Timestamp;
  };
  sandbox_intents: {
    id: string;
    payment_id: string;
    amount: Amount;
    currency: string;
    token: string;
    status: string;
    failure: Json | null;
    created_at: Timestamp;
  };
  stripe_intents: {
    payment_id: string;
    intent_id: string | null;
    status: string;
    mandate: Json | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  stripe_tokens: {
    token: string;
    merchant_id: string;
    session_id: string;
    summary: Json | null;
    created_at: Timestamp;
  };
  stripe_events: {
    id: string;
    type: string;
    payment_id: string | null;
    received_at: Timestamp;
  };
  outbox: {
    id: Generated<number>;
    kind: string;
    payload: Json;
    dedupe_key: string | null;
    status: Generated<string>;
    run_at: Timestamp;
    attempts: Generated<number>;
    last_error: string | null;
    locked_by: string | null;
    locked_until: Timestamp | null;
    created_at: Timestamp;
    done_at: Timestamp | null;
  };
  pay_links: {
    id: string;
    merchant_id: string;
    customer_id: string;
    invoice_ids: Json;
    expires_at: Timestamp;
    created_at: Timestamp;
    revoked_at: Timestamp | null;
  };
  reminders: {
    id: string;
    merchant_id: string;
    customer_id: string;
    invoice_ids: Json;
    pay_link_id: string;
    message: string | null;
    idempotency_key: string;
    request_hash: string;
    status: Generated<string>;
    created_at: Timestamp;
    sent_at: Timestamp | null;
  };
  payer_signals: {
    id: Generated<number>;
    merchant_id: string;
    customer_id: string;
    session_id: string;
    pay_link_id: string | null;
    kind: string;
    invoice_id: string | null;
    payment_id: string | null;
    dedupe_key: string;
    at: Timestamp;
  };
  webhook_endpoints: {
    id: string;
    merchant_id: string;
    url: string;
    secret: string;
    enabled_events: Json | null;
    description: string | null;
    created_at: Timestamp;
    disabled_at: Timestamp | null;
  };
  webhook_deliveries: {
    id: string;
    endpoint_id: string;
    merchant_id: string;
    event_id: string;
    event_type: string;
    payment_id: string;
    status: Generated<string>;
    attempts: Generated<number>;
    last_status_code: number | null;
    last_error: string | null;
    created_at: Timestamp;
    last_attempt_at: Timestamp | null;
    delivered_at: Timestamp | null;
  };
  /** Migration 8: the SQL ledger ERP adapter (erp/sql-ledger.ts). */
  ledger_customers: {
    id: string;
    name: string;
    email: string | null;
    currency: string;
    region: string | null;
    import_batch: string | null;
    updated_at: Generated<Date>;
  };
  ledger_items: {
    id: string;
    customer_id: string;
    number: string;
    type: 'invoice' | 'credit';
    issue_date: string;
    due_date: string | null;
    currency: string;
    amount: Amount;
    erp_open_amount: Amount;
    open_amount: Amount;
    document_url: string | null;
    po_number: string | null;
    memo: string | null;
    import_batch: string | null;
    updated_at: Generated<Date>;
  };
  ledger_postings: {
    payment_id: string;
    erp_reference: string;
    customer_id: string;
    currency: string;
    date: string;
    method: string;
    cash_amount: Amount;
    surcharge_amount: Amount;
    unapplied_amount: Amount;
    reference: string;
    on_account_item_id: string | null;
    posted_at: Generated<Date>;
    reversed_at: Timestamp | null;
    reversal_reason: string | null;
    exported_at: Timestamp | null;
    reversal_exported_at: Timestamp | null;
  };
  ledger_imports: { batch: string; as_of: Timestamp; imported_at: Generated<Date> };
  ledger_posting_lines: {
    payment_id: string;
    item_id: string;
    cash: Amount;
    credit: Amount;
    deduction: Amount;
    taken: Amount;
  };
  ledger_deductions: {
    id: Generated<number>;
    payment_id: string;
    customer_id: string;
    invoice_id: string;
    currency: string;
    amount: Amount;
    reason_code: string;
    erp_reason_code: string | null;
    note: string | null;
    date: string;
  };
  schema_migrations: { version: number; name: string; applied_at: Timestamp };
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type Executor = Db | Tx;

export interface StoreOptions {
  /** A PostgreSQL URL; when null, PGlite in `dataDir` (or in memory when dataDir is null). */
  databaseUrl: string | null;
  dataDir: string | null;
}

const INT8 = 20;
const NUMERIC = 1700;

/** Opens the store: PostgreSQL when a URL is given, embedded PGlite otherwise; migrates it. */
export async function openStore(options: StoreOptions): Promise<Db> {
  let db: Db;
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // A connection the database dropped (a restart, a failover, an admin's terminate) is an 'error'
    // event: on the pool while idle, on the client while checked out (inside a transaction). Either
    // one unheard would end the process; the query in flight fails by itself, which is what reports.
    pool.on('error', () => {});
    // bigint columns hold minor units that the schema keeps within the safe integer range.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      client.setTypeParser(INT8, (v: string) => Number(v));
      client.setTypeParser(NUMERIC, (v: string) => Number(v));
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
    const parsers = { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) };
    const pglite = options.dataDir ? new PGlite(options.dataDir, { parsers }) : new PGlite({ parsers });
    await pglite.waitReady;
    db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  }
  await migrate(db);
  return db;
}

/** Applies pending migrations under an advisory lock, so instances starting together agree. */
export async function migrate(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(4242)`.execute(trx);
    await sql`create table if not exists schema_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`.execute(trx);
    const done = new Set((await trx.selectFrom('schema_migrations').select('version').execute()).map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      // One statement per query: prepared statements (PGlite, pg with parameters) take only one.
      for (const statement of m.sql.split(/;\s*$/m)) {
        if (statement.replace(/--.*$/gm, '').trim()) await sql.raw(statement).execute(trx);
      }
      await trx.insertInto('schema_migrations').values({ version: m.version, name: m.name }).execute();
    }
  });
}

/** Serializes work on one customer's items across transactions and server instances. */
export async function lockCustomer(trx: Tx, merchantId: string, customerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${JSON.stringify([merchantId, customerId])}, 0))`.execute(
    trx,
  );
}

/**
 * Serializes requests carrying one Idempotency-Key, whichever customer they name (a key is
 * scoped to the merchant). Taken before lockCustomer, always in that order.
 */
export async function lockIdempotencyKey(trx: Tx, merchantId: string, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${JSON.stringify(['idempotency', merchantId, key])}, 0))`.execute(
    trx,
  );
}

/** JSON for a jsonb column. */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** jsonb comes back parsed from both drivers; this narrows its type at the boundary. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
