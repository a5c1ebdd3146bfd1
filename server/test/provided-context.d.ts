// Values that vitest globalSetup files hand to tests through `project.provide` / `inject`.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * postgres:// URL of the PostgreSQL the tests may use (scripts/vitest-postgres.ts), or '' when
     * SETTLE_SKIP_POSTGRES=1 (skip database tests then).
     */
    testDatabaseUrl: string;
  }
}
