// Opens every story of the static Storybook (storybook-static/, from `pnpm build-storybook`) in
// headless system Chromium and fails on a story that throws, whose play function fails, whose
// axe check (the a11y addon, `a11y.test: 'error'`) finds a violation, or on a state of issue 5
// that has no story. puppeteer-core never downloads a browser.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import puppeteer from 'puppeteer-core';
import { compareBaseline, FROZEN_AT, freezeClock, UPDATE, useRenderer } from './story-baselines.mjs';

const ROOT = new URL('../storybook-static/', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STORY_TIMEOUT_MS = 20_000;

/** Every state issue 5 asks a designer to see, by story id. */
const REQUIRED = {
  loading: 'components-settle-pay--loading',
  'empty (nothing open)': 'components-settle-pay--empty',
  'one invoice': 'components-settle-pay--one-invoice',
  'many invoices (windowed)': 'components-settle-pay--many-invoices',
  overdue: 'components-settle-pay--overdue',
  'short pay with reason': 'components-settle-pay--short-pay-with-reason',
  'credits applied': 'components-settle-pay--credits-applied',
  'method over its limit': 'components-settle-pay--method-over-limit',
  'surcharge shown': 'components-settle-pay--surcharge-shown',
  'debit without surcharge': 'components-settle-pay--debit-without-surcharge',
  'ACH authorization': 'components-settle-pay--ach-authorization',
  processing: 'components-settle-pay--processing',
  'ACH pending': 'components-settle-pay--ach-pending',
  'success receipt': 'components-settle-pay--success-receipt',
  declined: 'components-settle-pay--declined',
  'expired session': 'components-settle-pay--expired-session',
  'network error': 'components-settle-pay--network-error',
  'invoice list': 'components-settle-invoice-list--invoices',
};

/** What each docs page must show from the Custom Elements Manifest: a property, an event, a part, a custom property. */
const DOCS = {
  'components-settle-pay--docs': [
    'clientToken',
    'client',
    'settle-success',
    'settle-submit',
    'pay-button',
    '--settle-color-primary',
    '--settle-pay-max-width',
  ],
  'components-settle-invoice-list--docs': ['reasonCodes', 'settle-lines-change', '--settle-invoice-list-row-height'],
};

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

if (!existsSync(join(ROOT, 'index.json'))) {
  console.error('storybook-static/index.json is missing: run `pnpm build-storybook` first.');
  process.exit(1);
}

const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(ROOT, path);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!file.startsWith(ROOT) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const index = JSON.parse(readFileSync(join(ROOT, 'index.json'), 'utf8'));
// STORY=<part of an id> checks only the matching stories (and skips the list of required states).
const only = process.env.STORY;
const stories = Object.values(index.entries).filter((e) => !only || e.id.includes(only));
const ids = new Set(stories.map((s) => s.id));
const failures = [
  ...(only ? [] : Object.entries(REQUIRED)),
  ...(only ? [] : Object.keys(DOCS).map((id) => ['docs page', id])),
]
  .filter(([, id]) => !ids.has(id))
  .map(([state, id]) => `missing story for "${state}" (${id})`);

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--no-first-run',
  ],
});
const renderer = useRenderer(await browser.version());
if (renderer) console.warn(`warning: ${renderer}`);

/**
 * Collects the preview's outcome: listeners go on the channel the moment the preview creates it,
 * so no event is missed. Only the reporters' statuses and violations leave the page.
 */
function listen() {
  window.__storyOutcome = null;
  let channel;
  Object.defineProperty(window, '__STORYBOOK_ADDONS_CHANNEL__', {
    configurable: true,
    get: () => channel,
    set(value) {
      channel = value;
      value.on('storyFinished', ({ status, reporters = [] }) => {
        window.__storyOutcome ??= {
          name: 'storyFinished',
          status,
          reporters: reporters.map((r) => ({
            type: r.type,
            status: r.status,
            violations: (r.result?.violations ?? []).map((v) => `${v.id} (${v.nodes?.length ?? 0})`),
          })),
        };
      });
      value.on('docsRendered', () => {
        window.__storyOutcome ??= { name: 'docsRendered' };
      });
      for (const name of ['storyErrored', 'storyThrewException', 'playFunctionThrewException']) {
        value.on(name, (payload) => {
          window.__storyOutcome = { name, message: String(payload?.message ?? payload?.description ?? payload) };
        });
      }
    },
  });
}

async function check(page, story) {
  const errors = [];
  const onError = (error) => errors.push(error.message);
  page.on('pageerror', onError);
  try {
    const mode = story.type === 'docs' ? 'docs' : 'story';
    await page.goto(`${base}/iframe.html?id=${story.id}&viewMode=${mode}`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__storyOutcome, { timeout: STORY_TIMEOUT_MS });
    const outcome = await page.evaluate(() => window.__storyOutcome);
    if (outcome.name === 'docsRendered') {
      // The API tables render once the docs page is there; give them a moment.
      const wanted = DOCS[story.id] ?? [];
      await page
        .waitForFunction((w) => w.every((t) => document.body.textContent.includes(t)), { timeout: 5000 }, wanted)
        .catch(() => {});
      const text = await page.evaluate(() => document.body.textContent);
      return [...errors, ...wanted.filter((t) => !text.includes(t)).map((t) => `docs page does not mention ${t}`)];
    }
    if (outcome.name !== 'storyFinished') return [`${outcome.name}: ${outcome.message}`];
    const problems = [...errors];
    for (const reporter of outcome.reporters) {
      if (reporter.status !== 'failed' && reporter.status !== 'error') continue;
      problems.push(`${reporter.type}: ${reporter.violations.join(', ') || reporter.status}`);
    }
    if (outcome.status === 'error' && problems.length === 0) problems.push('story finished with an error');
    if (problems.length === 0) {
      const problem = compareBaseline(story.id, await screenshot(page));
      if (problem) problems.push(problem);
    }
    return problems;
  } catch (error) {
    return [...errors, error.message];
  } finally {
    page.off('pageerror', onError);
  }
}

/** The rendered story, with no blinking caret (the sandbox's fields are light DOM, so page CSS reaches them). */
async function screenshot(page) {
  await page.addStyleTag({ content: '*, *::before, *::after { caret-color: transparent !important; }' });
  // The payment summary is sticky: where it sits depends on the scroll a play function left.
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    return document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => r())));
  });
  const root = await page.$('#storybook-root');
  return Buffer.from(await root.screenshot({ type: 'png' }));
}

const started = Date.now();
const queue = [...stories];
const results = [];
async function worker() {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.evaluateOnNewDocument(freezeClock, FROZEN_AT);
  await page.evaluateOnNewDocument(listen);
  await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
  for (let story = queue.shift(); story; story = queue.shift()) {
    let problems = await check(page, story);
    // Now and then (two cores, two pages) a story's outcome event never arrives; a story that
    // really hangs hangs twice.
    if (problems.some((p) => p.startsWith('Waiting failed'))) {
      console.log(`  (no outcome from ${story.id}; trying it once more)`);
      problems = await check(page, story);
    }
    results.push({ story, problems });
    console.log(`${problems.length ? '✗' : '✓'} ${story.title} / ${story.name}`);
    for (const p of problems) console.log(`    ${p}`);
  }
  await page.close();
}
await Promise.all([worker(), worker()]);
await browser.close();
server.close();

for (const { story, problems } of results) {
  for (const p of problems) failures.push(`${story.id}: ${p}`);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failures.length) {
  console.error(`\n${failures.length} problem(s) in ${stories.length} stories (${seconds} s):`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
const looks = UPDATE ? 'baselines written' : 'each as its baseline';
console.log(
  `\n${stories.length} stories and docs pages rendered, every state of issue 5 present, no axe violations, ${looks} (${seconds} s).`,
);
