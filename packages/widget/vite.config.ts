import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';
import { build, defineConfig, type Plugin, type PluginOption, type UserConfig } from 'vite';

/**
 * The script-tag build: `dist/settle.js`, a minified IIFE with Lit, @settle/client and what it
 * uses of @settle/schema bundled in, and beside it one classic script per lazily loaded piece
 * (`settle-sandbox.js`, `settle-de.js`). The pieces are built first and hashed; settle.js is then
 * built with each piece's integrity value written in, and loads a piece with
 * `<script integrity crossorigin="anonymous">` (src/pieces/load-piece-script.ts), so the one SRI
 * value the page names for settle.js also pins every piece (docs/decisions/0007).
 *
 * The ESM build for npm is `tsc -p tsconfig.build.json` and keeps plain import() for the pieces
 * (src/pieces/load-piece.ts), which bundlers split as usual. This build runs after it and keeps dist/.
 */

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const DIST = fileURLToPath(new URL('./dist/', import.meta.url));

/** Each piece's name (src/pieces/pieces.ts) and its entry, `src/pieces/settle-<x>.ts` -> `dist/settle-<x>.js`. */
const PIECES = { sandbox: 'settle-sandbox', de: 'settle-de' } as const;

/** One self-contained classic script (an IIFE) from one entry, with what every script build shares. */
function classicScript(entry: string, file: string): UserConfig & { plugins: PluginOption[] } {
  return {
    root: ROOT,
    plugins: [
      // Lit's html`` and css`` templates: whitespace and comments out, CSS through lightningcss.
      minifyHtmlLiterals({ include: ['src/**/*.ts'], exclude: ['src/**/*.test.ts'], failOnError: true }),
    ],
    resolve: {
      // The pieces load as SRI-pinned scripts here, not with import() (which an IIFE cannot do).
      alias: [{ find: /^.*\/pieces\/load-piece\.js$/, replacement: `${ROOT}src/pieces/load-piece-script.ts` }],
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
 * settle.js is transformed) and gives settle.js each piece's file and integrity as
 * `__SETTLE_PIECES__`. The file's URL carries its content hash, so a browser that cached an
 * older piece under the same name fetches the new one instead of failing its integrity check.
 */
function pieces(): Plugin {
  return {
    name: 'settle-pieces',
    apply: 'build',
    async config() {
      // Pieces from an earlier build (one since renamed) would be served and reported: remove them.
      const old = (await readdir(DIST).catch(() => [])).filter((f) => /^settle-[a-z0-9-]+\.js(\.map)?$/.test(f));
      await Promise.all(old.map((f) => rm(`${DIST}${f}`)));

      const values: Record<string, { src: string; integrity: string }> = {};
      for (const [name, base] of Object.entries(PIECES)) {
        const file = `${base}.js`;
        await build({ configFile: false, ...classicScript(`src/pieces/${base}.ts`, file) });
        const body = await readFile(`${DIST}${file}`);
        const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
        values[name] = {
          src: `${file}?v=${version}`,
          integrity: `sha384-${createHash('sha384').update(body).digest('base64')}`,
        };
      }
      return { define: { __SETTLE_PIECES__: JSON.stringify(values) } };
    },
  };
}

const settle = classicScript('src/settle.ts', 'settle.js');

export default defineConfig({ ...settle, plugins: [...settle.plugins, pieces()] });
