/**
 * `pnpm --filter @settle/server bench:ledger`: how fast `ledger import` takes a 100,000-row
 * AR-aging file, first into an empty ledger and then again (every row unchanged). Runs on a
 * throwaway PGlite in a temp folder, or on BENCH_DATABASE_URL (an empty PostgreSQL database).
 * LEDGER_BENCH_ROWS changes the row count.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importLedgerCsv } from '../src/erp/ledger-import.js';
import { openStore } from '../src/store/db.js';
import { ledgerCsv } from './ledger-data.js';

const rows = Number(process.env.LEDGER_BENCH_ROWS || 100_000);
const dir = await mkdtemp(join(tmpdir(), 'settle-bench-ledger-'));
try {
  const file = join(dir, 'aging.csv');
  await writeFile(file, ledgerCsv(rows));
  const size = (await stat(file)).size;
  const url = process.env.BENCH_DATABASE_URL || null;
  const db = await openStore({ databaseUrl: url, dataDir: url ? null : join(dir, 'ledger') });
  console.log(
    `ledger import, ${rows.toLocaleString('en-US')} rows (${(size / 1e6).toFixed(1)} MB) on ${url ? 'PostgreSQL' : 'PGlite (on disk)'}`,
  );
  for (const run of ['first import (all new)', 'second import (unchanged)']) {
    const result = await importLedgerCsv(db, createReadStream(file), { totalBytes: size });
    if (result.errors.length) throw new Error(`the generated file has bad rows: ${result.errors[0]?.message}`);
    const rate = Math.round((result.rows * 1000) / result.elapsedMs);
    console.log(
      `  ${run.padEnd(26)} ${(result.elapsedMs / 1000).toFixed(2)} s  ${rate.toLocaleString('en-US')} rows/s  ` +
        `(${result.inserted} new, ${result.updated} changed, ${result.unchanged} unchanged)`,
    );
  }
  await db.destroy();
} finally {
  await rm(dir, { recursive: true, force: true });
}
