/**
 * The SQL ledger's two locks: the ledger-wide advisory lock that keeps `ledger import` and the
 * postings from interleaving (PostgreSQL), and the lock file that keeps a second process out of an
 * embedded PGlite ledger folder (real child processes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type ImportResult, importLedgerCsv } from '../src/erp/ledger-import.js';
import { type ErpPosting, ErpRejectedError } from '../src/erp/port.js';
import { ledgerDataDir, ledgerItemId, openSqlLedger, SqlLedgerErp } from '../src/erp/sql-ledger.js';
import { type Db, openStore } from '../src/store/db.js';
import { cashPosting, freshPostgresDatabase, STORES, waitFor } from './harness.js';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/open-ledger.ts', import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const HEADER = 'customer_id,customer_name,document_number,type,issue_date,due_date,currency,amount,open_amount';
const INV_1 = ledgerItemId('C-1', 'invoice', 'INV-1');
const INV_2 = ledgerItemId('C-1', 'invoice', 'INV-2');

/** The ERP's aging of customer C-1: invoices of 100.00 with these open amounts. */
function aging(open: { 'INV-1'?: string; 'INV-2'?: string }): string {
  const rows = Object.entries(open).map(
    ([number, amount]) => `C-1,Acme,${number},invoice,2025-01-05,2025-02-04,USD,100.00,${amount}`,
  );
  return `${HEADER}\n${rows.join('\n')}\n`;
}

function payment(paymentId: string, invoiceId: string, cash: number, unapplied = 0): ErpPosting {
  return cashPosting('C-1', invoiceId, paymentId, cash, { unapplied });
}

/** A promise with a flag saying whether it has settled, read while it is still pending. */
function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const done = () => {
    settled = true;
  };
  promise.then(done, done);
  return { promise, settled: () => settled };
}

async function openAmounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('ledger_items').select(['number', 'open_amount']).orderBy('number').execute();
  return Object.fromEntries(rows.map((r) => [r.number, r.open_amount]));
}

describe.runIf(STORES.includes('postgres'))('ledger import and postings on PostgreSQL', () => {
  /**
   * A ledger on a fresh database with INV-1 (and INV-2) imported at 100.00 open, and handles on it
   * whose connections say who they are (application_name), so a test can see which one waits.
   */
  async function ledger() {
    const url = await freshPostgresDatabase();
    const as = (name: string) => {
      const u = new URL(url);
      u.searchParams.set('application_name', name);
      return u.toString();
    };
    const postingDb = await openStore({ databaseUrl: as('ledger-posting'), dataDir: null });
    const importDb = await openStore({ databaseUrl: as('ledger-import'), dataDir: null });
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    cleanups.push(
      () => postingDb.destroy(),
      () => importDb.destroy(),
      () => watcher.end(),
    );
    await importLedgerCsv(importDb, Readable.from([aging({ 'INV-1': '100.00', 'INV-2': '100.00' })]));
    /** The wait event of the named handle's connection while it waits for a lock. */
    const waiting = async (name: string): Promise<string | undefined> => {
      const { rows } = await watcher.query<{ wait_event: string }>(
        `select wait_event from pg_stat_activity
          where datname = current_database() and application_name = $1 and wait_event_type = 'Lock'`,
        [name],
      );
      return rows[0]?.wait_event;
    };
    return { url, erp: new SqlLedgerErp(postingDb), postingDb, importDb, watcher, waiting };
  }

  it('keeps the amount a payment takes when an import re-states the invoice while the payment is being posted', async () => {
    const { url, erp, postingDb, importDb, watcher, waiting } = await ledger();
    // A real postPayment held open after it has applied its effect: its last statement inserts the
    // on-account credit `cre_unapplied_pay_1`, and an uncommitted row with that id makes it wait.
    const hold = new pg.Client({ connectionString: url });
    await hold.connect();
    cleanups.push(() => hold.end());
    await hold.query('begin');
    await hold.query(
      `insert into ledger_items (id, customer_id, number, type, issue_date, currency, amount, erp_open_amount, open_amount)
       values ('cre_unapplied_pay_1', 'C-1', 'UNAPPLIED-pay_1', 'credit', '2025-03-14', 'USD', 1, 1, 1)`,
    );
    const posting = tracked(erp.postPayment(payment('pay_1', INV_1, 3_000, 500)));
    await waitFor('the posting to have written its lines and to wait', async () => {
      const { rows } = await watcher.query(
        `select 1 from pg_stat_activity a
          where $1 = any(pg_blocking_pids(a.pid))
            and exists (select 1 from pg_locks l
                         where l.pid = a.pid and l.granted and l.relation = 'ledger_posting_lines'::regclass)`,
        [(hold as unknown as { processID: number }).processID],
      );
      return rows.length ? true : undefined;
    });

    // Meanwhile the ERP credited 10.00 on INV-1, and its aging says 90.00 open.
    const importing = tracked(importLedgerCsv(importDb, Readable.from([aging({ 'INV-1': '90.00' })])));
    await waitFor('the import to wait', () => waiting('ledger-import'));
    expect(importing.settled()).toBe(false);
    expect(posting.settled()).toBe(false);

    await hold.query('rollback');
    expect(await posting.promise).toMatchObject({ erpReference: expect.stringMatching(/^RCPT-\d{6}$/) });
    expect(await importing.promise).toMatchObject<Partial<ImportResult>>({
      rows: 1,
      inserted: 0,
      updated: 1,
      unchanged: 0,
      written: true,
    });
    // The ERP's 90.00 less the 30.00 it has not had from Settle: the payment is not re-opened.
    expect(await openAmounts(postingDb)).toEqual({ 'INV-1': 6_000, 'INV-2': 10_000, 'UNAPPLIED-pay_1': 500 });
  });

  it('makes a payment wait for an import in progress, then checks it against the imported balances', async () => {
    const { erp, postingDb, importDb, watcher, waiting } = await ledger();
    // The import's transaction stays open (holding its lock) until the file has been read to its end.
    const file = new PassThrough();
    cleanups.push(async () => file.end());
    const importing = tracked(importLedgerCsv(importDb, file));
    await waitFor('the import to hold the ledger lock', async () => {
      const { rows } = await watcher.query(
        `select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where a.datname = current_database() and a.application_name = 'ledger-import'
            and l.locktype = 'advisory' and l.mode = 'ExclusiveLock' and l.granted`,
      );
      return rows.length ? true : undefined;
    });

    // Paying 50.00 of INV-1, which Settle last saw at 100.00 open.
    const posting = tracked(erp.postPayment(payment('pay_2', INV_1, 5_000)));
    const state = await waitFor('the posting to wait or finish', async () =>
      posting.settled() ? 'finished' : (await waiting('ledger-posting')) ? 'waiting' : undefined,
    );
    expect(state, 'the posting went through while an import held the ledger').toBe('waiting');
    expect(importing.settled()).toBe(false);

    // The ERP's aging says 40.00 is left open on INV-1 (a cheque it received).
    file.end(aging({ 'INV-1': '40.00' }));
    expect(await importing.promise).toMatchObject<Partial<ImportResult>>({ updated: 1, written: true });
    const refused = await posting.promise.then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ErpRejectedError);
    expect((refused as Error).message).toMatch(/50\.00 USD would take invoice INV-1 below zero \(open 40\.00 USD\)/);
    expect(await openAmounts(postingDb)).toEqual({ 'INV-1': 4_000, 'INV-2': 10_000 });
    // A posting that fits the imported balance goes through on it.
    await erp.postPayment(payment('pay_3', INV_1, 4_000));
    expect((await openAmounts(postingDb))['INV-1']).toBe(0);
  });
});

describe('ledger import and postings on PGlite', () => {
  // PGlite serves one session, and its Kysely dialect hands that session to one transaction at a
  // time: an import and a posting run one after the other whichever starts first, so neither can
  // read a balance the other is changing. The advisory locks are no-ops there (one session holds them).
  it('gives the same balances as on PostgreSQL when a payment and an import overlap', async () => {
    const db = await openStore({ databaseUrl: null, dataDir: null });
    cleanups.push(() => db.destroy());
    await importLedgerCsv(db, Readable.from([aging({ 'INV-1': '100.00', 'INV-2': '100.00' })]));
    const erp = new SqlLedgerErp(db);

    // A payment of 30.00 on INV-1 and an aging saying 90.00, started together.
    const [posted, imported] = await Promise.all([
      erp.postPayment(payment('pay_1', INV_1, 3_000, 500)),
      importLedgerCsv(db, Readable.from([aging({ 'INV-1': '90.00' })])),
    ]);
    expect(posted.erpReference).toMatch(/^RCPT-/);
    expect(imported).toMatchObject({ updated: 1, written: true });
    expect(await openAmounts(db)).toEqual({ 'INV-1': 6_000, 'INV-2': 10_000, 'UNAPPLIED-pay_1': 500 });

    // An import still reading its file, and a payment of 50.00 on INV-2 meanwhile: the payment
    // is checked against the 40.00 the import leaves.
    const file = new PassThrough();
    const importing = importLedgerCsv(db, file);
    const posting = erp.postPayment(payment('pay_2', INV_2, 5_000));
    file.end(aging({ 'INV-2': '40.00' }));
    expect(await importing).toMatchObject({ updated: 1, written: true });
    await expect(posting).rejects.toThrow(/below zero \(open 40\.00 USD\)/);
    expect(await openAmounts(db)).toEqual({ 'INV-1': 6_000, 'INV-2': 4_000, 'UNAPPLIED-pay_1': 500 });
  });
});

/** A child process on the embedded ledger in `dataDir` (test/fixtures/open-ledger.ts). */
async function ledgerProcess(dataDir: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], {
    cwd: serverDir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const closed = once(child, 'close');
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const line = async (): Promise<string> => {
    const next = await lines.next();
    if (next.done) throw new Error(`ledger process ${child.pid} ended: ${stderr}`);
    return next.value;
  };
  expect(await line()).toBe(`ready ${child.pid}`);
  return {
    pid: child.pid!,
    /** Opens the ledger; resolves to `opened` or `refused: <message>`. */
    open: async () => {
      child.stdin!.write('open\n');
      return line();
    },
    /** Closes the ledger (when it was opened) and ends the process; resolves to its exit code. */
    end: async () => {
      child.stdin!.end();
      const [code] = await closed;
      return code as number | null;
    },
  };
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

async function dataDirs(): Promise<{ dataDir: string; lock: string }> {
  const root = await mkdtemp(join(tmpdir(), 'settle-ledger-lock-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  await mkdir(dataDir);
  return { dataDir, lock: `${ledgerDataDir(dataDir)}.lock` };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('the embedded ledger folder lock', () => {
  it('refuses a second open in the same process until the first is closed', async () => {
    const { dataDir, lock } = await dataDirs();
    const first = await openSqlLedger({ databaseUrl: null, dataDir });
    await expect(openSqlLedger({ databaseUrl: null, dataDir })).rejects.toThrow(
      `the SQL ledger in ${ledgerDataDir(dataDir)} is already open in this process`,
    );
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
    await first.close();
    expect(await exists(lock)).toBe(false);
    const again = await openSqlLedger({ databaseUrl: null, dataDir });
    await again.close();
    // Two opens started together: one has it, the other is refused.
    const both = await Promise.allSettled([
      openSqlLedger({ databaseUrl: null, dataDir }),
      openSqlLedger({ databaseUrl: null, dataDir }),
    ]);
    const opened = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    cleanups.push(() => Promise.all(opened.map((erp) => erp.close())));
    expect(opened).toHaveLength(1);
    expect(both.find((r) => r.status === 'rejected')?.reason).toMatchObject({
      message: expect.stringMatching(/is already open in this process/),
    });
  });

  it('refuses a ledger another live process has open, naming it, and opens it once that process is done', {
    timeout: 60_000,
  }, async () => {
    const { dataDir, lock } = await dataDirs();
    const other = await ledgerProcess(dataDir);
    expect(await other.open()).toBe('opened');
    expect(await readFile(lock, 'utf8')).toBe(String(other.pid));
    await expect(openSqlLedger({ databaseUrl: null, dataDir })).rejects.toThrow(
      `the SQL ledger in ${ledgerDataDir(dataDir)} is open in process ${other.pid} (lock file ${lock};`,
    );
    expect(await other.end()).toBe(0);
    expect(await exists(lock)).toBe(false);
    const mine = await openSqlLedger({ databaseUrl: null, dataDir });
    await mine.close();
  });

  it('takes over a lock left by a process that has exited', async () => {
    const { dataDir, lock } = await dataDirs();
    const dead = await deadPid();
    await writeFile(lock, String(dead));
    // A takeover that process died in the middle of is no obstacle either.
    await writeFile(`${lock}.takeover`, String(dead));
    const erp = await openSqlLedger({ databaseUrl: null, dataDir });
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
    expect(await exists(`${lock}.takeover`)).toBe(false);
    await erp.close();
    // So is an empty lock file (its creator died before writing its pid).
    await writeFile(lock, '');
    const again = await openSqlLedger({ databaseUrl: null, dataDir });
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
    await again.close();
  });

  it('does not take over a stale lock while another live process is taking it over', { timeout: 60_000 }, async () => {
    const { dataDir, lock } = await dataDirs();
    await writeFile(lock, String(await deadPid()));
    const other = await ledgerProcess(dataDir);
    await writeFile(`${lock}.takeover`, String(other.pid));
    await expect(openSqlLedger({ databaseUrl: null, dataDir })).rejects.toThrow(/cannot lock the SQL ledger/);
    expect(await other.end()).toBe(0);
    const erp = await openSqlLedger({ databaseUrl: null, dataDir });
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
    await erp.close();
  });

  it('lets exactly one of several processes taking over the same stale lock at once open the ledger', {
    timeout: 60_000,
  }, async () => {
    const { dataDir, lock } = await dataDirs();
    await writeFile(lock, String(await deadPid()));
    const racers = await Promise.all([1, 2, 3, 4].map(() => ledgerProcess(dataDir)));
    const results = await Promise.all(racers.map((r) => r.open()));
    const winners = racers.filter((_, i) => results[i] === 'opened');
    expect(winners, results.join('\n')).toHaveLength(1);
    const winner = winners[0]!;
    for (const [i, result] of results.entries()) {
      if (racers[i] !== winner) expect(result).toContain(`is open in process ${winner.pid}`);
    }
    expect(await readFile(lock, 'utf8')).toBe(String(winner.pid));
    expect(await Promise.all(racers.map((r) => r.end()))).toEqual([0, 0, 0, 0]);
    expect(await exists(lock)).toBe(false);
    expect(await exists(`${lock}.takeover`)).toBe(false);
  });
});
