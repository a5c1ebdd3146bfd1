import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { runErpConformance } from '../src/erp/conformance.js';
import { ErpRejectedError, ErpUnavailableError } from '../src/erp/port.js';
import { demoCustomerId, demoErpData } from '../src/erp/seed.js';
import { createErp } from '../src/erp/select.js';
import { SqlLedgerErp, seedLedger } from '../src/erp/sql-ledger.js';
import { createSettle } from '../src/server.js';
import { type Db, openStore } from '../src/store/db.js';
import { acmePosting, freshPostgresDatabase, STORES, type StoreKind } from './harness.js';

const TODAY = new Date('2025-03-14T15:30:00Z');
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** A seeded ledger on a fresh store. */
async function seededLedger(store: StoreKind): Promise<{ db: Db; url: string | null }> {
  if (store === 'pglite') {
    const db = await openStore({ databaseUrl: null, dataDir: null });
    await seedLedger(db, demoErpData(TODAY));
    cleanups.push(() => db.destroy());
    return { db, url: null };
  }
  const url = await freshPostgresDatabase();
  // The server's own pool setup (openStore): a connection a test cuts off must not end the process.
  const db = await openStore({ databaseUrl: url, dataDir: null });
  await seedLedger(db, demoErpData(TODAY));
  cleanups.push(() => db.destroy());
  return { db, url };
}

/** Runs SQL as the cluster's admin, on the cluster's default database. */
async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('testDatabaseUrl') });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

for (const store of STORES) {
  let ledger: { db: Db; url: string | null } | null = null;
  runErpConformance(`sql-ledger (${store})`, async () => {
    ledger ??= await seededLedger(store);
    const { db, url } = ledger;
    const name = url ? new URL(url).pathname.slice(1) : '';
    return {
      adapter: new SqlLedgerErp(db),
      customerId: demoCustomerId,
      // A real outage: the database refuses new connections and drops the open ones.
      ...(url
        ? {
            makeUnavailable: async () => {
              await admin(`alter database ${name} with allow_connections false`);
              await admin(
                `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`,
              );
            },
            restore: () => admin(`alter database ${name} with allow_connections true`),
          }
        : {}),
    };
  });
}

describe.each(STORES)('SqlLedgerErp on %s', (store) => {
  it('lets exactly one of two concurrent payments take the last of an invoice balance', async () => {
    const { db } = await seededLedger(store);
    const erp = new SqlLedgerErp(db);
    const { invoices } = await erp.listOpenItems(demoCustomerId);
    const invoice = invoices.find((i) => i.currency === 'USD')!;
    const all = (id: string) =>
      acmePosting(erp, id, {
        cashAmount: invoice.openAmount,
        applications: [{ invoiceId: invoice.id, cash: invoice.openAmount, credit: 0, deduction: null }],
      });
    const results = await Promise.allSettled([
      erp.postPayment(await all('pay_a')),
      erp.postPayment(await all('pay_b')),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(ErpRejectedError);
    expect(failed.reason.message).toMatch(/below zero/);
    const row = await db
      .selectFrom('ledger_items')
      .select('open_amount')
      .where('id', '=', invoice.id)
      .executeTakeFirst();
    expect(row?.open_amount).toBe(0);
    expect(await db.selectFrom('ledger_postings').select('payment_id').execute()).toHaveLength(1);
  });

  it('records deductions and on-account cash until the posting is reversed', async () => {
    const { db } = await seededLedger(store);
    const erp = new SqlLedgerErp(db);
    const { invoices } = await erp.listOpenItems(demoCustomerId);
    const invoice = invoices[0]!;
    const deduction = {
      amount: invoice.openAmount - 10_000,
      reasonCode: 'damaged_goods',
      erpReasonCode: 'DG',
      note: 'Crushed',
    };
    await erp.postPayment(
      await acmePosting(erp, 'pay_short', {
        cashAmount: 15_000,
        unappliedAmount: 5_000,
        applications: [{ invoiceId: invoice.id, cash: 10_000, credit: 0, deduction }],
      }),
    );
    expect(await erp.listDeductions(demoCustomerId)).toEqual([
      expect.objectContaining({
        paymentId: 'pay_short',
        invoiceNumber: invoice.number,
        amount: deduction.amount,
        erpReasonCode: 'DG',
      }),
    ]);
    const onAccount = (await erp.listOpenItems(demoCustomerId)).credits.find((c) => c.number === 'UNAPPLIED-pay_short');
    expect(onAccount).toMatchObject({ amount: 5_000, openAmount: 5_000 });
    await erp.reversePayment('pay_short', 'ACH return R01');
    expect(await erp.listDeductions()).toEqual([]);
    const after = await erp.listOpenItems(demoCustomerId);
    expect(after.credits.map((c) => c.number)).not.toContain('UNAPPLIED-pay_short');
    expect(after.invoices.find((i) => i.id === invoice.id)?.openAmount).toBe(invoice.openAmount);
  });

  it('rejects an unknown customer and a posting in another currency, changing nothing', async () => {
    const { db } = await seededLedger(store);
    const erp = new SqlLedgerErp(db);
    const before = await erp.listOpenItems(demoCustomerId);
    await expect(erp.postPayment(await acmePosting(erp, 'pay_x', { customerId: 'cus_nobody' }))).rejects.toThrow(
      /unknown customer cus_nobody/,
    );
    await expect(erp.postPayment(await acmePosting(erp, 'pay_y', { currency: 'EUR' }))).rejects.toThrow(
      /is in USD, the posting in EUR/,
    );
    expect(await erp.listOpenItems(demoCustomerId)).toEqual(before);
  });

  it.runIf(store === 'pglite')('throws ErpUnavailableError once its store is closed', async () => {
    const { db } = await seededLedger(store);
    const erp = new SqlLedgerErp(db);
    const p = await acmePosting(erp, 'pay_down');
    await db.destroy();
    await expect(erp.listOpenItems(demoCustomerId)).rejects.toBeInstanceOf(ErpUnavailableError);
    await expect(erp.postPayment(p)).rejects.toBeInstanceOf(ErpUnavailableError);
  });
});

describe('SETTLE_ERP', () => {
  it('defaults to the demo ledger, picks the SQL ledger for "sql" and refuses anything else by name', async () => {
    expect(loadConfig({}).erp.kind).toBe('memory');
    expect(loadConfig({ SETTLE_ERP: 'sql' }).erp.kind).toBe('sql');
    expect(() => loadConfig({ SETTLE_ERP: 'sap' })).toThrow(
      /SETTLE_ERP must be one of "memory", "sql", "tryton" \(got "sap"\)/,
    );
    const memory = await createErp(loadConfig({}), { inMemory: true });
    expect(memory.name).toBe('memory');
    const dir = await mkdtemp(join(tmpdir(), 'settle-select-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const erp = await createErp(loadConfig({ SETTLE_ERP: 'sql', SETTLE_DATA_DIR: dir }));
    expect(erp).toBeInstanceOf(SqlLedgerErp);
    await seedLedger((erp as SqlLedgerErp).db, demoErpData(TODAY));
    await erp.close?.();
    // The ledger persists in the data folder, where `ledger import` writes it.
    const again = await createErp(loadConfig({ SETTLE_ERP: 'sql', SETTLE_DATA_DIR: dir }));
    expect((await again.getCustomer(demoCustomerId))?.name).toBe('Acme Industrial Supply');
    await again.close?.();
  });

  it.each(STORES)('runs a server on the SQL ledger when no adapter is passed (%s)', async (store) => {
    const databaseUrl = store === 'postgres' ? await freshPostgresDatabase() : null;
    const config = loadConfig({ SETTLE_ERP: 'sql' }, { databaseUrl, secretKey: 'sk_test_select_0123456789abcdef' });
    const settle = await createSettle({
      config,
      inMemory: true,
      worker: false,
      log: { info() {}, warn() {}, error() {} },
    });
    try {
      expect(settle.deps.erp.name).toBe('sql-ledger');
      expect(await settle.deps.erp.listCustomers()).toEqual([]);
    } finally {
      await settle.close();
    }
  });
});
