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
import { PAGE_CSP } from '../src/web/routes.js';
import { widgetFiles } from '../src/web/widget-files.js';
import { bigLedger, paymentLedger, WIDGET_PAGE_PATH, widgetLedger } from './data.js';

export interface TargetSpec {
  kind: 'settle' | 'bare';
  /**
   * Which ledger the MemoryErp holds (settle only). 'widget' also serves the browser
   * benchmark's page at WIDGET_PAGE_PATH.
   */
  erp?: 'demo' | 'big' | 'payments' | 'widget';
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
        : spec.erp === 'widget'
          ? new MemoryErp(widgetLedger())
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
  const server = spec.erp === 'widget' ? await listenWithPage(settle.app.fetch) : await listen(settle, 0, '127.0.0.1');
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

/**
 * The real app behind a fetch that also answers WIDGET_PAGE_PATH: the two lines a merchant
 * pastes (settle.js with its integrity value, one element) on an otherwise empty page, same
 * origin as the API and sent with the same strict CSP as the demo page. Nothing else on it, so
 * the browser benchmark times the widget and not a merchant's page or its session minting.
 */
function listenWithPage(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<{ url: string; close(): Promise<void> }> {
  const files = widgetFiles();
  const page = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const token = url.searchParams.get('token') ?? '';
    const script = await files.get('settle.js');
    if (!/^[\w-]+$/.test(token) || !script) return new Response('token or settle.js missing', { status: 400 });
    const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Settle widget benchmark</title>
<link rel="icon" href="data:,">
<script src="/settle.js" integrity="${script.integrity}" crossorigin="anonymous"></script>
</head>
<body>
<settle-pay client-token="${token}" api-url="${url.origin}"></settle-pay>
</body>
</html>
`;
    return new Response(body, {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': PAGE_CSP,
        'cache-control': 'no-store',
      },
    });
  };
  return new Promise((resolve) => {
    const server = serve(
      {
        fetch: (request: Request) =>
          new URL(request.url).pathname === WIDGET_PAGE_PATH ? page(request) : fetch(request),
        port: 0,
        hostname: '127.0.0.1',
      },
      (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      },
    );
  });
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
