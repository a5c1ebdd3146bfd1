// Prints dist/settle.js's size (minified, gzip, brotli) and its Subresource Integrity value,
// and writes them where the server and the release notes read them:
//   dist/settle.js.sri   the integrity attribute value, `sha384-<base64>`
//   dist/manifest.json   { file, bytes, gzip, brotli, integrity }
// Node built-ins only, so it runs anywhere the build does.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url);
const file = 'settle.js';
/** DESIGN.md: settle.js, Lit included, ships in at most 20 KB brotli. */
const BUDGET_BROTLI = 20 * 1024;

const source = await readFile(new URL(file, dist)).catch(() => null);
if (!source) {
  console.error(`dist/${file} is missing: run \`vite build\` first.`);
  process.exit(1);
}

const bytes = source.byteLength;
const gzip = gzipSync(source, { level: 9 }).byteLength;
const brotli = brotliCompressSync(source, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes },
}).byteLength;
const integrity = `sha384-${createHash('sha384').update(source).digest('base64')}`;

await writeFile(new URL(`${file}.sri`, dist), `${integrity}\n`);
await writeFile(
  new URL('manifest.json', dist),
  `${JSON.stringify({ file, bytes, gzip, brotli, integrity }, null, 2)}\n`,
);

const kb = (n) => `${(n / 1024).toFixed(1).padStart(6)} KB  (${n} B)`;
console.log(`
  dist/${file}
    minified  ${kb(bytes)}
    gzip      ${kb(gzip)}
    brotli    ${kb(brotli)}   budget ${BUDGET_BROTLI / 1024} KB${brotli > BUDGET_BROTLI ? '  ** OVER BUDGET **' : ''}
    integrity ${integrity}

  <script src=".../${file}" integrity="${integrity}" crossorigin="anonymous"></script>
`);
