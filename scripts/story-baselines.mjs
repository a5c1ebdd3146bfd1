// Visual regression for scripts/check-stories.mjs: each story's screenshot against its committed
// baseline in stories/__baselines__/. `UPDATE_BASELINES=1` writes them instead of comparing.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

const DIR = new URL('../stories/__baselines__/', import.meta.url).pathname;
export const UPDATE = process.env.UPDATE_BASELINES === '1';
/**
 * Runs on one machine are pixel-identical; the tolerance absorbs anti-aliasing noise (about 100
 * pixels of a story), while one changed word moves several hundred.
 */
const MAX_DIFF_RATIO = 0.0001;
const PIXEL_THRESHOLD = 0.1;

/** The clock every story sees while screenshotted: dates, "overdue N days" and receipts stay the same. */
export const FROZEN_AT = Date.parse('2026-11-20T15:00:00Z');

/** Runs in the page before any script: time starts at FROZEN_AT and moves on normally from there. */
export function freezeClock(start) {
  const RealDate = Date;
  const offset = start - RealDate.now();
  class FrozenDate extends RealDate {
    constructor(...args) {
      super(...(args.length ? args : [RealDate.now() + offset]));
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  window.Date = FrozenDate;
}

/**
 * Pixels are only comparable between runs on the same renderer: the same Chromium and the same
 * fonts. The baselines record theirs (renderer.json); on another renderer the comparison is
 * skipped with a warning that says how to record baselines for it, rather than failing every
 * story on anti-aliasing it did not cause.
 */
let comparable = true;
export function useRenderer(chromiumVersion) {
  let fonts = 'unknown';
  try {
    const files = execFileSync('fc-list', ['--format', '%{file}\\n'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    fonts = createHash('sha256').update(files.sort().join('\n')).digest('hex').slice(0, 16);
  } catch {
    // No fontconfig: the fingerprint says so.
  }
  const renderer = { chromium: chromiumVersion, fonts };
  const file = join(DIR, 'renderer.json');
  if (UPDATE) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, `${JSON.stringify(renderer, null, 2)}\n`);
    return null;
  }
  const recorded = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  comparable = recorded?.chromium === renderer.chromium && recorded?.fonts === renderer.fonts;
  return comparable
    ? null
    : `baselines were recorded on ${JSON.stringify(recorded)}, this machine renders with ${JSON.stringify(renderer)}: ` +
        'pixel comparison skipped (UPDATE_BASELINES=1 records baselines for this renderer)';
}

/** Compares (or writes) the baseline for `id`; returns a problem, or null. */
export function compareBaseline(id, screenshot) {
  const file = join(DIR, `${id}.png`);
  if (UPDATE) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, screenshot);
    return null;
  }
  if (!comparable) return null;
  if (!existsSync(file)) return `no baseline (${file}); run with UPDATE_BASELINES=1 and commit it`;
  const expected = PNG.sync.read(readFileSync(file));
  const actual = PNG.sync.read(screenshot);
  if (expected.width !== actual.width || expected.height !== actual.height) {
    writeFileSync(join(DIR, `${id}.actual.png`), screenshot);
    return `looks different: ${actual.width}×${actual.height}, baseline ${expected.width}×${expected.height} (${id}.actual.png)`;
  }
  const diff = new PNG({ width: actual.width, height: actual.height });
  const changed = pixelmatch(expected.data, actual.data, diff.data, actual.width, actual.height, {
    threshold: PIXEL_THRESHOLD,
  });
  const ratio = changed / (actual.width * actual.height);
  if (ratio <= MAX_DIFF_RATIO) return null;
  writeFileSync(join(DIR, `${id}.actual.png`), screenshot);
  writeFileSync(join(DIR, `${id}.diff.png`), PNG.sync.write(diff));
  return `looks different: ${(ratio * 100).toFixed(2)}% of pixels changed (${id}.diff.png)`;
}
