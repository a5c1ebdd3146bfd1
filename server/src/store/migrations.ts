/**
 * One list of migrations for PGlite and PostgreSQL alike. Append only: a released
 * migration is never edited. Amounts are bigint minor units, parsed back to JS numbers
 * (always within Number.MAX_SAFE_INTEGER, which the schema enforces on the way in).
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'core',
    sql: `
create table merchants (
  id text primary key,
  name text not null,
  mode text not null,
  secret_key_hash text not null unique,
  rules jsonb not null,
  return_url text,
  created_at timestamptz not null default now()
);

create table sessions (
  id text primary key,
  merchant_id text not null references merchants(id),
  customer_id text not null,
  currency text not null,
  token_hash text not null unique,
  snapshot jsonb not null,
  preselected jsonb not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);

create table payments (
  id text primary key,
  merchant_id text not null references merchants(id),
  session_id text not null references sessions(id),
  customer_id text not null,
  status text not null,
  currency text not null,
  method text not null,
  amount bigint not null check (amount >= 0),
  quote jsonb not null,
  payment_method jsonb,
  failure jsonb,
  erp_status text not null default 'none',
  erp_reference text,
  processor text not null,
  intent_id text,
  token text not null,
  -- millisecond precision, so a JS Date in a page cursor compares exactly
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz not null default now()
);
create index payments_customer on payments (merchant_id, customer_id, created_at desc);
create index payments_created on payments (merchant_id, created_at desc, id desc);
-- The payments that reserve what they allocate (services/sessions.ts reservations()).
create index payments_reserving on payments (merchant_id, customer_id)
  where status in ('requires_confirmation', 'processing') or (status = 'succeeded' and erp_status in ('pending', 'parked'));

-- What each payment allocates; in-flight payments reserve these amounts.
create table payment_allocations (
  payment_id text not null references payments(id),
  kind text not null check (kind in ('invoice', 'credit')),
  item_id text not null,
  amount bigint not null check (amount >= 0),
  primary key (payment_id, kind, item_id)
);

create table payment_events (
  id bigserial primary key,
  payment_id text not null references payments(id),
  kind text not null,
  from_state text,
  to_state text not null,
  cause text not null,
  at timestamptz not null default now()
);
create index payment_events_payment on payment_events (payment_id, id);

create table idempotency_keys (
  merchant_id text not null,
  key text not null,
  request_hash text not null,
  payment_id text not null references payments(id),
  created_at timestamptz not null default now(),
  primary key (merchant_id, key)
);

-- The sandbox processor's own records: a token keeps the card or bank summary, never its number.
create table sandbox_tokens (
  id text primary key,
  merchant_id text not null,
  session_id text not null,
  summary jsonb not null,
  scenario text not null,
  created_at timestamptz not null default now()
);

create table sandbox_intents (
  id text primary key,
  payment_id text not null unique,
  amount bigint not null,
  currency text not null,
  token text not null,
  status text not null,
  failure jsonb,
  created_at timestamptz not null default now()
);

create table outbox (
  id bigserial primary key,
  kind text not null,
  payload jsonb not null,
  dedupe_key text unique,
  status text not null default 'pending',
  run_at timestamptz not null default now(),
  attempts integer not null default 0,
  last_error text,
  locked_by text,
  locked_until timestamptz,
  created_at timestamptz not null default now(),
  done_at timestamptz
);
create index outbox_due on outbox (run_at) where status = 'pending';
`,
  },
  {
    version: 2,
    name: 'stripe',
    sql: `
-- A payment waiting for the payer (3-D Secure, microdeposits) reserves what it allocates too.
drop index payments_reserving;
create index payments_reserving on payments (merchant_id, customer_id)
  where status in ('requires_confirmation', 'requires_action', 'processing')
     or (status = 'succeeded' and erp_status in ('pending', 'parked'));

-- The Stripe processor's lookup state: one PaymentIntent per Settle payment. The mandate is
-- kept so a retried create sends the very same parameters under the same idempotency key.
create table stripe_intents (
  payment_id text primary key,
  intent_id text unique,
  status text not null,
  mandate jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Which session first used a ConfirmationToken (a token is good for that session only), and
-- its card or bank summary, which does not change: paying needs no second look-up.
create table stripe_tokens (
  token text primary key,
  merchant_id text not null,
  session_id text not null,
  summary jsonb,
  created_at timestamptz not null default now()
);

-- Webhook events already accepted, for de-duplication by event id.
create table stripe_events (
  id text primary key,
  type text not null,
  payment_id text,
  received_at timestamptz not null default now()
);
`,
  },
  {
    version: 3,
    name: 'signing',
    sql: `
-- The key that signs links carrying no bearer secret (pay links, document downloads). Made on
-- first use by whichever instance comes first (update ... where signing_key is null), and shared
-- by all instances through the database, so no setting has to be kept equal across them.
alter table merchants add column signing_key text;
`,
  },
  {
    version: 4,
    name: 'webhooks',
    sql: `
-- Where a merchant wants payment events POSTed. The secret signs each delivery (HMAC, so it is
-- kept as is); it is shown once, when the endpoint is made. enabled_events null: every event.
create table webhook_endpoints (
  id text primary key,
  merchant_id text not null references merchants(id),
  url text not null,
  secret text not null,
  enabled_events jsonb,
  description text,
  created_at timestamptz(3) not null default now(),
  disabled_at timestamptz(3)
);
create index webhook_endpoints_merchant on webhook_endpoints (merchant_id, created_at desc);

-- One event for one endpoint, and how its attempts went; the outbox job does the retrying.
create table webhook_deliveries (
  id text primary key,
  endpoint_id text not null references webhook_endpoints(id),
  merchant_id text not null references merchants(id),
  event_id text not null,
  event_type text not null,
  payment_id text not null,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed', 'canceled')),
  attempts integer not null default 0,
  last_status_code integer,
  last_error text,
  created_at timestamptz(3) not null default now(),
  last_attempt_at timestamptz(3),
  delivered_at timestamptz(3),
  unique (endpoint_id, event_id)
);
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at desc, id desc);
`,
  },
  {
    version: 5,
    name: 'pay_links_signals',
    sql: `
-- Pay links issued by the merchant API. The link itself is a signed token that carries its own
-- claims (services/pay-links.ts); this row is the merchant's record of it, to list per customer.
create table pay_links (
  id text primary key,
  merchant_id text not null references merchants(id),
  customer_id text not null,
  invoice_ids jsonb not null,
  expires_at timestamptz not null,
  created_at timestamptz(3) not null default now()
);
create index pay_links_customer on pay_links (merchant_id, customer_id, created_at desc);

-- The session a pay link minted, so what its payer does is tied to the link.
alter table sessions add column pay_link_id text;

-- What payers did (services/signals.ts): ids and times only, never card or bank details.
-- dedupe_key makes each signal happen once (per session, session and invoice, or payment).
create table payer_signals (
  id bigserial primary key,
  merchant_id text not null references merchants(id),
  customer_id text not null,
  session_id text not null references sessions(id),
  pay_link_id text,
  kind text not null check (kind in ('session_opened', 'invoice_viewed', 'payment_started', 'paid', 'abandoned')),
  invoice_id text,
  payment_id text,
  dedupe_key text not null unique,
  at timestamptz(3) not null default now()
);
create index payer_signals_customer on payer_signals (merchant_id, customer_id, id desc);
`,
  },
  {
    version: 6,
    name: 'reminders',
    sql: `
-- Past-due reminders a collector sent through the merchant API (services/reminders.ts): which
-- invoices, which pay link the mail carried, and how the mail went. The Idempotency-Key and a
-- hash of the request make a retried POST return the same reminder and send nothing new.
create table reminders (
  id text primary key,
  merchant_id text not null references merchants(id),
  customer_id text not null,
  invoice_ids jsonb not null,
  pay_link_id text not null references pay_links(id),
  message text,
  idempotency_key text not null,
  request_hash text not null,
  status text not null default 'queued' check (status in ('queued', 'sent', 'skipped')),
  created_at timestamptz(3) not null default now(),
  sent_at timestamptz(3),
  unique (merchant_id, idempotency_key)
);
create index reminders_customer on reminders (merchant_id, customer_id, created_at desc);
`,
  },
  {
    version: 7,
    name: 'pay_link_revocation',
    sql: `
-- A merchant withdraws a pay link it sent (services/pay-links.ts): the token still verifies,
-- so opening a link also requires its row, and one with revoked_at set opens nothing.
alter table pay_links add column revoked_at timestamptz(3);
`,
  },
  {
    version: 8,
    name: 'sql_ledger',
    sql: `
-- The SQL ledger ERP adapter (erp/sql-ledger.ts, docs/sql-ledger.md): the merchant's AR mirrored
-- in Settle's own store, filled by \`ledger import\` from an AR-aging CSV. Amounts are minor units.
create table ledger_customers (
  id text primary key,
  name text not null,
  email text,
  currency text not null,
  region text,
  import_batch text,
  updated_at timestamptz(3) not null default now()
);
-- Invoices and credit memos. erp_open_amount is the open amount the last import brought (the
-- ERP's figure); open_amount is the live balance after Settle's postings.
create table ledger_items (
  id text primary key,
  customer_id text not null references ledger_customers(id),
  number text not null,
  type text not null check (type in ('invoice', 'credit')),
  issue_date text not null,
  due_date text,
  currency text not null,
  amount bigint not null check (amount >= 0),
  erp_open_amount bigint not null check (erp_open_amount >= 0),
  open_amount bigint not null check (open_amount >= 0 and open_amount <= amount),
  document_url text,
  po_number text,
  memo text,
  import_batch text,
  updated_at timestamptz(3) not null default now(),
  unique (customer_id, number, type)
);
create index ledger_items_open on ledger_items (customer_id, type) where open_amount > 0;
create sequence ledger_receipt_seq;
create table ledger_postings (
  payment_id text primary key,
  erp_reference text not null unique,
  customer_id text not null,
  currency text not null,
  date text not null,
  method text not null,
  cash_amount bigint not null,
  surcharge_amount bigint not null,
  unapplied_amount bigint not null,
  reference text not null,
  on_account_item_id text,
  posted_at timestamptz(3) not null default now(),
  reversed_at timestamptz(3),
  reversal_reason text,
  -- First handed to the ERP by \`ledger export-payments\`; until then an import keeps it on top of the ERP's figures.
  exported_at timestamptz(3)
);
create index ledger_postings_posted on ledger_postings (posted_at);
-- What one posting changed on one item, so a reversal restores exactly that: for an invoice the
-- cash, credit and deduction applied to it; for a credit memo the credit consumed (in credit).
create table ledger_posting_lines (
  payment_id text not null references ledger_postings(payment_id),
  item_id text not null references ledger_items(id),
  cash bigint not null,
  credit bigint not null,
  deduction bigint not null,
  taken bigint not null,
  primary key (payment_id, item_id)
);
create index ledger_posting_lines_item on ledger_posting_lines (item_id);
create table ledger_deductions (
  id bigserial primary key,
  payment_id text not null references ledger_postings(payment_id),
  customer_id text not null,
  invoice_id text not null references ledger_items(id),
  currency text not null,
  amount bigint not null check (amount > 0),
  reason_code text not null,
  erp_reason_code text,
  note text,
  date text not null
);
create index ledger_deductions_payment on ledger_deductions (payment_id);
`,
  },
  {
    version: 9,
    name: 'ledger_reversal_export',
    sql: `
-- A reversal handed to the ERP by \`ledger export-payments\` (docs/sql-ledger.md): until then an
-- import adds an exported-then-reversed posting back on top of the ERP's figure (the ERP still has it).
alter table ledger_postings add column reversal_exported_at timestamptz(3);
-- One row per written \`ledger import\`: an import without --as-of refuses when postings were
-- exported since the last one (the file may or may not include them).
create table ledger_imports (
  batch text primary key,
  as_of timestamptz(3) not null,
  imported_at timestamptz(3) not null default now()
);
`,
  },
];
