import type { Config } from '../config.js';
import type { ErpAdapter } from './port.js';
import { createDemoErp } from './seed.js';
import { ledgerDataDir, openSqlLedger } from './sql-ledger.js';

/**
 * The ERP adapter SETTLE_ERP names (config.erp.kind): `memory`, the seeded demo ledger (the
 * default, so a fresh checkout runs with nothing to set up); `sql`, the merchant's AR mirrored
 * in Settle's own store (docs/sql-ledger.md); `tryton`, a Tryton server (docs/tryton.md).
 * The SQL ledger lives in Settle's store (DATABASE_URL, or PGlite in SETTLE_DATA_DIR/ledger) on a
 * connection of its own; `inMemory` (tests) keeps an embedded ledger in memory.
 */
export async function createErp(config: Config, options: { inMemory?: boolean } = {}): Promise<ErpAdapter> {
  const kind = config.erp?.kind ?? 'memory';
  switch (kind) {
    case 'memory':
      return createDemoErp();
    case 'sql':
      return openSqlLedger({
        databaseUrl: config.databaseUrl,
        dataDir: options.inMemory ? null : config.dataDir,
      });
    case 'tryton': {
      // loadConfig reads the SETTLE_TRYTON_* settings when SETTLE_ERP=tryton (docs/tryton.md).
      if (!config.tryton) throw new Error('SETTLE_ERP=tryton needs the Tryton settings (see docs/tryton.md)');
      // Loaded only when chosen: the other adapters need none of its code.
      const { createTrytonErp } = await import('./tryton/index.js');
      return createTrytonErp(config.tryton);
    }
    default:
      throw new Error(`SETTLE_ERP: unknown ERP adapter "${kind satisfies never}"`);
  }
}

/** The same as createErp; the name the issue-7 brief uses. */
export const createErpFromEnv = createErp;

/** How the start banner names the adapter in use. */
export function describeErp(config: Config): string {
  switch (config.erp?.kind ?? 'memory') {
    case 'memory':
      return 'seeded demo data (SETTLE_ERP=memory)';
    case 'sql':
      return `SQL ledger in ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${ledgerDataDir(config.dataDir)}`} (fill it: pnpm --filter @settle/server ledger import <aging.csv>)`;
    case 'tryton':
      return 'Tryton (SETTLE_ERP=tryton)';
  }
}
