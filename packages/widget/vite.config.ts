import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';
import { build, defineConfig, type Plugin, type PluginOption, type UserConfig } from 'vite';
import { SHARED_KEY, SHARED_NAMES } from './src/pieces/shared-names.ts';

/**
 * The script-tag build: `dist/settle.js`, a minified IIFE with Lit, @settle/client and what it
 * uses of @settle/schema bundled in, and beside it one classic script per lazily loaded piece
 * (`settle-checkout.js`, `settle-sandbox.js`, `settle-stripe.js`, `settle-de.js`). The checkout piece reads Lit and a
 * few modules from settle.js instead of bundling copies (`sharedFromSettle`, docs/decisions/0008). The pieces are built first and hashed; settle.js is then
 * built with each piece's integrity value written in, and loads a piece with
 * `<script integrity crossorigin="anonymous">` (src/pieces/load-piece-script.ts), so the one SRI
 * value the page names for settle.js also pins every piece (docs/decisions/0007).
 *
 * The ESM build for npm is `tsc -p tsconfig.build.json` and keeps plain import() for the pieces
 * (src/pieces/load-piece.ts), which bundlers split as usual. This build runs after it and keeps dist/.
 */

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const DIST = fileURLToPath(new URL('./dist/', import.meta.url));

/**
 * Each piece's name (src/pieces/pieces.ts) and its entry, `src/pieces/settle-<x>.ts` ->
 * `dist/settle-<x>.js`, in build order: a piece is built after those it pins. settle.js pins the
 * checkout piece and the German messages; the checkout piece pins the provider pieces it loads.
 */
const PIECES = {
  sandbox: 'settle-sandbox',
  stripe: 'settle-stripe',
  de: 'settle-de',
  checkout: 'settle-checkout',
} as const;
type PieceName = keyof typeof PIECES;
/** Who pins each piece: settle.js, or the checkout piece (its build's `__SETTLE_CHECKOUT_PIECES__`). */
const PINNED_BY: Record<PieceName, 'settle' | 'checkout'> = {
  sandbox: 'checkout',
  stripe: 'checkout',
  de: 'settle',
  checkout: 'settle',
};
/** The pieces that read Lit and the modules of src/pieces/shared-names.ts from settle.js. */
const BORROWING = new Set<PieceName>(['checkout']);

const SHARED_PREFIX = '\0settle-shared:';
/** The one module of a piece that reads what settle.js lent. */
const SHARED_LENT = '\0settle-shared';

/**
 * Resolves a piece's imports of the modules settle.js lends (src/pieces/shared-names.ts) to
 * modules that read them from the registry settle.js fills (src/pieces/shared-script.ts), so the piece
 * carries no second Lit. Any other import of Lit fails the build: it would be a second copy.
 */
function sharedFromSettle(): Plugin {
  const entries: [string, { from: string; names: readonly string[] }][] = Object.entries(SHARED_NAMES);
  const byModule = new Map(entries.map(([key, { from, names }]) => [from, { key, names }]));
  const byKey = new Map(entries.map(([key, { names }]) => [key, names]));
  const src = `${ROOT}src/`;
  return {
    name: 'settle-shared-from-settle',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === SHARED_LENT) return SHARED_LENT;
      const bare = byModule.get(source);
      if (bare) return `${SHARED_PREFIX}${bare.key}`;
      if (/^(lit|lit-html|lit-element|@lit\/reactive-element)(\/|$)/.test(source)) {
        throw new Error(`${importer} imports ${source}, which settle.js does not lend (src/pieces/shared-names.ts)`);
      }
      if (!source.startsWith('.') || !importer) return null;
      const path = relative(src, resolve(dirname(importer), source)).replaceAll('\\', '/');
      const shared = byModule.get(path.replace(/\.(js|ts)$/, ''));
      return shared ? `${SHARED_PREFIX}${shared.key}` : null;
    },
    load(id) {
      if (id === SHARED_LENT) {
        // Read once, as the piece starts, by the first module that uses a lent name: every name comes
        // from the same lent object, what settle.js lent right before it inserted this script.
        return [
          `export const lent = globalThis[Symbol.for(${JSON.stringify(SHARED_KEY)})];`,
          `if (!lent) throw new Error("Settle's pieces run only when settle.js loads them");`,
        ].join('\n');
      }
      if (!id.startsWith(SHARED_PREFIX)) return null;
      const key = id.slice(SHARED_PREFIX.length);
      const exported = byKey.get(key) ?? [];
      return [
        `import { lent } from ${JSON.stringify(SHARED_LENT)};`,
        `const m = lent[${JSON.stringify(key)}];`,
        ...exported.map((name) => `export const ${name} = m.${name};`),
      ].join('\n');
    },
  };
}

/**
 * settle.js reads an event stream only to watch a payment, which only the checkout piece does: its
 * copy of @settle/client's transport gets a stand-in for the parser (src/pieces/sse-script.ts),
 * and the parser itself ships in settle-checkout.js.
 */
function sseFromCheckout(): Plugin {
  return {
    name: 'settle-sse-from-checkout',
    enforce: 'pre',
    resolveId(source, importer) {
      const fromTransport = importer?.replaceAll('\\', '/').endsWith('/client/src/transport.ts');
      return source === './sse.js' && fromTransport ? `${ROOT}src/pieces/sse-script.ts` : null;
    },
  };
}

/**
 * One self-contained classic script (an IIFE) from one entry, with what every script build shares;
 * `borrow`: Lit and the modules of src/pieces/shared-names.ts come from settle.js (`sharedFromSettle`).
 */
function classicScript(entry: string, file: string, borrow = false): UserConfig & { plugins: PluginOption[] } {
  // The pieces load as SRI-pinned scripts here, not with import() (which an IIFE cannot do): with
  // settle.js's pins in settle.js, with its own through settle.js's lent loader in a borrowing piece.
  const loader = borrow ? 'load-piece-checkout.ts' : 'load-piece-script.ts';
  return {
    root: ROOT,
    plugins: [
      ...(borrow ? [sharedFromSettle()] : []),
      // Lit's html`` and css`` templates: whitespace and comments out, CSS through lightningcss.
      minifyHtmlLiterals({ include: ['src/**/*.ts'], exclude: ['src/**/*.test.ts'], failOnError: true }),
    ],
    resolve: {
      alias: [{ find: /^(\.\/|.*\/pieces\/)load-piece\.js$/, replacement: `${ROOT}src/pieces/${loader}` }],
    },
    // Lit's decorators as tsconfig.json declares them (experimentalDecorators, useDefineForClassFields
    // false), stated here so the bundle never depends on which tsconfig a file resolves to.
    oxc: {
      decorator: { legacy: true },
      typescript: { removeClassFieldsWithoutInitializer: true },
      assumptions: { setPublicClassFields: true },
    },
    build: {
      target: 'es2022',
      outDir: DIST,
      emptyOutDir: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      sourcemap: true,
      lib: { entry, formats: ['iife'], name: 'Settle', fileName: () => file },
      rolldownOptions: { output: { codeSplitting: false } },
    },
  };
}

/**
 * Builds the pieces before settle.js (in the `config` hook, so their values are known before
 * settle.js is transformed), each after the pieces it pins, and gives each loader the file and
 * integrity of the pieces it pins: settle.js as `__SETTLE_PIECES__`, the checkout piece as
 * `__SETTLE_CHECKOUT_PIECES__`. The file's URL carries its content hash, so a browser that cached
 * an older piece under the same name fetches the new one instead of failing its integrity check.
 */
function pieces(): Plugin {
  return {
    name: 'settle-pieces',
    apply: 'build',
    async config() {
      // Pieces from an earlier build (one since renamed) would be served and reported: remove them.
      const old = (await readdir(DIST).catch(() => [])).filter((f) => /^settle-[a-z0-9-]+\.js(\.map)?$/.test(f));
      await Promise.all(old.map((f) => rm(`${DIST}${f}`)));

      const pins = { settle: {}, checkout: {} } as Record<
        'settle' | 'checkout',
        Record<string, { src: string; integrity: string }>
      >;
      for (const [name, base] of Object.entries(PIECES) as [PieceName, string][]) {
        const file = `${base}.js`;
        const script = classicScript(`src/pieces/${base}.ts`, file, BORROWING.has(name));
        const define = { __SETTLE_CHECKOUT_PIECES__: JSON.stringify(pins.checkout) };
        await build({ configFile: false, ...script, define });
        const body = await readFile(`${DIST}${file}`);
        const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
        pins[PINNED_BY[name]][name] = {
          src: `${file}?v=${version}`,
          integrity: `sha384-${createHash('sha384').update(body).digest('base64')}`,
        };
      }
      return { define: { __SETTLE_PIECES__: JSON.stringify(pins.settle) } };
    },
  };
}

const settle = classicScript('src/settle.ts', 'settle.js');

export default defineConfig({ ...settle, plugins: [...settle.plugins, sseFromCheckout(), pieces()] });
