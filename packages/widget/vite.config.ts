import minifyHtmlLiterals from '@lit-labs/rollup-plugin-minify-html-literals';
import { defineConfig } from 'vite';

/**
 * The script-tag build: `dist/settle.js`, one self-contained, minified IIFE with Lit, zod/mini,
 * @settle/client and @settle/schema bundled in. The ESM build for npm is `tsc -p
 * tsconfig.build.json` (bundlers do their own bundling), so this runs after it and keeps dist/.
 *
 * The lazily imported pieces (the sandbox provider, the German messages) are inlined here, while
 * the npm build keeps them lazy: chunks fetched by import() would carry no integrity value, and
 * the page's SRI check should cover every line of Settle that runs on it (DOMAIN.md §5).
 * See docs/decisions/0005-settle-js-is-one-file.md for the measured cost.
 */
export default defineConfig({
  plugins: [
    // Lit's html`` and css`` templates: whitespace and comments out, CSS through lightningcss.
    minifyHtmlLiterals({ include: ['src/**/*.ts'], exclude: ['src/**/*.test.ts'], failOnError: true }),
  ],
  // Lit's decorators as tsconfig.json declares them (experimentalDecorators, useDefineForClassFields
  // false), stated here so the bundle never depends on which tsconfig a file resolves to.
  oxc: {
    decorator: { legacy: true },
    typescript: { removeClassFieldsWithoutInitializer: true },
    assumptions: { setPublicClassFields: true },
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    copyPublicDir: false,
    reportCompressedSize: false,
    sourcemap: true,
    lib: {
      entry: 'src/settle.ts',
      formats: ['iife'],
      name: 'Settle',
      fileName: () => 'settle.js',
    },
    rolldownOptions: {
      output: { codeSplitting: false },
    },
  },
});
