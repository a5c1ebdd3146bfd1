import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { type Config, loadStripeConfig } from './config.js';
import type { Deps, Logger } from './deps.js';
import type { ErpAdapter } from './erp/port.js';
import { createErp } from './erp/select.js';
import { withTimeout } from './erp/timeout.js';
import { startMail } from './mail/runtime.js';
import { OutboxWorker } from './outbox/outbox.js';
import { SandboxProcessor } from './processors/sandbox.js';
import { StripeProcessor } from './processors/stripe.js';
import { jobHandlers, recordParkedJob } from './services/erp-sync.js';
import { ensureMerchant } from './services/merchants.js';
import { openStore } from './store/db.js';

export interface SettleOptions {
  config: Config;
  /** The ERP adapter; when omitted, the one config.erp.kind (SETTLE_ERP) names, the seeded demo by default. */
  erp?: ErpAdapter;
  log?: Logger;
  /** Run the outbox worker in this process (default true). */
  worker?: boolean;
  /** PGlite in memory instead of config.dataDir (tests). */
  inMemory?: boolean;
}

export interface Settle {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  worker: OutboxWorker;
  secretKey: string;
  /** True when the key is the demo key generated into the data folder (safe to print). */
  secretKeyGenerated: boolean;
  close(): Promise<void>;
}

/** Wires the store, the ERP, the processor, the outbox and the HTTP app together. */
export async function createSettle(options: SettleOptions): Promise<Settle> {
  const { config } = options;
  const log = options.log ?? console;
  const db = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: options.inMemory ? null : `${config.dataDir}/pglite`,
  });
  // SETTLE_ERP picks the adapter (erp/select.ts) unless the caller brings its own.
  const erp = withTimeout(
    options.erp ?? (await createErp(config, { inMemory: options.inMemory })),
    config.erpTimeoutMs,
    // A timed-out write gets the rest of the outbox lease (less 2 s) to stop, so no retry overlaps it.
    Math.max(0, config.outbox.leaseMs - config.erpTimeoutMs - 2_000),
  );
  const sandbox =
    config.processor === 'sandbox'
      ? new SandboxProcessor(db, { mode: config.mode, achSettleSeconds: config.sandboxAchSettleSeconds })
      : null;
  let processor: Deps['processor'];
  if (sandbox) processor = sandbox;
  else {
    if (!config.stripe) throw new Error('SETTLE_PROCESSOR=stripe needs the Stripe keys (see docs/going-live.md)');
    // The same checks as from the environment, for configs built in code: live keys only in live mode.
    const stripe = loadStripeConfig(
      {
        STRIPE_SECRET_KEY: config.stripe.secretKey,
        STRIPE_PUBLISHABLE_KEY: config.stripe.publishableKey,
        STRIPE_WEBHOOK_SECRET: config.stripe.webhookSecret,
        STRIPE_API_URL: config.stripe.apiUrl ?? '',
      },
      config.mode,
    );
    processor = new StripeProcessor(db, { mode: config.mode, ...stripe });
  }
  const { secretKey, generated } = await ensureMerchant(db, config);
  const mail = await startMail(config.mail, log, { leaseMs: config.outbox.leaseMs });
  const deps: Deps = { db, erp, processor, sandbox, config, log, mail };
  const worker = new OutboxWorker(db, jobHandlers(deps), {
    ...config.outbox,
    workerId: `w_${randomBytes(6).toString('hex')}`,
    log,
    onParked: (job) => recordParkedJob(deps, job),
  });
  if (options.worker !== false) worker.start();
  return {
    deps,
    app: createApp(deps),
    worker,
    secretKey,
    secretKeyGenerated: generated,
    async close() {
      await worker.stop();
      await mail?.close();
      // An adapter SETTLE_ERP chose is ours to close; one the caller brought is theirs.
      if (!options.erp) await erp.close?.();
      await db.destroy();
    },
  };
}

/** Listens on host:port (0 picks a free port) and resolves with the bound URL. */
export function listen(
  settle: Settle,
  port: number,
  hostname: string,
): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: settle.app.fetch, port, hostname }, (info: AddressInfo) => {
      const host = hostname === '0.0.0.0' ? 'localhost' : hostname;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Open server-sent-event streams would otherwise hold the server open.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
  });
}
