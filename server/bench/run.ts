/**
 * Settle's benchmark: quote cost at 10,000 invoices, session reads and payments per second
 * against the real server, each beside a bare Hono app on the same machine; then the widget:
 * settle.js's size and <settle-pay>'s load to interactive in headless Chromium (bench/widget.ts).
 *
 *   pnpm bench                              PGlite in memory
 *   DATABASE_URL=postgres://... pnpm bench  payments also against PostgreSQL (on a scratch database)
 *   BENCH_ONLY=widget pnpm bench            the widget part alone
 *
 * Prints numbers only; nothing is asserted and nothing is written to disk. Progress goes to
 * stderr, the report to stdout. See bench/README.md for what each number means.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type CreateSessionResponse,
  computeQuote,
  type PaymentProposal,
  type QuoteContext,
  QuoteRequestSchema,
  type SessionView,
} from '@settle/schema';
import autocannon from 'autocannon';
import pg from 'pg';
import { DEFAULT_RULES } from '../src/config.js';
import {
  asSessionItems,
  BIG_CREDITS,
  BIG_CUSTOMER_ID,
  BIG_INVOICES,
  bigLedger,
  hugeInvoiceId,
  PAY_CUSTOMERS,
  PAYMENT_AMOUNT,
  payCustomerId,
  payEverything,
} from './data.js';
import type { TargetMessage, TargetSpec, TargetStats } from './target.js';
import { measureWidget, type WidgetReport } from './widget.js';

const DURATION = positive(process.env.BENCH_DURATION, 10);
const WARMUP = positive(process.env.BENCH_WARMUP, 2);
const CONNECTIONS = positive(process.env.BENCH_CONNECTIONS, 20);
const QUOTE_RUNS = positive(process.env.BENCH_QUOTE_RUNS, 30);
const HTTP_QUOTE_RUNS = 10;
const DATABASE_URL = process.env.DATABASE_URL || null;
/** 'widget': only the widget part (size and browser), for working on the widget. */
const ONLY = process.env.BENCH_ONLY || null;

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isFinite(n) && n > 0 ? n : fallback;
}

const started = performance.now();
const progress = (message: string) => {
  const at = ((performance.now() - started) / 1000).toFixed(0).padStart(3);
  process.stderr.write(`[${at}s] ${message}\n`);
};

// ---------------------------------------------------------------------------------------------
// Small helpers: statistics, formatting, HTTP.

interface Summary {
  median: number;
  p95: number;
  min: number;
  runs: number;
}

function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), min: sorted[0] ?? NaN, runs: sorted.length };
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** autocannon records latencies in whole milliseconds. */
const lat = (value: number) => (!Number.isFinite(value) ? '-' : value < 1 ? '<1' : Math.round(value).toString());
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

async function http<T>(
  method: 'GET' | 'POST',
  url: string,
  token: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; data: T; text: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body,
  });
  const text = await res.text();
  const elapsed = performance.now() - t0;
  let data: T;
  try {
    data = JSON.parse(text) as T;
  } catch {
    data = undefined as T;
  }
  return { status: res.status, data, text, ms: elapsed };
}

async function ok<T>(call: Promise<{ status: number; data: T; text: string }>, what: string): Promise<T> {
  const res = await call;
  if (res.status < 200 || res.status > 299)
    throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 500)}`);
  return res.data;
}

// ---------------------------------------------------------------------------------------------
// Servers under test run in a child process each (bench/target.ts): the load generator gets
// one core, the server the other, and neither's event loop slows the other.

interface Target {
  url: string;
  secretKey: string;
  stats(): Promise<TargetStats>;
  close(): Promise<void>;
  /** Set when the server process died on its own. */
  exited: { code: number | null; signal: string | null } | null;
}

function startTarget(spec: TargetSpec): Promise<Target> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./target.ts', import.meta.url)), [], {
    env: { ...process.env, BENCH_TARGET: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`the server process exited (${code}) before it was ready`));
    child.once('exit', early);
    child.on('message', function ready(message: TargetMessage) {
      if (message.type !== 'ready') return;
      child.off('message', ready);
      child.off('exit', early);
      const target: Target = {
        url: message.url,
        secretKey: message.secretKey ?? '',
        exited: null,
        stats: () =>
          new Promise((done, fail) => {
            if (target.exited) return fail(new Error('the server process is gone'));
            const onStats = (m: TargetMessage) => {
              if (m.type !== 'stats') return;
              child.off('message', onStats);
              done(m.stats);
            };
            child.on('message', onStats);
            child.send('stats');
          }),
        close: () =>
          new Promise<void>((done) => {
            if (target.exited) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.send('close');
          }),
      };
      child.once('exit', (code, signal) => {
        target.exited = { code, signal };
        if (code !== 0) progress(`!! server process exited with code ${code} signal ${signal}`);
      });
      resolve(target);
    });
  });
}

async function mintSession(target: Target, customerId: string): Promise<string> {
  const session = await ok(
    http<CreateSessionResponse>(
      'POST',
      `${target.url}/v1/sessions`,
      target.secretKey,
      JSON.stringify({ customerId, expiresInSeconds: 86_400 }),
    ),
    `POST /v1/sessions (${customerId})`,
  );
  return session.clientToken;
}

async function cardToken(target: Target, clientToken: string): Promise<string> {
  const token = await ok(
    http<{ id: string }>(
      'POST',
      `${target.url}/v1/sandbox/tokens`,
      clientToken,
      JSON.stringify({ type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' }),
    ),
    'POST /v1/sandbox/tokens',
  );
  return token.id;
}

// ---------------------------------------------------------------------------------------------
// Load runs.

interface LoadRow {
  name: string;
  store: string;
  /** 2xx responses per second. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  codes: string;
  /** First few non-2xx bodies, to see why. */
  failures: string[];
  /** 2xx responses during the warm-up run before it. */
  warmupOk: number;
  /** The bare Hono row this one is compared with. */
  bare?: string;
}

interface LoadSpec {
  name: string;
  store: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Builds each request (unique Idempotency-Key, round-robin customers). */
  setup?: (n: number) => { headers: Record<string, string>; body: string };
  bare?: string;
}

let requestCounter = 0;

async function load(spec: LoadSpec, duration = DURATION): Promise<LoadRow> {
  const failures: string[] = [];
  const url = new URL(spec.url);
  const request: autocannon.Request = {
    method: spec.method ?? 'GET',
    path: url.pathname,
    onResponse: (status, body) => {
      if ((status < 200 || status > 299) && failures.length < 3) failures.push(`${status} ${body.slice(0, 400)}`);
    },
  };
  if (spec.setup) {
    const setup = spec.setup;
    request.setupRequest = (req) => {
      const { headers, body } = setup(requestCounter++);
      return { ...req, headers: { ...req.headers, ...headers }, body };
    };
  }
  const result = await autocannon({
    url: url.origin,
    connections: CONNECTIONS,
    duration,
    headers: spec.headers ?? {},
    requests: [request],
  });
  const codes = Object.entries(result.statusCodeStats ?? {})
    .map(([code, { count }]) => `${code}×${count ?? 0}`)
    .join(' ');
  return {
    name: spec.name,
    store: spec.store,
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    codes,
    failures,
    warmupOk: 0,
    ...(spec.bare ? { bare: spec.bare } : {}),
  };
}

async function measure(spec: LoadSpec): Promise<LoadRow> {
  progress(`${spec.name} [${spec.store}]: warm-up ${WARMUP}s, then ${DURATION}s × ${CONNECTIONS} connections`);
  const warmup = await load(spec, WARMUP);
  const row = { ...(await load(spec, DURATION)), warmupOk: warmup.ok };
  progress(
    `  ${int(row.rps)} 2xx/s, p50 ${lat(row.p50)} ms, p99 ${lat(row.p99)} ms, 2xx ${row.ok}, non-2xx ${row.non2xx}, errors ${row.errors}` +
      (warmup.non2xx || warmup.errors ? ` (warm-up: non-2xx ${warmup.non2xx}, errors ${warmup.errors})` : ''),
  );
  for (const f of warmup.failures) progress(`  warm-up non-2xx sample: ${f}`);
  for (const f of row.failures) progress(`  non-2xx sample: ${f}`);
  return row;
}

// ---------------------------------------------------------------------------------------------
// 1. Quote at 10,000 invoices and 1,000 credits.

interface QuoteRow {
  name: string;
  summary: Summary;
  note: string;
}

const quoteRows: QuoteRow[] = [];
const loadRows: LoadRow[] = [];
const notes: string[] = [];

function timeIt(runs: number, warmup: number, fn: () => void): Summary {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return summarize(times);
}

function pureQuote(): void {
  const ledger = bigLedger();
  const items = asSessionItems(ledger);
  const ctx: QuoteContext = {
    currency: 'USD',
    invoices: items.invoices,
    credits: items.credits,
    rules: DEFAULT_RULES,
    region: 'US-NY',
  };
  const proposal: PaymentProposal = payEverything(items);
  const check = computeQuote(ctx, proposal);
  if (check.issues.length) {
    notes.push(
      `computeQuote reported ${check.issues.length} issues on the bench proposal, e.g. ${check.issues[0]?.code}`,
    );
  }
  const shorts = proposal.allocations.filter((a) => a.reasonCode).length;
  const body = JSON.stringify(proposal);
  progress(`computeQuote: ${BIG_INVOICES} invoices (${shorts} short-paid), ${BIG_CREDITS} credits, ${QUOTE_RUNS} runs`);
  quoteRows.push({
    name: 'computeQuote (pure function)',
    summary: timeIt(QUOTE_RUNS, 5, () => computeQuote(ctx, proposal)),
    note: `${shorts} short-paid, credits unpinned, total ${check.quote.total} minor units`,
  });
  quoteRows.push({
    name: 'JSON.parse + zod validation of the body',
    summary: timeIt(QUOTE_RUNS, 5, () => QuoteRequestSchema.parse(JSON.parse(body))),
    note: `${kb(Buffer.byteLength(body))} request body`,
  });
}

async function serverQuote(): Promise<void> {
  progress(`server quote: starting Settle with a ${BIG_INVOICES}-invoice customer (PGlite in memory)`);
  const target = await startTarget({ kind: 'settle', erp: 'big', databaseUrl: null });
  try {
    const mintTimes: number[] = [];
    let token = '';
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      token = await mintSession(target, BIG_CUSTOMER_ID);
      mintTimes.push(performance.now() - t0);
    }
    const sessionUrl = `${target.url}/v1/session`;
    let view: SessionView | null = null;
    let viewBytes = 0;
    const readTimes: number[] = [];
    for (let i = 0; i < HTTP_QUOTE_RUNS + 2; i++) {
      const res = await http<SessionView>('GET', sessionUrl, token);
      if (res.status !== 200) throw new Error(`GET /v1/session answered ${res.status}: ${res.text.slice(0, 300)}`);
      view = res.data;
      viewBytes = Buffer.byteLength(res.text);
      if (i >= 2) readTimes.push(res.ms);
    }
    if (!view) throw new Error('no session view');
    const body = JSON.stringify(payEverything(view));
    const quoteTimes: number[] = [];
    let responseBytes = 0;
    progress(
      `server quote: POST /v1/session/quote with a ${kb(Buffer.byteLength(body))} body, ${HTTP_QUOTE_RUNS} runs`,
    );
    for (let i = 0; i < HTTP_QUOTE_RUNS + 2; i++) {
      const res = await http<unknown>('POST', `${target.url}/v1/session/quote`, token, body);
      if (res.status !== 200)
        throw new Error(`POST /v1/session/quote answered ${res.status}: ${res.text.slice(0, 500)}`);
      responseBytes = Buffer.byteLength(res.text);
      if (i >= 2) quoteTimes.push(res.ms);
    }
    quoteRows.push({
      name: 'POST /v1/session/quote (HTTP, real server)',
      summary: summarize(quoteTimes),
      note: `${kb(Buffer.byteLength(body))} in, ${kb(responseBytes)} out`,
    });
    quoteRows.push({
      name: 'GET /v1/session, same customer',
      summary: summarize(readTimes),
      note: `${kb(viewBytes)} out`,
    });
    quoteRows.push({
      name: 'POST /v1/sessions (mint), same customer',
      summary: summarize(mintTimes),
      note: 'snapshot of 11,000 items stored',
    });
    await reportServerErrors(target, 'server quote');
  } finally {
    await target.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Session reads, 3. payments.

async function reportServerErrors(target: Target, what: string): Promise<TargetStats | null> {
  if (target.exited) {
    notes.push(`${what}: the server process died (code ${target.exited.code}, signal ${target.exited.signal})`);
    return null;
  }
  const stats = await target.stats();
  if (stats.errorCount > 0) {
    notes.push(`${what}: the server logged ${stats.errorCount} errors; first: ${stats.errors[0]?.split('\n')[0]}`);
    for (const e of stats.errors.slice(0, 2)) progress(`  server error: ${e}`);
  }
  return stats;
}

async function sessionReads(store: string, databaseUrl: string | null): Promise<void> {
  progress(`session reads [${store}]: starting Settle with the demo ERP`);
  const target = await startTarget({ kind: 'settle', erp: 'demo', databaseUrl });
  try {
    const token = await mintSession(target, 'cus_acme');
    loadRows.push(
      await measure({
        name: 'GET /v1/session',
        store,
        url: `${target.url}/v1/session`,
        headers: { authorization: `Bearer ${token}` },
        bare: 'bare Hono GET',
      }),
    );
    await reportServerErrors(target, `GET /v1/session [${store}]`);
  } finally {
    await target.close();
  }
}

function payProposal(customer: number, paymentMethodToken: string) {
  return {
    method: 'card' as const,
    allocations: [{ invoiceId: hugeInvoiceId(customer), amount: PAYMENT_AMOUNT, reasonCode: 'partial_payment' }],
    paymentMethodToken,
  };
}

/** A payment body with the total the payer accepted (the card surcharge included), as the widget sends it. */
function payBody(customer: number, paymentMethodToken: string, expectedTotal: number): string {
  return JSON.stringify({ ...payProposal(customer, paymentMethodToken), expectedTotal });
}

/** The server's total for that payment with that card: what the payer sees before paying. */
async function quotedTotal(target: Target, clientToken: string, customer: number, cardToken: string): Promise<number> {
  const quote = await ok(
    http<{ total: number }>(
      'POST',
      `${target.url}/v1/session/quote`,
      clientToken,
      JSON.stringify(payProposal(customer, cardToken)),
    ),
    'POST /v1/session/quote (payment setup)',
  );
  return quote.total;
}

async function bare(): Promise<void> {
  progress('bare Hono: starting @hono/node-server');
  const target = await startTarget({ kind: 'bare' });
  try {
    loadRows.push(await measure({ name: 'bare Hono GET', store: '-', url: `${target.url}/` }));
    // The same shape and length as a payment body: $10.00 plus a 3% surcharge.
    const body = payBody(0, 'tok_sbx_bench', PAYMENT_AMOUNT + 30);
    const runId = randomBytes(4).toString('hex');
    loadRows.push(
      await measure({
        name: 'bare Hono POST (JSON body)',
        store: '-',
        method: 'POST',
        url: `${target.url}/`,
        setup: (n) => ({
          headers: {
            authorization: 'Bearer ct_test_bench',
            'content-type': 'application/json',
            'idempotency-key': `bench-${runId}-${n}`,
          },
          body,
        }),
      }),
    );
  } finally {
    await target.close();
  }
}

async function payments(store: string, databaseUrl: string | null): Promise<void> {
  progress(`payments [${store}]: starting Settle with ${PAY_CUSTOMERS} customers`);
  const target = await startTarget({ kind: 'settle', erp: 'payments', databaseUrl });
  try {
    const customers: Array<{ token: string; body: string }> = [];
    for (let start = 0; start < PAY_CUSTOMERS; start += 20) {
      const batch = Array.from({ length: Math.min(20, PAY_CUSTOMERS - start) }, async (_, k) => {
        const i = start + k;
        const token = await mintSession(target, payCustomerId(i));
        const card = await cardToken(target, token);
        return { token, body: payBody(i, card, await quotedTotal(target, token, i, card)) };
      });
      customers.push(...(await Promise.all(batch)));
    }
    const runId = randomBytes(4).toString('hex');
    const first = customers[0];
    if (!first) throw new Error('no customers');
    // One payment by hand first: a setup mistake should read as one, not as a throughput number.
    const probe = await http<{ status: string }>('POST', `${target.url}/v1/session/payments`, first.token, first.body, {
      'idempotency-key': `bench-${runId}-probe`,
    });
    if (probe.status !== 201 || probe.data?.status !== 'succeeded') {
      throw new Error(`a single payment answered ${probe.status}: ${probe.text.slice(0, 500)}`);
    }
    const headersOf = (c: { token: string }, n: number) => ({
      authorization: `Bearer ${c.token}`,
      'content-type': 'application/json',
      'idempotency-key': `bench-${runId}-${n}`,
    });
    const loadStarted = performance.now();
    const single = await measure({
      name: 'POST /v1/session/payments, 1 customer',
      store,
      method: 'POST',
      url: `${target.url}/v1/session/payments`,
      setup: (n) => ({ headers: headersOf(first, n), body: first.body }),
      bare: 'bare Hono POST (JSON body)',
    });
    loadRows.push(single);
    const many = await measure({
      name: `POST /v1/session/payments, ${PAY_CUSTOMERS} customers`,
      store,
      method: 'POST',
      url: `${target.url}/v1/session/payments`,
      setup: (n) => {
        const c = customers[n % customers.length] ?? first;
        return { headers: headersOf(c, n), body: c.body };
      },
      bare: 'bare Hono POST (JSON body)',
    });
    loadRows.push(many);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    // Let the requests still in flight when autocannon stopped finish before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stats = await reportServerErrors(target, `payments [${store}]`);
    if (stats) {
      const count = (rows: Array<{ count: number }>) => rows.reduce((s, r) => s + Number(r.count), 0);
      const succeeded = count(stats.payments.filter((p) => p.status === 'succeeded'));
      const other = stats.payments.filter((p) => p.status !== 'succeeded');
      const pendingPosts = count(stats.outbox.filter((o) => o.kind === 'erp_post' && o.status === 'pending'));
      const posted = count(stats.payments.filter((p) => p.erp_status === 'posted'));
      notes.push(
        `payments [${store}]: ${int(succeeded)} payments succeeded in the store` +
          (other.length ? ` (+ ${other.map((o) => `${o.count} ${o.status}`).join(', ')})` : '') +
          `; the outbox had posted ${int(posted)} of them to the ERP (${(posted / loadSeconds).toFixed(0)}/s over the` +
          ` ${loadSeconds.toFixed(0)} s of load), ${int(pendingPosts)} postings still queued; the client counted ${int(1 + single.ok + single.warmupOk + many.ok + many.warmupOk)}` +
          ' 2xx answers (probe and warm-ups included; a request in flight when a run stops may succeed uncounted)',
      );
    }
  } finally {
    await target.close();
  }
}

/** A throwaway database on the DATABASE_URL server, so the bench never touches real data. */
async function scratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> } | string> {
  const name = `settle_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await admin.end().catch(() => {});
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await c.end();
    },
  };
}

async function postgresVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ server_version: string }>('show server_version');
  await c.end();
  return rows[0]?.server_version ?? '?';
}

// ---------------------------------------------------------------------------------------------
// 4. The report.

function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

function report(machine: string, stores: string, widget: WidgetReport | null): void {
  const out: string[] = [];
  out.push(
    '',
    '## Settle benchmark',
    '',
    machine,
    `Load average at the end ${loadAverage()} (1 / 5 / 15 min)`,
    stores,
    '',
  );
  if (quoteRows.length) {
    out.push(`### Quote: ${int(BIG_INVOICES)} invoices, ${int(BIG_CREDITS)} credit memos (ms)`, '');
    out.push(
      table(
        ['what', 'median', 'p95', 'min', 'runs', 'notes'],
        quoteRows.map((r) => [
          r.name,
          ms(r.summary.median),
          ms(r.summary.p95),
          ms(r.summary.min),
          String(r.summary.runs),
          r.note,
        ]),
        [false, true, true, true, true, false],
      ),
    );
  }
  if (loadRows.length) {
    out.push(
      '',
      `### HTTP: autocannon, ${CONNECTIONS} connections, ${DURATION} s each (after ${WARMUP} s warm-up)`,
      '',
    );
    const bareRps = new Map(loadRows.filter((r) => r.store === '-').map((r) => [r.name, r.rps]));
    out.push(
      table(
        ['what', 'store', '2xx/s', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'vs bare Hono'],
        loadRows.map((r) => {
          const b = r.bare ? bareRps.get(r.bare) : undefined;
          const ratio = b
            ? `${((r.rps / b) * 100).toFixed(r.rps / b < 0.1 ? 2 : 1)}% (1/${(b / r.rps).toFixed(0)})`
            : '';
          return [r.name, r.store, int(r.rps), lat(r.p50), lat(r.p99), int(r.ok), int(r.non2xx), int(r.errors), ratio];
        }),
        [false, false, true, true, true, true, true, true, true],
      ),
    );
  }
  if (widget?.rows.length) {
    out.push(
      '',
      `### Widget: settle.js, and <settle-pay> in headless Chromium${widget.browser ? ` (${widget.browser})` : ''}; value: bytes, or the median in ms`,
      '',
    );
    out.push(
      table(
        ['what', 'value', 'min', 'max', 'runs', 'notes'],
        widget.rows.map((r) => [r.what, r.value, r.min, r.max, r.runs, r.notes]),
        [false, true, true, true, true, false],
      ),
    );
  }
  if (widget) notes.push(...widget.notes);
  if (notes.length) {
    out.push('', 'Notes:');
    for (const n of notes) out.push(`- ${n}`);
  }
  out.push('', `Total bench time ${((performance.now() - started) / 1000).toFixed(0)} s.`, '');
  process.stdout.write(out.join('\n'));
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  const machine =
    `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
    `${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ${os.platform()} ${os.release()} ${os.arch()}, Node ${process.version}` +
    `; load average at start ${loadAverage()} (the benchmark itself needs both cores)`;
  progress(machine);
  let stores = 'Store: PGlite in memory (payments also on PostgreSQL: set DATABASE_URL)';

  const widgetContext = { progress, startTarget, mintSession, serverErrors: reportServerErrors };
  if (ONLY === 'widget') {
    report(machine, 'Store: PGlite in memory', await measureWidget(widgetContext));
    return;
  }
  if (ONLY) throw new Error(`BENCH_ONLY=${ONLY}: only 'widget' is known`);

  pureQuote();
  await serverQuote();
  await sessionReads('PGlite', null);
  await bare();
  await payments('PGlite', null);
  if (DATABASE_URL) {
    const scratch = await scratchDatabase(DATABASE_URL);
    if (typeof scratch === 'string') {
      stores = `Store: PGlite in memory; PostgreSQL skipped: could not create a scratch database (${scratch})`;
    } else {
      const version = await postgresVersion(scratch.url);
      stores = `Store: PGlite in memory, and PostgreSQL ${version} (server pool of 10) for the session-read and payment rows`;
      try {
        await sessionReads('PostgreSQL', scratch.url);
        await payments('PostgreSQL', scratch.url);
      } finally {
        await scratch.drop();
      }
    }
  }
  const widget = await measureWidget(widgetContext);
  report(machine, stores, widget);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
