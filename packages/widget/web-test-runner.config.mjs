// @web/test-runner: every src/**/*.test.ts in the Debian Chromium (never a downloaded one),
// against a real Settle server started in process (scripts/wtr-settle-server.mjs).
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { settleServerPlugin } from './scripts/wtr-settle-server.mjs';

export default {
  // The workspace root: @settle/client and @settle/schema are served from their TypeScript sources.
  rootDir: fileURLToPath(new URL('../..', import.meta.url)),
  files: ['src/**/*.test.ts'],
  nodeResolve: true,
  // A test that hangs fails after 10 s; a file that never finishes loading, after 60 s.
  testFramework: { config: { timeout: 10_000 } },
  // Dev-mode Lit (the "development" export condition) warns about misuse in tests; its banner is noise.
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  testsFinishTimeout: 5 * 60_000,
  browserStartTimeout: 60_000,
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--no-first-run',
        ],
      },
    }),
  ],
  plugins: [
    // esbuild reads only this tsconfig, not what it extends: experimentalDecorators and
    // useDefineForClassFields live in it for that reason (TOOLCHAIN.md).
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
    settleServerPlugin({ log: process.env.SETTLE_TEST_LOG === '1' }),
  ],
};
