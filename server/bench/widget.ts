/**
 * The widget part of the benchmark: settle.js's size (minified, gzip, brotli) against its 20 KB
 * brotli budget, the size of each piece it loads on first use (dist/manifest.json lists them) and
 * what a payer who pays with the sandbox downloads in all, and <settle-pay> in headless Chromium:
 * from navigation start to interactive with 50 and with 10,000 open invoices, from the first
 * selection to the payment panel ready to pay (settle-checkout.js fetched) with each, and the
 * first "select all" with 10,000.
 * Run by bench/run.ts; see bench/README.md ("Widget") for what each number means.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import puppeteer, { type Browser } from 'puppeteer-core';
import { DEFAULT_WIDGET_DIR } from '../src/web/widget-files.js';
import { WIDGET_CUSTOMERS, WIDGET_PAGE_PATH } from './data.js';
import type { TargetSpec } from './target.js';

/** DESIGN.md and issue 3: settle.js, Lit included, in at most 20 KB brotli (packages/widget/scripts/report-size.mjs). */
export const BROTLI_BUDGET = 20 * 1024;

const CHROMIUM = process.env.BENCH_CHROMIUM || '/usr/bin/chromium';
const RUNS = Math.max(1, Math.round(Number(process.env.BENCH_WIDGET_RUNS) || 7));
const VIEWPORT = { width: 1280, height: 900 };
/** What the headless browser is started with, besides puppeteer's own defaults. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** How long one page may take to become interactive before the run counts as failed. */
const PAGE_TIMEOUT_MS = 60_000;
/** The pause between "interactive" and the select-all click: a person's reaction time, and the page settles. */
const SELECT_ALL_DELAY_MS = 500;
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = path.join(DEFAULT_WIDGET_DIR, 'settle.js');
/** Written by packages/widget/scripts/report-size.mjs on every build: the pieces settle.js loads. */
const MANIFEST = path.join(DEFAULT_WIDGET_DIR, 'manifest.json');

/** One row of the report's Widget table, cells already formatted. */
export interface WidgetRow {
  what: string;
  value: string;
  min: string;
  max: string;
  runs: string;
  notes: string;
}

/** What this part needs from run.ts. */
export interface WidgetContext<T extends { url: string; close(): Promise<void> }> {
  progress(message: string): void;
  startTarget(spec: TargetSpec): Promise<T>;
  mintSession(target: T, customerId: string): Promise<string>;
  /** Adds a note when the server logged errors or died. */
  serverErrors(target: T, what: string): Promise<unknown>;
}

interface Resource {
  end: number;
  transfer: number;
  body: number;
}

/** What bench/widget-probe.js reports once a page is interactive. */
interface ProbeResult {
  ready: number | null;
  firstFrame: number;
  interactive: number;
  rows: number;
  rowCount: number;
  script: Resource | null;
  session: Resource | null;
}

interface SelectAllResult {
  handler: number;
  rendered: number;
  painted: number;
  checked: boolean;
  summaryRows: number;
  total: string | null;
  rows: number;
  selectedRows: number;
}

/** What bench/widget-probe.js reports for the first selection: ms from the click. */
interface FirstSelectionResult {
  ready: number;
  drawn: number;
  /** responseEnd of settle-checkout.js and of the provider's piece, from the click; null when not fetched. */
  checkout: number | null;
  provider: number | null;
}

interface PageRun {
  probe: ProbeResult;
  firstSelection: FirstSelectionResult;
  /** Row elements in the DOM SELECT_ALL_DELAY_MS after interactive, once the list measured its rows. */
  settledRows: number;
  selectAll: SelectAllResult | null;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const bytes = (n: number) => `${int(n)} B`;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : n < 100 ? n.toFixed(1) : n.toFixed(0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function timed(what: string, values: number[], notes: string): WidgetRow {
  return {
    what,
    value: `${ms(median(values))} ms`,
    min: ms(Math.min(...values)),
    max: ms(Math.max(...values)),
    runs: String(values.length),
    notes,
  };
}

const untimed = (what: string, value: string, notes: string): WidgetRow => ({
  what,
  value,
  min: '',
  max: '',
  runs: '',
  notes,
});

export interface WidgetReport {
  rows: WidgetRow[];
  notes: string[];
  /** The browser the timings come from, for the table's heading. */
  browser: string | null;
}

export async function measureWidget<T extends { url: string; close(): Promise<void> }>(
  ctx: WidgetContext<T>,
): Promise<WidgetReport> {
  const report: WidgetReport = { rows: [], notes: [], browser: null };
  const script = await settleJs(ctx.progress, report.notes);
  if (!script) return report;

  const size = sizes(script);
  const over = size.brotli - BROTLI_BUDGET;
  ctx.progress(
    `settle.js: ${bytes(size.minified)} minified, ${bytes(size.gzip)} gzip, ${bytes(size.brotli)} brotli (budget ${bytes(BROTLI_BUDGET)})`,
  );
  const pieces = await piecesOf(report.notes);
  for (const piece of pieces) {
    ctx.progress(
      `${piece.file} (on first use): ${bytes(piece.minified)} minified, ${bytes(piece.gzip)} gzip, ${bytes(piece.brotli)} brotli`,
    );
  }

  const browser = await browserRuns(ctx, report);
  const seen = browser?.scriptTransfer;
  report.rows.push(
    untimed(
      'settle.js minified',
      bytes(size.minified),
      `${kib(size.minified)}` +
        (seen
          ? `; the browser received ${bytes(seen.transfer)} (body ${bytes(seen.body)} + headers): the reference server sends it uncompressed`
          : ''),
    ),
    untimed(
      'settle.js gzip (level 9)',
      bytes(size.gzip),
      `${kib(size.gzip)}, ${pct(size.gzip, size.minified)} of minified`,
    ),
    untimed(
      'settle.js brotli (quality 11)',
      bytes(size.brotli),
      `${kib(size.brotli)}; budget 20 KB (${bytes(BROTLI_BUDGET)}): ` +
        (over > 0
          ? `not met, ${bytes(over)} over (${pct(size.brotli, BROTLI_BUDGET)} of the budget)`
          : `met, ${bytes(-over)} to spare (${pct(size.brotli, BROTLI_BUDGET)} of the budget)`),
    ),
  );
  for (const piece of pieces) {
    report.rows.push(
      untimed(
        `${piece.file} brotli (on first use)`,
        bytes(piece.brotli),
        `${kib(piece.brotli)}; ${bytes(piece.minified)} minified, ${bytes(piece.gzip)} gzip: ${PIECE_USE[piece.name] ?? 'a piece settle.js loads on first use'}`,
      ),
    );
  }
  for (const provider of ['sandbox', 'stripe'] as const) {
    const paying = pieces.filter((p) => p.name === 'checkout' || p.name === provider);
    if (!paying.some((p) => p.name === provider)) continue;
    const total = (key: keyof Sizes) => paying.reduce((sum, p) => sum + p[key], size[key]);
    report.rows.push(
      untimed(
        `paying with the ${provider}, brotli`,
        bytes(total('brotli')),
        `settle.js + ${paying.map((p) => p.file).join(' + ')}: ${kib(total('brotli'))} brotli, ` +
          `${bytes(total('minified'))} minified, ${bytes(total('gzip'))} gzip${provider === 'stripe' ? ', plus Stripe.js' : ''}`,
      ),
    );
  }
  if (seen && seen.body !== size.minified) {
    report.notes.push(
      `widget: the browser was sent ${bytes(seen.body)} of settle.js but dist/settle.js has ${bytes(size.minified)} now (rebuilt during the run?)`,
    );
  }
  if (browser) report.rows.push(...browser.rows);
  return report;
}

const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)}%`;

interface Sizes {
  minified: number;
  gzip: number;
  brotli: number;
}

/** As packages/widget/scripts/report-size.mjs measures: gzip level 9, brotli quality 11 with the size hint. */
function sizes(file: Buffer): Sizes {
  return {
    minified: file.byteLength,
    gzip: gzipSync(file, { level: 9 }).byteLength,
    brotli: brotliCompressSync(file, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: file.byteLength },
    }).byteLength,
  };
}

/** When the page fetches each piece, for the notes. */
const PIECE_USE: Record<string, string> = {
  checkout:
    'the payment panel, fetched on the first selection (at once for a preselected session); interactive does not wait for it',
  sandbox: 'fetched when the payment panel first mounts the fields, after settle-checkout.js',
  stripe:
    'the Stripe provider, fetched instead of the sandbox when the session pays through Stripe; it then loads Stripe.js from js.stripe.com',
  de: 'fetched only when the page or the element asks for German',
};

/** The pieces dist/manifest.json lists, measured from the files as settle.js is; none (with a note) without a manifest. */
async function piecesOf(notes: string[]): Promise<Array<Sizes & { name: string; file: string }>> {
  const manifest = await readFile(MANIFEST, 'utf8').catch(() => null);
  if (!manifest) {
    notes.push(`widget: no ${path.relative(REPO_ROOT, MANIFEST)}; the pieces' rows are left out`);
    return [];
  }
  const listed = (JSON.parse(manifest) as { pieces?: Array<{ name: string; file: string }> }).pieces ?? [];
  const pieces = [];
  for (const { name, file } of listed) {
    const body = await readFile(path.join(DEFAULT_WIDGET_DIR, file)).catch(() => null);
    if (body) pieces.push({ name, file, ...sizes(body) });
    else notes.push(`widget: dist/manifest.json lists ${file}, which is missing`);
  }
  return pieces;
}

/** dist/settle.js, built first when it is missing; null (with a note) when there is none. */
async function settleJs(progress: (message: string) => void, notes: string[]): Promise<Buffer | null> {
  const read = () => readFile(SCRIPT).catch(() => null);
  let script = await read();
  if (script) return script;
  progress(`widget: ${path.relative(REPO_ROOT, SCRIPT)} is missing; running pnpm --filter @settle/widget build`);
  const build = spawnSync('pnpm', ['--filter', '@settle/widget', 'build'], {
    cwd: REPO_ROOT,
    // The build's output is progress, not report: all of it to stderr.
    stdio: ['ignore', 2, 2],
    timeout: 300_000,
  });
  script = await read();
  if (!script) {
    notes.push(
      `widget: no settle.js: ${path.relative(REPO_ROOT, SCRIPT)} is missing and \`pnpm --filter @settle/widget build\` ` +
        `did not make it (${build.error?.message ?? `exit code ${build.status}`}); the Widget rows are left out`,
    );
  }
  return script;
}

interface BrowserPart {
  rows: WidgetRow[];
  scriptTransfer: Resource | null;
}

async function browserRuns<T extends { url: string; close(): Promise<void> }>(
  ctx: WidgetContext<T>,
  report: WidgetReport,
): Promise<BrowserPart | null> {
  if (!existsSync(CHROMIUM)) {
    report.notes.push(
      `widget: no browser at ${CHROMIUM} (set BENCH_CHROMIUM to a Chromium or Chrome binary); the load timings are left out`,
    );
    return null;
  }
  const probe = await readFile(new URL('./widget-probe.js', import.meta.url), 'utf8');
  ctx.progress(
    `widget: starting Settle with ${WIDGET_CUSTOMERS.map((c) => int(c.invoices)).join(' and ')}-invoice customers, and headless Chromium`,
  );
  const target = await ctx.startTarget({ kind: 'settle', erp: 'widget', databaseUrl: null });
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'settle-bench-chromium-'));
  let browser: Browser | null = null;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir,
      args: CHROMIUM_ARGS,
      defaultViewport: VIEWPORT,
      protocolTimeout: 120_000,
    });
    report.browser = await browser.version();
    const problems = new Set<string>();
    const open = (customerId: string, selectAll: boolean) =>
      loadPage(ctx, browser!, target, probe, customerId, selectAll, problems);
    const largest = Math.max(...WIDGET_CUSTOMERS.map((c) => c.invoices));

    // One unmeasured load each: the server's and the browser's first-time costs.
    for (const c of WIDGET_CUSTOMERS) await open(c.id, false);
    const runs = new Map<string, PageRun[]>(WIDGET_CUSTOMERS.map((c) => [c.id, []]));
    ctx.progress(
      `widget: ${RUNS} page loads per customer, alternating; select all on each ${int(largest)}-invoice page`,
    );
    for (let i = 0; i < RUNS; i++) {
      for (const c of WIDGET_CUSTOMERS) {
        const run = await open(c.id, c.invoices === largest);
        runs.get(c.id)?.push(run);
        ctx.progress(
          `  ${int(c.invoices)} invoices: interactive at ${ms(run.probe.interactive)} ms, ` +
            `pay button ready ${ms(run.firstSelection.ready)} ms after the first selection` +
            (run.selectAll ? `, select all painted after ${ms(run.selectAll.painted)} ms` : ''),
        );
      }
    }
    await ctx.serverErrors(target, 'widget');
    for (const p of problems) report.notes.push(`widget: the page said: ${p}`);

    const rows: WidgetRow[] = [];
    let scriptTransfer: Resource | null = null;
    for (const c of WIDGET_CUSTOMERS) {
      const list = runs.get(c.id) ?? [];
      const probes = list.map((r) => r.probe);
      const last = probes[probes.length - 1];
      if (!last) continue;
      scriptTransfer ??= last.script;
      const at = (pick: (p: ProbeResult) => number | null | undefined) =>
        ms(median(probes.map(pick).filter((v): v is number => typeof v === 'number')));
      const sessionKb = last.session ? `; GET /v1/session ${kib(last.session.transfer)}` : '';
      const most = (values: number[]) => int(Math.max(...values));
      rows.push(
        timed(
          `load → interactive, ${int(c.invoices)} invoices`,
          probes.map((p) => p.interactive),
          `medians (ms): settle.js loaded ${at((p) => p.script?.end)}, session read ${at((p) => p.session?.end)}, ` +
            `settle-ready ${at((p) => p.ready)}, row drawn ${at((p) => p.firstFrame)}${sessionKb}; ` +
            `DOM: at most ${most(probes.map((p) => p.rows))} invoice rows at interactive and ` +
            `${most(list.map((r) => r.settledRows))} once settled, for ${int(last.rowCount)} invoices`,
        ),
      );
      const firsts = list.map((r) => r.firstSelection);
      const fetched = (pick: (f: FirstSelectionResult) => number | null) =>
        ms(median(firsts.map(pick).filter((v): v is number => v !== null)));
      rows.push(
        timed(
          `first selection → pay button ready, ${int(c.invoices)} invoices`,
          firsts.map((f) => f.ready),
          `medians (ms) from the click: settle-checkout.js loaded ${fetched((f) => f.checkout)}, ` +
            `settle-sandbox.js loaded ${fetched((f) => f.provider)}, Pay button with the total and the card fields drawn ` +
            `${ms(median(firsts.map((f) => f.drawn)))}`,
        ),
      );
      if (last.rowCount !== c.invoices) {
        report.notes.push(
          `widget: the list says ${int(last.rowCount)} invoices for ${c.id}, expected ${int(c.invoices)}`,
        );
      }
      const selects = list.map((r) => r.selectAll).filter((s): s is SelectAllResult => s !== null);
      const lastSelect = selects[selects.length - 1];
      if (lastSelect) {
        rows.push(
          timed(
            `select all → next frame, ${int(c.invoices)} invoices`,
            selects.map((s) => s.painted),
            `one invoice already selected; medians (ms): click handlers (selection, local quote) ${ms(median(selects.map((s) => s.handler)))}, ` +
              `re-rendered ${ms(median(selects.map((s) => s.rendered)))}; DOM after: the summary has ` +
              `${int(lastSelect.summaryRows)} invoice lines (total ${lastSelect.total ?? '-'}), the list ${int(lastSelect.rows)} rows`,
          ),
        );
        if (!selects.every((s) => s.checked && s.summaryRows === c.invoices)) {
          report.notes.push(
            `widget: after select all, ${selects.filter((s) => !s.checked).length} runs left the box unchecked; ` +
              `summary lines per run: ${selects.map((s) => s.summaryRows).join(', ')} (expected ${int(c.invoices)})`,
          );
        }
      }
    }
    return { rows, scriptTransfer };
  } catch (err) {
    report.notes.push(`widget: the browser part failed: ${err instanceof Error ? err.message : String(err)}`);
    return { rows: [], scriptTransfer: null };
  } finally {
    await browser?.close().catch(() => {});
    await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    await target.close();
  }
}

/**
 * One cold page load in a fresh browser context (empty cache, no cookies), with a session
 * minted for it first (not timed): navigation to the bench page, then the probe's numbers.
 */
async function loadPage<T extends { url: string; close(): Promise<void> }>(
  ctx: WidgetContext<T>,
  browser: Browser,
  target: T,
  probe: string,
  customerId: string,
  selectAll: boolean,
  problems: Set<string>,
): Promise<PageRun> {
  const token = await ctx.mintSession(target, customerId);
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warn') problems.add(message.text().slice(0, 300));
    });
    page.on('pageerror', (error) => problems.add(error instanceof Error ? error.message : String(error)));
    await page.evaluateOnNewDocument(probe);
    await page.goto(`${target.url}${WIDGET_PAGE_PATH}?token=${encodeURIComponent(token)}`, {
      waitUntil: 'domcontentloaded',
      timeout: PAGE_TIMEOUT_MS,
    });
    const result = await withTimeout(
      page.evaluate('window.__settleBench.result()') as Promise<ProbeResult>,
      PAGE_TIMEOUT_MS,
      `${customerId}: the widget did not become interactive`,
    );
    await new Promise((resolve) => setTimeout(resolve, SELECT_ALL_DELAY_MS));
    const settledRows = (await page.evaluate('window.__settleBench.rows()')) as number;
    const firstSelection = await withTimeout(
      page.evaluate('window.__settleBench.firstSelection()') as Promise<FirstSelectionResult>,
      PAGE_TIMEOUT_MS,
      `${customerId}: the payment panel did not get ready after the first selection`,
    );
    await new Promise((resolve) => setTimeout(resolve, SELECT_ALL_DELAY_MS));
    let selected: SelectAllResult | null = null;
    if (selectAll) {
      selected = await withTimeout(
        page.evaluate('window.__settleBench.selectAll()') as Promise<SelectAllResult>,
        PAGE_TIMEOUT_MS,
        `${customerId}: select all did not finish`,
      );
    }
    return { probe: result, firstSelection, settledRows, selectAll: selected };
  } finally {
    await context.close().catch(() => {});
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${timeoutMs / 1000} s`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
