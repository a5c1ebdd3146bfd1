// Prints the size (minified, gzip, brotli) of dist/settle.js and of each piece it loads on first
// use (dist/settle-*.js), checks settle.js against its budget, adds up what a payer downloads
// (settle.js, the payment panel settle-checkout.js and the provider's fields, settle-sandbox.js or
// settle-stripe.js, which loads Stripe.js from Stripe on top), and
// writes the values where the server and the release notes read them:
//   dist/settle.js.sri   settle.js's integrity attribute value, `sha384-<base64>`
//   dist/manifest.json   { file, bytes, gzip, brotli, integrity, pieces: [{ name, file, bytes, gzip, brotli, integrity }] }
// A piece's integrity is written by the build (vite.config.ts) into settle.js, or into the piece
// that loads it (settle-checkout.js pins the providers' pieces): a piece whose value neither
// carries comes from another build, and fails this script.
// Node built-ins only, so it runs anywhere the build does.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url);
const MAIN = 'settle.js';
const PIECE = /^settle-([a-z0-9-]+)\.js$/;
/** DESIGN.md: settle.js, Lit included, ships in at most 20 KB brotli. */
const BUDGET_BROTLI = 20 * 1024;

async function measure(file) {
  const source = await readFile(new URL(file, dist));
  const bytes = source.byteLength;
  return {
    file,
    bytes,
    gzip: gzipSync(source, { level: 9 }).byteLength,
    brotli: brotliCompressSync(source, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes },
    }).byteLength,
    integrity: `sha384-${createHash('sha384').update(source).digest('base64')}`,
    text: source.toString('utf8'),
  };
}

const main = await measure(MAIN).catch(() => null);
if (!main) {
  console.error(`dist/${MAIN} is missing: run \`vite build\` first.`);
  process.exit(1);
}
const names = (await readdir(dist)).filter((f) => PIECE.test(f)).sort();
const measured = await Promise.all(names.map((file) => measure(file)));
// settle.js pins some pieces; those pin the rest (settle-checkout.js pins the providers' pieces).
const carriers = [main, ...measured.filter((p) => main.text.includes(p.integrity))];
const pieces = [];
for (const { text, ...piece } of measured) {
  if (!carriers.some((c) => c.text.includes(piece.integrity))) {
    console.error(
      `dist/${piece.file} is not the piece dist/${MAIN} (or a piece it pins) was built with: run \`vite build\` again.`,
    );
    process.exit(1);
  }
  pieces.push({ name: PIECE.exec(piece.file)[1], ...piece });
}
const { text: _, ...settle } = main;

await writeFile(new URL(`${MAIN}.sri`, dist), `${settle.integrity}\n`);
await writeFile(new URL('manifest.json', dist), `${JSON.stringify({ ...settle, pieces }, null, 2)}\n`);

const n = (v) => `${v.toLocaleString('en-US')} B`.padStart(11);
const row = (label, { bytes, gzip, brotli }) => `    ${label.padEnd(34)}${n(bytes)}${n(gzip)}${n(brotli)}`;
const sum = (files) =>
  files.reduce((t, f) => ({ bytes: t.bytes + f.bytes, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }), {
    bytes: 0,
    gzip: 0,
    brotli: 0,
  });
const over = settle.brotli - BUDGET_BROTLI;
const payingWith = (provider) => {
  const files = pieces.filter((p) => p.name === 'checkout' || p.name === provider);
  return files.some((p) => p.name === provider) ? row(`total, paying with ${provider}`, sum([settle, ...files])) : null;
};
const totals = [payingWith('sandbox'), payingWith('stripe')].filter(Boolean);

console.log(`
    ${'dist/'.padEnd(34)}${'minified'.padStart(11)}${'gzip'.padStart(11)}${'brotli'.padStart(11)}
${row(MAIN, settle)}
${pieces.map((p) => row(`${p.file} (on first use)`, p)).join('\n')}
${totals.map((t) => `${t}\n`).join('')}
    settle.js brotli budget ${BUDGET_BROTLI.toLocaleString('en-US')} B: ${
      over > 0
        ? `** OVER BUDGET ** by ${over.toLocaleString('en-US')} B`
        : `met, ${(-over).toLocaleString('en-US')} B to spare`
    }

    ${MAIN.padEnd(20)}${settle.integrity}
${pieces.map((p) => `    ${p.file.padEnd(20)}${p.integrity}`).join('\n')}

  <script src=".../${MAIN}" integrity="${settle.integrity}" crossorigin="anonymous"></script>
  (settle.js carries the pieces' integrity values, or those of the pieces that load the rest.)
`);
