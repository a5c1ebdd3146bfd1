/**
 * `ledger import` / `ledger export-payments` run as the merchant runs them (a child process on the
 * server's store), and the import rules checked in process against PGlite and PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CreateSessionResponseSchema, PaymentMethodTokenSchema, PaymentSchema } from '@settle/schema';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerCsv } from '../bench/ledger-data.js';
import { exportLedgerPayments } from '../src/erp/ledger-export.js';
import { formatRowError, importLedgerCsv, LedgerAsOfRequiredError, LedgerFileError } from '../src/erp/ledger-import.js';
import { type ErpPosting, ErpRejectedError } from '../src/erp/port.js';
import { ledgerDataDir, ledgerItemId, openSqlLedger, SqlLedgerErp } from '../src/erp/sql-ledger.js';
import { type Db, openStore } from '../src/store/db.js';
import {
  call,
  cashPosting,
  freshPostgresDatabase,
  STORES,
  type StoreKind,
  startTestServer,
  waitFor,
} from './harness.js';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = join(serverDir, 'node_modules/.bin/tsx');
const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'settle-ledger-'));
  temps.push(dir);
  return dir;
}

/** Where a CLI run keeps its ledger: a PGlite folder, or a fresh PostgreSQL database. */
async function storeEnv(store: StoreKind): Promise<Record<string, string>> {
  return store === 'postgres'
    ? { DATABASE_URL: await freshPostgresDatabase() }
    : { SETTLE_DATA_DIR: join(await tempDir(), 'data') };
}

async function openEnvStore(env: Record<string, string>): Promise<Db> {
  return openStore({
    databaseUrl: env.DATABASE_URL ?? null,
    dataDir: env.DATABASE_URL ? null : ledgerDataDir(env.SETTLE_DATA_DIR!),
  });
}

function ledger(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['src/erp/ledger-cli.ts', ...args], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every row of the ledger, hashed: equal checksums mean not one value (nor updated_at) moved. */
async function checksum(db: Db): Promise<{ items: number; customers: number; hash: string }> {
  const { rows } = await sql<{ items: number; customers: number; hash: string }>`
    select (select count(*)::int from ledger_items) as items,
           (select count(*)::int from ledger_customers) as customers,
           md5(coalesce((select string_agg(t::text, ',' order by t.id) from ledger_items t), '') ||
               coalesce((select string_agg(c::text, ',' order by c.id) from ledger_customers c), '')) as hash`.execute(
    db,
  );
  return rows[0]!;
}

const PROGRESS = /^ledger import: \d+%, [\d,]+ rows, [\d,]+ rows\/s$/m;

describe.each(STORES)('ledger CLI on %s', (store) => {
  it('imports 100,000 rows with progress, and a second import of the file changes nothing', {
    timeout: 240_000,
  }, async () => {
    const env = await storeEnv(store);
    const file = join(await tempDir(), 'aging.csv');
    await writeFile(file, ledgerCsv(100_000));

    const first = await ledger(['import', file], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/100000 rows: 100000 new, 0 changed, 0 unchanged; customers: 5000 new/);
    expect(first.stderr.match(new RegExp(PROGRESS, 'gm'))?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(first.stderr).toMatch(/ledger import: 100%, 100,000 rows/);

    let db = await openEnvStore(env);
    const before = await checksum(db);
    expect(before).toMatchObject({ items: 100_000, customers: 5000 });
    const sample = await db
      .selectFrom('ledger_items')
      .selectAll()
      .where('id', '=', ledgerItemId('C-000000', 'invoice', 'INV-1'))
      .executeTakeFirstOrThrow();
    // Row 1: 10,000 + 7,919 cents, less 31 % 3 * 1,000 open; "179.19" parsed exactly, no floats.
    expect(sample).toMatchObject({ amount: 17_919, open_amount: 16_919, due_date: '2025-02-02', po_number: 'PO-1' });
    await db.destroy();

    const second = await ledger(['import', file], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/100000 rows: 0 new, 0 changed, 100000 unchanged; customers: 0 new, 0 changed/);
    db = await openEnvStore(env);
    expect(await checksum(db)).toEqual(before);
    await db.destroy();
  });

  it('names the line and field of every bad row, exits non-zero and imports nothing', { timeout: 60_000 }, async () => {
    const env = await storeEnv(store);
    const dir = await tempDir();
    // 2,500 good rows first, so batches were written before the bad rows turn up: all are rolled back.
    const good = ledgerCsv(2_500).trimEnd().split('\n');
    const bad = [
      'C-9,Bad Co,,INV-X1,invoice,2025-01-05,2025-02-04,USD,10.005,1.00,,',
      'C-9,Bad Co,,INV-X2,bill,2025-13-05,2025-02-04,USD,-5,1.00,,',
      'C-9,Bad Co,not-an-email,INV-X3,invoice,2025-01-05,,JPY,100.5,abc,,',
      'C-9,Bad Co,,INV-X4,invoice,2025-01-05,2025-02-04,USD,10.00,20.00,,',
      ',Bad Co,,INV-X5,invoice,2025-01-05,2025-02-04,USD,10.00,5.00,,',
      'C-000000,x,,INV-1,invoice,2025-01-05,2025-02-04,USD,10.00,5.00,,',
      'C-9,Bad Co,,CM-X7,credit,2025-01-05,,USD,-10.00,5.00,,',
    ];
    const file = join(dir, 'bad.csv');
    await writeFile(file, `${[...good, ...bad].join('\n')}\n`);
    const run = await ledger(['import', file], env);
    expect(run.code).toBe(1);
    const n = good.length; // the header is line 1, so bad row i is on line n + 1 + i
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('line '));
    expect(lines).toEqual([
      `line ${n + 1}: amount: "10.005" has 3 decimals; USD has 2`,
      `line ${n + 2}: type: "bill" is neither invoice nor credit`,
      `line ${n + 2}: issue_date: "2025-13-05" is not a date (YYYY-MM-DD)`,
      `line ${n + 2}: amount: "-5" is negative; only a credit memo's amounts may be`,
      `line ${n + 3}: customer_email: "not-an-email" is not an email address`,
      `line ${n + 3}: due_date: is missing`,
      `line ${n + 3}: amount: "100.5" has 1 decimals; JPY has 0`,
      `line ${n + 3}: open_amount: "abc" is not a number`,
      `line ${n + 4}: open_amount: 20.00 is more than the amount 10.00`,
      `line ${n + 5}: customer_id: is missing`,
      `line ${n + 6}: document_number: invoice INV-1 of customer C-000000 is already on line 3`,
      `line ${n + 7}: open_amount: 5.00 and the amount -10.00 differ in sign: give both negative or both positive`,
    ]);
    expect(run.stderr).toMatch(/7 bad rows in .*bad\.csv: nothing imported/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const db = await openEnvStore(env);
    expect(await checksum(db)).toMatchObject({ items: 0, customers: 0 });
    await db.destroy();

    const header = join(dir, 'header.csv');
    await writeFile(header, 'customer,number,amount\nC-1,INV-1,10.00\n');
    const wrong = await ledger(['import', header], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/line 1: header: missing columns customer_id, customer_name, document_number/);
    const usage = await ledger(['import'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/import takes one CSV file/);
  });

  it('with --complete closes what the next aging no longer lists, for its customers and currencies only', {
    timeout: 60_000,
  }, async () => {
    const env = await storeEnv(store);
    const dir = await tempDir();
    const header = 'customer_id,customer_name,document_number,type,issue_date,due_date,currency,amount,open_amount';
    const inv1 = 'C-1,Acme,INV-1,invoice,2025-01-05,2025-02-04,USD,100.00,100.00';
    const first = join(dir, 'first.csv');
    await writeFile(
      first,
      `${[
        header,
        inv1,
        'C-1,Acme,INV-2,invoice,2025-01-06,2025-02-05,USD,50.00,40.00',
        'C-1,Acme,CM-1,credit,2025-01-07,,USD,-20.00,-20.00',
        'C-1,Acme,INV-E,invoice,2025-01-08,2025-02-07,EUR,70.00,70.00',
        'C-2,Zed,INV-9,invoice,2025-01-09,2025-02-08,USD,10.00,10.00',
      ].join('\n')}\n`,
    );
    // The ERP's next aging, of C-1 in USD only: INV-2 was paid there and CM-1 used up; INV-3 is new.
    const next = join(dir, 'next.csv');
    await writeFile(
      next,
      `${[header, inv1, 'C-1,Acme,INV-3,invoice,2025-03-01,2025-03-31,USD,30.00,30.00'].join('\n')}\n`,
    );
    expect((await ledger(['import', first], env)).code).toBe(0);
    const opens = async () => {
      const db = await openEnvStore(env);
      try {
        const rows = await db.selectFrom('ledger_items').select(['number', 'erp_open_amount', 'open_amount']).execute();
        return Object.fromEntries(rows.map((r) => [r.number, [r.erp_open_amount, r.open_amount]]));
      } finally {
        await db.destroy();
      }
    };
    const sum = async () => {
      const db = await openEnvStore(env);
      try {
        return await checksum(db);
      } finally {
        await db.destroy();
      }
    };

    // Without --complete, a document the file leaves out stays as it is.
    const plain = await ledger(['import', next], env);
    expect(plain.stdout).toMatch(/: 2 rows: 1 new, 0 changed, 1 unchanged; customers/);
    const before = await sum();

    const dry = await ledger(['import', next, '--complete', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /^Dry run \(nothing written\): 2 rows: 0 new, 0 changed, 2 unchanged, 2 closed \(complete for the file's 1 customer\/currency pair; others untouched\);/,
    );
    expect(dry.stderr.split('\n').filter((l) => /close/.test(l))).toEqual([
      'ledger import: would close credit CM-1 of customer C-1, open USD 20.00 -> 0.00',
      'ledger import: would close invoice INV-2 of customer C-1, open USD 40.00 -> 0.00',
    ]);
    expect(await sum()).toEqual(before);

    const run = await ledger(['import', next, '--complete'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Imported: 2 rows: 0 new, 0 changed, 2 unchanged, 2 closed .*, batch imp_/);
    expect(run.stderr).toMatch(/^ledger import: closed invoice INV-2 of customer C-1, open USD 40.00 -> 0.00$/m);
    expect(await opens()).toEqual({
      'INV-1': [10_000, 10_000],
      'INV-2': [0, 0],
      'CM-1': [0, 0],
      'INV-3': [3_000, 3_000],
      'INV-E': [7_000, 7_000], // C-1 in EUR: not in the file
      'INV-9': [1_000, 1_000], // C-2: not in the file
    });

    const after = await sum();
    const again = await ledger(['import', next, '--complete'], env);
    expect(again.stdout).toMatch(/: 2 rows: 0 new, 0 changed, 2 unchanged, 0 closed /);
    expect(again.stderr).not.toMatch(/close/);
    expect(await sum()).toEqual(after);

    const help = await ledger(['--help'], env);
    expect(help.stdout).toMatch(/--complete +the file lists every open item of each customer and currency in it/);
  });
});

describe('ledger CLI on PGlite while the server has the ledger open', () => {
  it('refuses to open it a second time, naming the process, and runs once it is closed', {
    timeout: 60_000,
  }, async () => {
    const dataDir = join(await tempDir(), 'data');
    const server = await openSqlLedger({ databaseUrl: null, dataDir });
    const file = join(await tempDir(), 'aging.csv');
    await writeFile(file, ledgerCsv(10));
    const refused = await ledger(['import', file], { SETTLE_DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`ledger: the SQL ledger in .*ledger is open in process ${process.pid}`));
    await server.close();
    const run = await ledger(['import', file], { SETTLE_DATA_DIR: dataDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/10 rows: 10 new/);
  });
});

function csvOf(rows: string[][]): Readable {
  const header =
    'customer_id,customer_name,customer_region,document_number,type,issue_date,due_date,currency,amount,open_amount';
  return Readable.from([`${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`]);
}

async function exported(db: Db, options: Parameters<typeof exportLedgerPayments>[2] = {}) {
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += chunk;
      done();
    },
  });
  await exportLedgerPayments(db, sink, options);
  return parse(text, { columns: true }) as Array<Record<string, string>>;
}

describe.each(STORES)('ledger import rules on %s', (store) => {
  it("keeps Settle's postings on top of the ERP's figures until they were exported", async () => {
    const db = await openStore({
      databaseUrl: store === 'postgres' ? await freshPostgresDatabase() : null,
      dataDir: null,
    });
    try {
      const row = (open: string) => [
        'C-1',
        'Acme',
        'US-CT',
        'INV-1',
        'invoice',
        '2025-01-05',
        '2025-02-04',
        'USD',
        '100.00',
        open,
      ];
      expect(await importLedgerCsv(db, csvOf([row('100.00')]))).toMatchObject({ inserted: 1, written: true });
      // Columns of the ERP's own (an aging bucket) are read past and named.
      const extra = Readable.from([
        'customer_id,customer_name,document_number,type,issue_date,currency,amount,open_amount,Aging_Bucket\nC-2,Zed,CM-1,credit,2025-01-05,USD,5.00,5.00,0-30\n',
      ]);
      expect(await importLedgerCsv(db, extra)).toMatchObject({ inserted: 1, ignoredColumns: ['aging_bucket'] });
      const erp = new SqlLedgerErp(db);
      const invoiceId = ledgerItemId('C-1', 'invoice', 'INV-1');
      await erp.postPayment({
        paymentId: 'pay_1',
        customerId: 'C-1',
        currency: 'USD',
        date: '2025-03-14',
        method: 'card',
        cashAmount: 3_000,
        surchargeAmount: 0,
        reference: 'Settle pay_1',
        applications: [{ invoiceId, cash: 3_000, credit: 0, deduction: null }],
        credits: [],
        unappliedAmount: 0,
      });
      const open = async () => (await erp.listOpenItems('C-1')).invoices[0]?.openAmount;

      // The same file again: nothing changes, the payment stays applied.
      expect(await importLedgerCsv(db, csvOf([row('100.00')]))).toMatchObject({ unchanged: 1, updated: 0 });
      expect(await open()).toBe(7_000);
      // The ERP lowered the invoice (a credit there): its figure, less what it has not seen from Settle.
      expect(await importLedgerCsv(db, csvOf([row('90.00')]), { dryRun: true })).toMatchObject({
        updated: 1,
        written: false,
      });
      expect(await open()).toBe(7_000);
      expect(await importLedgerCsv(db, csvOf([row('90.00')]))).toMatchObject({ updated: 1 });
      expect(await open()).toBe(6_000);
      // Handed to the ERP: a later export of it includes the payment, and its figure is taken as is.
      expect(await exported(db)).toHaveLength(1);
      const exportedAt = new Date(Date.now() + 1_000);
      expect(await importLedgerCsv(db, csvOf([row('60.00')]), { asOf: exportedAt })).toMatchObject({ updated: 1 });
      expect(await open()).toBe(6_000);
      // An ERP export taken before the payments were handed over still counts them as pending.
      expect(await importLedgerCsv(db, csvOf([row('90.00')]), { asOf: new Date(0) })).toMatchObject({ updated: 1 });
      expect(await open()).toBe(6_000);
      // Reversed in Settle: the balance returns, as far as the amount allows.
      await erp.reversePayment('pay_1', 'ACH return R01');
      expect(await open()).toBe(9_000);
      expect((await exported(db))[0]).toMatchObject({ payment_id: 'pay_1', reversed: 'true', applied_cash: '30.00' });
    } finally {
      await db.destroy();
    }
  });
});

describe.each(STORES)('export of applied payments on %s (SETTLE_ERP=sql)', (store) => {
  it('lists what a payment through the HTTP API applied, to the cent', { timeout: 60_000 }, async () => {
    // The server's store and the ledger on it, as SETTLE_ERP=sql opens them (erp/select.ts).
    const databaseUrl = store === 'postgres' ? await freshPostgresDatabase() : null;
    const erp = await openSqlLedger({ databaseUrl, dataDir: null });
    const server = await startTestServer({ databaseUrl, erp, config: { erp: { kind: 'sql' } } });
    try {
      expect(server.settle.deps.erp.name).toBe('sql-ledger');
      const db = erp.db;
      const result = await importLedgerCsv(
        db,
        csvOf([
          [
            'C-77',
            'Harbor Goods',
            'US-CT',
            'INV-A',
            'invoice',
            '2025-01-05',
            '2025-02-04',
            'USD',
            '2000.00',
            '2000.00',
          ],
          [
            'C-77',
            'Harbor Goods',
            'US-CT',
            'INV-B',
            'invoice',
            '2025-01-10',
            '2025-02-09',
            'USD',
            '1500.00',
            '1500.00',
          ],
        ]),
      );
      expect(result).toMatchObject({ inserted: 2, written: true });
      const session = await call(server, 'POST', '/v1/sessions', server.secretKey, { customerId: 'C-77' });
      expect(session.status, JSON.stringify(session.body)).toBe(201);
      const token = CreateSessionResponseSchema.parse(session.body).clientToken;
      const card = await call(server, 'POST', '/v1/sandbox/tokens', token, {
        type: 'card',
        number: '4242424242424242',
        expMonth: 12,
        expYear: new Date().getUTCFullYear() + 5,
        cvc: '123',
      });
      const proposal = {
        method: 'card',
        allocations: [
          { invoiceId: ledgerItemId('C-77', 'invoice', 'INV-A'), amount: 200_000 },
          // Short-paid: the rest becomes a deduction with the merchant's reason and the ERP's code.
          { invoiceId: ledgerItemId('C-77', 'invoice', 'INV-B'), amount: 123_456, reasonCode: 'damaged_goods' },
        ],
        paymentMethodToken: PaymentMethodTokenSchema.parse(card.body).id,
      };
      const quote = await call<{ total: number }>(server, 'POST', '/v1/session/quote', token, proposal);
      expect(quote.status, JSON.stringify(quote.body)).toBe(200);
      const paid = await call(
        server,
        'POST',
        '/v1/session/payments',
        token,
        { ...proposal, expectedTotal: quote.body.total },
        {
          'idempotency-key': 'ledger-export-1',
        },
      );
      expect(paid.status, JSON.stringify(paid.body)).toBe(201);
      const payment = PaymentSchema.parse(paid.body);
      await waitFor('the posting', async () => {
        const p = PaymentSchema.parse((await call(server, 'GET', `/v1/session/payments/${payment.id}`, token)).body);
        return p.erpStatus === 'posted' ? p : undefined;
      });

      const rows = await exported(db, { mark: false });
      const cols = ['payment_id', 'customer_id', 'document_number', 'applied_cash', 'credit_applied', 'deduction'];
      expect(rows.map((r) => [...cols.map((c) => r[c]), r.reason_code, r.erp_reason_code, r.reversed])).toEqual([
        [payment.id, 'C-77', 'INV-A', '2000.00', '0.00', '0.00', '', '', 'false'],
        [payment.id, 'C-77', 'INV-B', '1234.56', '0.00', '265.44', 'damaged_goods', 'DG', 'false'],
      ]);
      expect(rows[0]?.erp_reference).toMatch(/^RCPT-\d{6}$/);
      const open = await erp.listOpenItems('C-77');
      expect(open.invoices).toEqual([]);

      if (server.databaseUrl) {
        // The CLI on the same database, as the merchant runs it.
        const out = join(await tempDir(), 'applied.csv');
        const run = await ledger(['export-payments', '--since', '2000-01-01', '--out', out], {
          DATABASE_URL: server.databaseUrl,
        });
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toMatch(/1 posting/);
        const { readFile } = await import('node:fs/promises');
        const cli = parse(await readFile(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
        expect(cli.map((r) => r.applied_cash)).toEqual(['2000.00', '1234.56']);
      }
    } finally {
      await server.close();
      await erp.close();
    }
  });
});

/** A fresh store with invoice INV-1 of C-1 (USD 100.00) imported and USD 30.00 posted on it as pay_1. */
async function postedLedger(store: StoreKind, url?: string) {
  const db = await openStore({
    databaseUrl: store === 'postgres' ? (url ?? (await freshPostgresDatabase())) : null,
    dataDir: null,
  });
  await importLedgerCsv(db, csvOf([agingRow('100.00', '100.00')]));
  const erp = new SqlLedgerErp(db);
  await erp.postPayment(payment('pay_1', 3_000));
  const open = async () =>
    (await db.selectFrom('ledger_items').select('open_amount').where('id', '=', INV_1).executeTakeFirstOrThrow())
      .open_amount;
  return { db, erp, open };
}

const INV_1 = ledgerItemId('C-1', 'invoice', 'INV-1');

function agingRow(amount: string, open: string, currency = 'USD'): string[] {
  return ['C-1', 'Acme', 'US-CT', 'INV-1', 'invoice', '2025-01-05', '2025-02-04', currency, amount, open];
}

function payment(paymentId: string, cash: number, reference = `Settle ${paymentId}`): ErpPosting {
  return cashPosting('C-1', INV_1, paymentId, cash, { reference });
}

const later = () => new Date(Date.now() + 1_000);

describe.each(STORES)('reversals after an export on %s', (store) => {
  it('hands the reversal to the ERP and, until then, an import keeps the money owed', async () => {
    const { db, erp, open } = await postedLedger(store);
    try {
      expect(await exported(db, { unexported: true })).toHaveLength(1);
      await erp.reversePayment('pay_1', 'ACH return R01');
      expect(await open()).toBe(10_000);
      // The ERP took the payment but not yet its reversal: its aging says 70.00, the customer owes 100.00.
      await importLedgerCsv(db, csvOf([agingRow('100.00', '70.00')]), { asOf: later() });
      expect(await open()).toBe(10_000);
      const rows = await exported(db, { unexported: true });
      expect(rows).toEqual([
        expect.objectContaining({
          payment_id: 'pay_1',
          applied_cash: '-30.00',
          reversed: 'true',
          reversal_reason: 'ACH return R01',
        }),
      ]);
      expect(await exported(db, { unexported: true })).toHaveLength(0);
      // The ERP has the reversal now: its figure is taken as is.
      await importLedgerCsv(db, csvOf([agingRow('100.00', '99.00')]), { asOf: later() });
      expect(await open()).toBe(9_900);
    } finally {
      await db.destroy();
    }
  });

  it('lists the card surcharge as its own row, and its reversal negated', async () => {
    const { db, erp } = await postedLedger(store);
    try {
      await exported(db, { unexported: true });
      await erp.postPayment({ ...payment('pay_2', 2_000), surchargeAmount: 58 });
      const cols = ['payment_id', 'document_number', 'document_type', 'applied_cash', 'reversed'];
      const pick = (rows: Array<Record<string, string>>) => rows.map((r) => cols.map((c) => r[c]));
      // The payment's rows add up to what the card was charged: 20.00 on INV-1 and 0.58 of surcharge.
      expect(pick(await exported(db, { unexported: true }))).toEqual([
        ['pay_2', 'INV-1', 'invoice', '20.00', 'false'],
        ['pay_2', 'SURCHARGE-pay_2', 'surcharge', '0.58', 'false'],
      ]);
      await erp.reversePayment('pay_2', 'dispute lost');
      expect(pick(await exported(db, { unexported: true }))).toEqual([
        ['pay_2', 'INV-1', 'invoice', '-20.00', 'true'],
        ['pay_2', 'SURCHARGE-pay_2', 'surcharge', '-0.58', 'true'],
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('marks nothing when writing the output fails', async () => {
    const { db } = await postedLedger(store);
    try {
      const failing = new Writable({
        write(_chunk, _enc, done) {
          done(new Error('disk full'));
        },
      });
      await expect(exportLedgerPayments(db, failing, { unexported: true })).rejects.toThrow(/disk full/);
      await expect(
        exportLedgerPayments(db, new Writable({ write: (_c, _e, done) => done() }), {
          unexported: true,
          finish: () => Promise.reject(new Error('rename failed')),
        }),
      ).rejects.toThrow(/rename failed/);
      expect(await exported(db, { unexported: true })).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  });

  it('refuses an import without --as-of after an export, until one was imported with it', async () => {
    const { db, open } = await postedLedger(store);
    try {
      expect(await exported(db)).toHaveLength(1);
      await expect(importLedgerCsv(db, csvOf([agingRow('100.00', '70.00')]))).rejects.toThrow(LedgerAsOfRequiredError);
      await importLedgerCsv(db, csvOf([agingRow('100.00', '70.00')]), { asOf: later() });
      expect(await open()).toBe(7_000);
      expect(await importLedgerCsv(db, csvOf([agingRow('100.00', '60.00')]))).toMatchObject({ updated: 1 });
      expect(await open()).toBe(6_000);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a reversal that no longer fits the invoice, and a currency change of an item with postings', async () => {
    const { db, erp, open } = await postedLedger(store);
    try {
      expect(await exported(db)).toHaveLength(1);
      // The ERP lowered the invoice to 40.00 with the payment applied: 30.00 back would not fit.
      await importLedgerCsv(db, csvOf([agingRow('40.00', '40.00')]), { asOf: later() });
      await expect(erp.reversePayment('pay_1', 'R01')).rejects.toThrow(ErpRejectedError);
      expect(await open()).toBe(4_000);
      const result = await importLedgerCsv(db, csvOf([agingRow('40.00', '40.00', 'EUR')]), { asOf: later() });
      expect(result.errors).toEqual([
        { line: 2, field: 'currency', message: expect.stringContaining('cannot change to EUR') },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('keeps text cells of the export from being read as formulas', async () => {
    const { db, erp } = await postedLedger(store);
    try {
      await erp.reversePayment('pay_1', '=HYPERLINK("x")');
      await erp.postPayment(payment('pay_2', 1_000, '@SUM(A1)'));
      const rows = await exported(db);
      expect(rows.map((r) => [r.reference, r.reversal_reason])).toEqual([
        ['Settle pay_1', `'=HYPERLINK("x")`],
        [`'@SUM(A1)`, ''],
      ]);
    } finally {
      await db.destroy();
    }
  });
});

/** C-1's USD aging with only INV-2 (USD 50.00) on it: a complete file that leaves INV-1 out. */
const withoutInv1 = () =>
  csvOf([['C-1', 'Acme', 'US-CT', 'INV-2', 'invoice', '2025-03-01', '2025-03-31', 'USD', '50.00', '50.00']]);

async function item(db: Db, id: string) {
  return db
    .selectFrom('ledger_items')
    .select(['erp_open_amount', 'open_amount', 'amount'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe.each(STORES)('complete imports on %s', (store) => {
  it("closes a document Settle partly paid without undoing what Settle took, and never Settle's own credits", async () => {
    const { db, erp } = await postedLedger(store); // INV-1: USD 100.00, 30.00 taken by pay_1
    try {
      // 10.00 on INV-1 and 5.00 left on account: an on-account credit of C-1 in USD, Settle's own.
      await erp.postPayment({
        ...payment('pay_2', 1_500),
        applications: [{ invoiceId: INV_1, cash: 1_000, credit: 0, deduction: null }],
        unappliedAmount: 500,
      });
      expect(await item(db, INV_1)).toMatchObject({ erp_open_amount: 10_000, open_amount: 6_000 });

      const result = await importLedgerCsv(db, withoutInv1(), { complete: true });
      expect(result).toMatchObject({ inserted: 1, closed: 1, completePairs: 1, written: true });
      expect(result.closedFirst).toEqual([
        {
          customer_id: 'C-1',
          type: 'invoice',
          number: 'INV-1',
          currency: 'USD',
          previous_open_amount: 6_000,
          open_amount: 0,
        },
      ]);
      expect(await item(db, INV_1)).toEqual({ erp_open_amount: 0, open_amount: 0, amount: 10_000 });
      expect((await erp.listOpenItems('C-1')).credits).toEqual([
        expect.objectContaining({ number: 'UNAPPLIED-pay_2', openAmount: 500 }),
      ]);
      // What Settle took is still recorded, and still goes to the ERP as applied cash.
      const lines = await db
        .selectFrom('ledger_posting_lines')
        .select(['payment_id', 'taken'])
        .orderBy('payment_id')
        .execute();
      expect(lines).toEqual([
        { payment_id: 'pay_1', taken: 3_000 },
        { payment_id: 'pay_2', taken: 1_000 },
      ]);
      const rows = await exported(db, { mark: false });
      expect(rows.map((r) => [r.payment_id, r.document_number, r.applied_cash])).toEqual([
        ['pay_1', 'INV-1', '30.00'],
        ['pay_2', 'INV-1', '10.00'],
        ['pay_2', 'UNAPPLIED-pay_2', '5.00'],
      ]);
      expect(await importLedgerCsv(db, withoutInv1(), { complete: true })).toMatchObject({ unchanged: 1, closed: 0 });
    } finally {
      await db.destroy();
    }
  });

  it('keeps owed what a reversal gave back that the ERP has not had, when the ERP closed the document', async () => {
    const { db, erp } = await postedLedger(store);
    try {
      expect(await exported(db, { unexported: true })).toHaveLength(1);
      await erp.reversePayment('pay_1', 'ACH return R01');
      // The ERP had the 30.00 and closed INV-1 (the rest paid there); the reversal is not exported yet.
      const dry = await importLedgerCsv(db, withoutInv1(), { complete: true, dryRun: true, asOf: later() });
      expect(dry).toMatchObject({ closed: 1, written: false });
      expect(await item(db, INV_1)).toMatchObject({ erp_open_amount: 10_000, open_amount: 10_000 });
      const result = await importLedgerCsv(db, withoutInv1(), { complete: true, asOf: later() });
      expect(result.closedFirst).toEqual([
        expect.objectContaining({ previous_open_amount: 10_000, open_amount: 3_000 }),
      ]);
      expect(await item(db, INV_1)).toMatchObject({ erp_open_amount: 0, open_amount: 3_000 });
      expect(await importLedgerCsv(db, withoutInv1(), { complete: true, asOf: later() })).toMatchObject({ closed: 0 });
      expect(await item(db, INV_1)).toMatchObject({ erp_open_amount: 0, open_amount: 3_000 });
    } finally {
      await db.destroy();
    }
  });
  /** The ERP had pay_1 and closed INV-1; pay_1 comes back (ACH return) and the reversal goes to the ERP. */
  const reversalHandedOver = async (store: StoreKind, complete: boolean) => {
    const ledger = await postedLedger(store);
    expect(await exported(ledger.db, { unexported: true })).toHaveLength(1);
    const closing = complete ? withoutInv1() : csvOf([agingRow('100.00', '0.00')]);
    await importLedgerCsv(ledger.db, closing, { complete, asOf: later() });
    expect(await item(ledger.db, INV_1)).toMatchObject({ erp_open_amount: 0, open_amount: 0 });
    await ledger.erp.reversePayment('pay_1', 'ACH return R01');
    // Until the ERP has the reversal, the payer owes the 30.00 again.
    expect(await item(ledger.db, INV_1)).toMatchObject({ open_amount: 3_000 });
    expect(await exported(ledger.db, { unexported: true })).toHaveLength(1);
    return ledger;
  };

  it('closes again a document the ERP closed again after it had the reversal', async () => {
    // The ERP re-opened INV-1 on the reversal and was paid the 30.00 by cheque before its next
    // aging, which again does not list it: its figure (0) has not changed, its balance must.
    const { db, erp } = await reversalHandedOver(store, true);
    try {
      const result = await importLedgerCsv(db, withoutInv1(), { complete: true, asOf: later() });
      expect(result.closedFirst).toEqual([expect.objectContaining({ previous_open_amount: 3_000, open_amount: 0 })]);
      expect(await item(db, INV_1)).toMatchObject({ erp_open_amount: 0, open_amount: 0 });
      expect((await erp.listOpenItems('C-1')).invoices.map((i) => i.number)).not.toContain('INV-1');
      expect(await importLedgerCsv(db, withoutInv1(), { complete: true, asOf: later() })).toMatchObject({ closed: 0 });
    } finally {
      await db.destroy();
    }
  });

  it('rewrites a row the file restates unchanged when its balance is no longer what the rules give', async () => {
    const { db } = await reversalHandedOver(store, false);
    try {
      const again = await importLedgerCsv(db, csvOf([agingRow('100.00', '0.00')]), { asOf: later() });
      expect(again).toMatchObject({ updated: 1, unchanged: 0 });
      expect(await item(db, INV_1)).toMatchObject({ erp_open_amount: 0, open_amount: 0 });
      const third = await importLedgerCsv(db, csvOf([agingRow('100.00', '0.00')]), { asOf: later() });
      expect(third).toMatchObject({ updated: 0, unchanged: 1 });
    } finally {
      await db.destroy();
    }
  });
});

describe.each(STORES)('credit memos with negative amounts on %s', (store) => {
  const credit = (number: string, amount: string, open: string) => [
    'C-1',
    'Acme',
    'US-CT',
    number,
    'credit',
    '2025-01-05',
    '',
    'USD',
    `"${amount}"`,
    `"${open}"`,
  ];

  it('are taken as their positive form', async () => {
    const db = await openStore({
      databaseUrl: store === 'postgres' ? await freshPostgresDatabase() : null,
      dataDir: null,
    });
    try {
      const negative = [
        credit('CM-1', '-1,250.50', '-1,000.05'),
        credit('CM-2', '-80.00', '0.00'),
        credit('CM-3', '-0', '-0'),
      ];
      expect(await importLedgerCsv(db, csvOf(negative))).toMatchObject({ inserted: 3, written: true, errors: [] });
      const erp = new SqlLedgerErp(db);
      expect((await erp.listOpenItems('C-1')).credits).toEqual([
        expect.objectContaining({ number: 'CM-1', amount: 125_050, openAmount: 100_005 }),
      ]);
      const positive = [credit('CM-1', '1,250.50', '1000.05'), credit('CM-2', '80.00', '0'), credit('CM-3', '0', '0')];
      expect(await importLedgerCsv(db, csvOf(positive))).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    } finally {
      await db.destroy();
    }
  });

  it('are refused when the amount and open amount differ in sign, as are negative invoices, by line', async () => {
    const db = await openStore({
      databaseUrl: store === 'postgres' ? await freshPostgresDatabase() : null,
      dataDir: null,
    });
    try {
      const result = await importLedgerCsv(
        db,
        csvOf([
          credit('CM-1', '-100.00', '50.00'),
          credit('CM-2', '100.00', '-50.00'),
          ['C-1', 'Acme', 'US-CT', 'INV-1', 'invoice', '2025-01-05', '2025-02-04', 'USD', '-10.00', '-10.00'],
          credit('CM-3', '-100.00', '-150.00'),
          credit('CM-4', '--5', '-5'),
          credit('CM-5', '-1.005', '-1.00'),
          credit('CM-6', '-10.00', '-10.00'),
        ]),
      );
      expect(result.errors.map(formatRowError)).toEqual([
        'line 2: open_amount: 50.00 and the amount -100.00 differ in sign: give both negative or both positive',
        'line 3: open_amount: -50.00 and the amount 100.00 differ in sign: give both negative or both positive',
        `line 4: amount: "-10.00" is negative; only a credit memo's amounts may be`,
        `line 4: open_amount: "-10.00" is negative; only a credit memo's amounts may be`,
        'line 5: open_amount: -150.00 is more than the amount -100.00 (in absolute value)',
        'line 6: amount: "--5" is not a number',
        'line 7: amount: "-1.005" has 3 decimals; USD has 2',
      ]);
      expect(result).toMatchObject({ inserted: 0, written: false });
      expect(await checksum(db)).toMatchObject({ items: 0, customers: 0 });
    } finally {
      await db.destroy();
    }
  });
});

describe('ledger import limits', () => {
  it('refuses a huge record, caps the errors kept, and names a row that is not UTF-8', async () => {
    const db = await openStore({ databaseUrl: null, dataDir: null });
    try {
      const header =
        'customer_id,customer_name,customer_region,document_number,type,issue_date,due_date,currency,amount,open_amount,memo';
      const huge = Readable.from([`${header}\n${agingRow('1.00', '1.00').join(',')},"${'x'.repeat(70_000)}"\n`]);
      await expect(importLedgerCsv(db, huge)).rejects.toThrow(LedgerFileError);
      const bad = Array.from({ length: 1_500 }, (_, i) => agingRow('1.00', `${i}x`));
      const many = await importLedgerCsv(db, csvOf(bad));
      expect(many.errors).toHaveLength(1_000);
      expect(many.errorsOmitted).toBe(500);
      const latin1 = Buffer.concat([
        Buffer.from(`${header}\nC-1,Caf`),
        Buffer.from([0xe9]),
        Buffer.from(',US-CT,INV-1,invoice,2025-01-05,2025-02-04,USD,1.00,1.00,\n'),
      ]);
      const garbled = await importLedgerCsv(db, Readable.from([latin1]));
      expect(garbled.errors).toEqual([
        { line: 2, field: 'customer_name', message: 'is not UTF-8: export the file as UTF-8' },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
