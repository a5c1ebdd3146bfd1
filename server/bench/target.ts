/**
 * A server under test, in its own process so the load generator (bench/run.ts) does not share
 * its event loop. Started by run.ts with `fork()`; the spec arrives in BENCH_TARGET, the bound
 * URL goes back over IPC. Not meant to be run by hand.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.js';
import { MemoryErp } from '../src/erp/memory.js';
import type { ErpAdapter } from '../src/erp/port.js';
import { createDemoErp } from '../src/erp/seed.js';
import { createSettle, listen } from '../src/server.js';
import { bigLedger, paymentLedger } from './data.js';

export interface TargetSpec {
  kind: 'settle' | 'bare';
  /** Which ledger the MemoryErp holds (settle only). */
  erp?: 'demo' | 'big' | 'payments';
  /** PostgreSQL URL, or null for PGlite in memory (settle only). */
  databaseUrl?: string | null;
}

export type TargetMessage =
  | { type: 'ready'; url: string; secretKey: string | null }
  | { type: 'stats'; stats: TargetStats };

export interface TargetStats {
  /** What the server logged through log.error, first few. */
  errors: string[];
  errorCount: number;
  /** Outbox jobs by kind and status. */
  outbox: Array<{ kind: string; status: string; count: number }>;
  /** Payments by status and ERP status. */
  payments: Array<{ status: string; erp_status: string; count: number }>;
}

const send = (message: TargetMessage) => process.send?.(message);
const spec = JSON.parse(process.env.BENCH_TARGET ?? '{}') as TargetSpec;

const errors: string[] = [];
let errorCount = 0;
const describe = (value: unknown) =>
  value instanceof Error ? (value.stack ?? `${value.name}: ${value.message}`) : String(value);
const log = {
  info() {},
  warn() {},
  error(...args: unknown[]) {
    errorCount += 1;
    if (errors.length < 5) errors.push(args.map(describe).join(' ').slice(0, 2000));
  },
};

let close: () => Promise<void> = async () => {};
let stats: () => Promise<TargetStats> = async () => ({ errors, errorCount, outbox: [], payments: [] });

if (spec.kind === 'bare') {
  const app = new Hono();
  app.get('/', (c) => c.json({ ok: true }));
  app.post('/', async (c) => {
    const body = await c.req.json<{ allocations?: unknown[] }>();
    return c.json({ ok: true, allocations: body.allocations?.length ?? 0 }, 201);
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
    send({ type: 'ready', url: `http://127.0.0.1:${info.port}`, secretKey: null });
  });
  close = () => new Promise<void>((done) => server.close(() => done()));
} else {
  const erp: ErpAdapter =
    spec.erp === 'big'
      ? new MemoryErp(bigLedger())
      : spec.erp === 'payments'
        ? new MemoryErp(paymentLedger())
        : createDemoErp();
  const config = loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: spec.databaseUrl ?? null,
      secretKey: `sk_test_${randomBytes(24).toString('base64url')}`,
    },
  );
  const settle = await createSettle({ config, erp, inMemory: true, log });
  const server = await listen(settle, 0, '127.0.0.1');
  close = async () => {
    await server.close();
    await settle.close();
  };
  stats = async () => {
    const db = settle.deps.db;
    const outbox = await db
      .selectFrom('outbox')
      .select(['kind', 'status', sql<number>`count(*)::int`.as('count')])
      .groupBy(['kind', 'status'])
      .orderBy('kind')
      .execute();
    const payments = await db
      .selectFrom('payments')
      .select(['status', 'erp_status', sql<number>`count(*)::int`.as('count')])
      .groupBy(['status', 'erp_status'])
      .execute();
    return { errors, errorCount, outbox, payments };
  };
  send({ type: 'ready', url: server.url, secretKey: settle.secretKey });
}

process.on('message', (message: unknown) => {
  if (message === 'stats') {
    stats().then(
      (s) => send({ type: 'stats', stats: s }),
      (err: unknown) =>
        send({ type: 'stats', stats: { errors: [describe(err)], errorCount: 1, outbox: [], payments: [] } }),
    );
  } else if (message === 'close') {
    const timer = setTimeout(() => process.exit(0), 5_000);
    close().finally(() => {
      clearTimeout(timer);
      process.exit(0);
    });
  }
});
// The parent went away (Ctrl-C, crash): don't linger.
process.on('disconnect', () => process.exit(0));
