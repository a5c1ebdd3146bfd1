/// <reference path="../server/test/provided-context.d.ts" />
/**
 * vitest globalSetup: gives the tests of a project a real PostgreSQL.
 *
 * - `TEST_DATABASE_URL` set by the caller: that database is used as is.
 * - `SETTLE_SKIP_POSTGRES=1`: no database; tests receive an empty string and should skip.
 * - otherwise a throwaway cluster is started with scripts/start-postgres.sh in a temp dir, on 127.0.0.1 and a
 *   free port, and stopped and deleted again in teardown. Each project using this setup gets its own cluster.
 *
 * Tests read the URL with `inject('testDatabaseUrl')` (typed in server/test/provided-context.d.ts) or from
 * `process.env.TEST_DATABASE_URL`.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const START_SCRIPT = fileURLToPath(new URL('./start-postgres.sh', import.meta.url));
const NOT_INSTALLED = 'PostgreSQL is needed for the tests: apt-get install -y postgresql (or set TEST_DATABASE_URL)';
/** start-postgres.sh exits with this code when it finds no initdb/pg_ctl. */
const EXIT_NOT_INSTALLED = 3;

// vitest imports this file once per project, so remember across imports which URLs are ours: a URL this setup
// put into process.env for one project is not a caller-provided TEST_DATABASE_URL for the next project.
const ownUrlsKey = Symbol.for('settle.vitest-postgres.ownUrls');
const ownUrls: Set<string> =
  ((globalThis as Record<symbol, unknown>)[ownUrlsKey] as Set<string> | undefined) ?? new Set<string>();
(globalThis as Record<symbol, unknown>)[ownUrlsKey] = ownUrls;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.TEST_DATABASE_URL;
  if (given && !ownUrls.has(given)) {
    project.provide('testDatabaseUrl', given);
    return undefined;
  }
  if (process.env.SETTLE_SKIP_POSTGRES === '1') {
    console.warn(`[vitest-postgres] SETTLE_SKIP_POSTGRES=1: no PostgreSQL for project "${project.name}"`);
    project.provide('testDatabaseUrl', '');
    return undefined;
  }

  const dir = mkdtempSync(join(tmpdir(), 'settle-pg-'));
  const watchdog = startWatchdog(dir);
  let url: string | undefined;
  try {
    url = await startCluster(dir);
  } finally {
    if (!url) {
      stopCluster(dir);
      watchdog.kill();
    }
  }

  ownUrls.add(url);
  process.env.TEST_DATABASE_URL = url;
  // The test workers get process.env merged with the project's `env`; set it there too so that each project's
  // workers see their own cluster even though process.env holds only the last one.
  project.config.env = { ...project.config.env, TEST_DATABASE_URL: url };
  project.provide('testDatabaseUrl', url);

  return async () => {
    stopCluster(dir);
    watchdog.kill();
    ownUrls.delete(url);
    if (process.env.TEST_DATABASE_URL === url) delete process.env.TEST_DATABASE_URL;
  };
}

async function startCluster(dir: string): Promise<string> {
  let lastError: unknown;
  // The free port can be taken between probing and binding; try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      return await runStartScript(dir, port);
    } catch (error) {
      if ((error as { code?: unknown }).code === EXIT_NOT_INSTALLED) throw new Error(NOT_INSTALLED);
      lastError = error;
    }
  }
  throw new Error(`[vitest-postgres] could not start PostgreSQL in ${dir}: ${(lastError as Error).message}`);
}

function runStartScript(dir: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [START_SCRIPT, dir, String(port)],
      { env: { ...process.env, SETTLE_PG_FAST: '1' }, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(Object.assign(new Error(`${error.message}${stderr}`), { code: error.code }));
          return;
        }
        const url = stdout.trim().split('\n').at(-1) ?? '';
        if (!url.startsWith('postgres://')) reject(new Error(`unexpected output from ${START_SCRIPT}: ${stdout}`));
        else resolve(url);
      },
    );
  });
}

function stopCluster(dir: string): void {
  const result = spawnSync('bash', [START_SCRIPT, '--stop', dir], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    console.warn(`[vitest-postgres] stopping the cluster in ${dir} failed: ${result.stderr || result.error}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A detached shell that stops the cluster and deletes its dir once this process is gone, for when teardown never
 * runs (vitest killed, crash). Teardown kills it after stopping the cluster itself.
 */
function startWatchdog(dir: string) {
  const child = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; bash "$2" --stop "$3" >/dev/null 2>&1; rm -rf -- "$3"',
      'vitest-postgres-watchdog',
      String(process.pid),
      START_SCRIPT,
      dir,
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  return child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}
