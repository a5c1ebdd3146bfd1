import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Starts a throwaway PostgreSQL per project and provides its URL as inject('testDatabaseUrl').
const postgresSetup = fileURLToPath(new URL('./scripts/vitest-postgres.ts', import.meta.url));

export default defineConfig({
  test: {
    // The JSON report is what scripts/test-summary.mjs reads at the end of `pnpm test`.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    projects: [
      { test: { name: 'schema', root: 'packages/schema', include: ['src/**/*.test.ts'] } },
      {
        test: {
          name: 'client',
          root: 'packages/client',
          include: ['src/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'server',
          root: 'server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: [postgresSetup],
        },
      },
      {
        // A real Chromium on the demo and hosted pages of a real listening server (needs `pnpm build`).
        test: {
          name: 'e2e',
          root: 'test',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
