import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Currency, toDecimalString } from '@settle/schema';
import { exportLedgerPayments } from './ledger-export.js';
import {
  formatRowError,
  type ImportProgress,
  importLedgerCsv,
  LedgerAsOfRequiredError,
  LedgerFileError,
} from './ledger-import.js';
import { demoErpData } from './seed.js';
import { openSqlLedger, seedLedger } from './sql-ledger.js';

const USAGE = `Usage:
  pnpm --filter @settle/server ledger import <file.csv> [--dry-run] [--as-of <ISO time>] [--complete]
  pnpm -s --filter @settle/server ledger export-payments [--since <date>] [--unexported] [--no-mark] [--out <file.csv>]
  pnpm --filter @settle/server ledger seed-demo      (the demo ERP's customers and items, to try it out)

import options:
  --dry-run    validate and count what would change (and, with --complete, what would close); write nothing
  --as-of      when the ERP produced the file (required after an export-payments since the last import)
  --complete   the file lists every open item of each customer and currency in it: their documents
               missing from it are closed (paid or written off in the ERP); other customers and
               currencies are untouched. Try it with --dry-run first: it lists what would close.

Opens the server's ledger: DATABASE_URL, else PGlite in $SETTLE_DATA_DIR/ledger (default .settle/data);
with PGlite, stop the server first (one process at a time may open an embedded database).
See docs/sql-ledger.md for the CSV columns and the rules.`;

class UsageError extends Error {}

/**
 * `ledger import` and `ledger export-payments`: the SQL ledger's way in (the ERP's AR-aging
 * export) and way out (what Settle applied, for re-import into the ERP). Exit codes: 0 done,
 * 1 bad data or a failure (nothing imported), 2 wrong usage.
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'import') return runImport(rest);
  if (command === 'export-payments') return runExport(rest);
  if (command === 'seed-demo') return runSeedDemo(rest);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command "${command}"`);
}

/** Paths are the caller's: `pnpm --filter` runs scripts in server/, and INIT_CWD is where the user was. */
function userPath(path: string): string {
  return resolve(process.env.INIT_CWD || process.cwd(), path);
}

/** The store the server's SQL ledger uses, opened the same way (erp/sql-ledger.ts openSqlLedger). */
async function openLedgerStore() {
  const ledger = await openSqlLedger({
    databaseUrl: process.env.DATABASE_URL || null,
    dataDir: process.env.SETTLE_DATA_DIR || '.settle/data',
  });
  return { db: ledger.db, destroy: () => ledger.close() };
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function instant(value: string, flag: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`${flag} must be a date (2025-03-14) or an ISO time, got "${value}"`);
  return date;
}

async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    'dry-run': { type: 'boolean' },
    'as-of': { type: 'string' },
    complete: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('import takes one CSV file');
  const file = userPath(positionals[0]!);
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new UsageError(`cannot read ${file}`);
    },
  );
  const asOf = values['as-of'] ? instant(values['as-of'] as string, '--as-of') : undefined;
  const db = await openLedgerStore();
  try {
    const report = (p: ImportProgress) => {
      const rate = p.elapsedMs ? Math.round((p.rows * 1000) / p.elapsedMs) : 0;
      const pct = p.totalBytes ? ` ${Math.floor((p.bytes * 100) / p.totalBytes)}%,` : '';
      process.stderr.write(
        `ledger import:${pct} ${p.rows.toLocaleString('en-US')} rows, ${rate.toLocaleString('en-US')} rows/s\n`,
      );
    };
    const result = await importLedgerCsv(db.db, createReadStream(file), {
      dryRun: values['dry-run'] === true,
      complete: values.complete === true,
      asOf,
      totalBytes: size,
      onProgress: report,
      progressEveryMs: 500,
    });
    if (result.ignoredColumns.length) {
      process.stderr.write(`ledger import: ignored columns ${result.ignoredColumns.join(', ')}\n`);
    }
    if (result.errors.length) {
      for (const e of result.errors) process.stderr.write(`${formatRowError(e)}\n`);
      if (result.errorsOmitted) process.stderr.write(`… and ${result.errorsOmitted} more\n`);
      const rows = new Set(result.errors.map((e) => e.line)).size;
      const what = result.errorsOmitted
        ? `${result.errors.length + result.errorsOmitted} problems (at least ${rows} bad rows)`
        : `${rows} bad row${rows === 1 ? '' : 's'}`;
      process.stderr.write(`${what} in ${file}: nothing imported\n`);
      return 1;
    }
    const dryRun = values['dry-run'] === true;
    const money = (n: number, currency: string) => toDecimalString(n, currency as Currency);
    for (const d of result.closedFirst) {
      process.stderr.write(
        `ledger import: ${dryRun ? 'would close' : 'closed'} ${d.type} ${d.number} of customer ${d.customer_id}, ` +
          `open ${d.currency} ${money(d.previous_open_amount, d.currency)} -> ${money(d.open_amount, d.currency)}` +
          `${d.open_amount > 0 ? ' (a reversal the ERP has not had yet)' : d.previous_open_amount === 0 ? ' (paid through Settle already; the ERP now agrees)' : ''}\n`,
      );
    }
    if (result.closed > result.closedFirst.length) {
      process.stderr.write(`ledger import: … and ${result.closed - result.closedFirst.length} more\n`);
    }
    const rate = result.elapsedMs ? Math.round((result.rows * 1000) / result.elapsedMs) : result.rows;
    const verb = dryRun ? 'Dry run (nothing written)' : 'Imported';
    const pairs = result.completePairs ?? 0;
    const complete =
      result.completePairs === null
        ? ''
        : `, ${result.closed} closed (complete for the file's ${pairs} customer/currency pair${pairs === 1 ? '' : 's'}; others untouched)`;
    const changed = result.inserted + result.updated + result.closed;
    process.stdout.write(
      `${verb}: ${result.rows} rows: ${result.inserted} new, ${result.updated} changed, ${result.unchanged} unchanged${complete}; ` +
        `customers: ${result.customersInserted} new, ${result.customersUpdated} changed; ` +
        `${(result.elapsedMs / 1000).toFixed(1)} s, ${rate} rows/s${changed ? `, batch ${result.batch}` : ''}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof LedgerAsOfRequiredError) {
      process.stderr.write(`ledger import: ${error.message}\nnothing imported\n`);
      return 1;
    }
    if (error instanceof LedgerFileError) {
      process.stderr.write(`${file}: ${error.message}\nnothing imported\n`);
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

/** The demo ERP's customers and items, for trying SETTLE_ERP=sql without an export at hand. */
async function runSeedDemo(args: string[]): Promise<number> {
  if (args.length) throw new UsageError(`seed-demo takes no arguments: ${args.join(' ')}`);
  const db = await openLedgerStore();
  try {
    const data = demoErpData();
    await seedLedger(db.db, data);
    process.stdout.write(
      `Seeded the demo ledger: ${data.customers.length} customers, ${data.invoices.length} invoices, ${data.credits.length} credits\n`,
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

async function runExport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    since: { type: 'string' },
    unexported: { type: 'boolean' },
    'no-mark': { type: 'boolean' },
    out: { type: 'string' },
  });
  if (positionals.length)
    throw new UsageError(`export-payments takes no file name (use --out): ${positionals.join(' ')}`);
  const since = values.since ? instant(values.since as string, '--since') : undefined;
  const db = await openLedgerStore();
  try {
    // To a file: a temporary one renamed into place once complete, so a failed write leaves no
    // half file and marks nothing (the export rolls back and the postings go out next time).
    const target = values.out ? userPath(values.out as string) : null;
    const temp = target ? `${target}.${process.pid}.tmp` : null;
    const out = temp ? (await open(temp, 'wx')).createWriteStream() : process.stdout;
    const finish = async () => {
      if (temp && target) {
        await new Promise<void>((done, fail) => out.end((e?: Error | null) => (e ? fail(e) : done())));
        await rename(temp, target);
      } else if (process.stdout.writableLength > 0) {
        await new Promise<void>((done, fail) => {
          process.stdout.once('drain', done);
          process.stdout.once('error', fail);
        });
      }
    };
    try {
      const count = await exportLedgerPayments(db.db, out, {
        since,
        unexported: values.unexported === true,
        mark: values['no-mark'] !== true,
        finish,
      });
      process.stderr.write(`ledger export-payments: ${count} posting${count === 1 ? '' : 's'}\n`);
      return 0;
    } catch (error) {
      if (temp) {
        out.destroy();
        await rm(temp, { force: true });
        throw new Error(
          `cannot write ${target}: ${error instanceof Error ? error.message : String(error)}; nothing marked as exported`,
        );
      }
      throw error;
    }
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`ledger: ${error.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    // A failure the user can act on (a refused database connection…), without a stack trace.
    process.stderr.write(`ledger: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
