/**
 * A real trytond for the Tryton adapter's tests: a temporary SQLite database initialised with
 * trytond-admin, seeded by server/tryton/seed.py, served on a free 127.0.0.1 port. It can be
 * stopped and started again on the same port to simulate downtime. Needs Debian's tryton-server
 * and tryton-modules-account-invoice (installed by .ci/run) and Debian's own python3.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's python3: another python3 earlier on PATH (pyenv, a venv) does not see the Tryton modules. */
export const TRYTON_PYTHON = process.env.SETTLE_TRYTON_PYTHON || '/usr/bin/python3';
const SEED = fileURLToPath(new URL('../tryton/seed.py', import.meta.url));
const DB = 'settle';

/** What seed.py prints. */
export interface TrytonSeed {
  company: number;
  /** Party codes: Settle's customer ids. */
  customer: string;
  otherCustomer: string;
  invoices: number[];
  partlyPaidInvoice: number;
  creditMemo: number;
  otherInvoices: number[];
  paymentMethods: { cash: number; credit: number; deduction: number };
  /** The "Card surcharge income" revenue account (code 4950). */
  surchargeAccount: number;
}

export interface Trytond {
  /** The database's JSON-RPC root, e.g. http://127.0.0.1:41234/settle/ */
  url: string;
  user: string;
  password: string;
  seed: TrytonSeed;
  dir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Runs SQL on the SQLite database (tests use it to expire sessions). */
  sql(statement: string): Promise<void>;
  /** The first column of the first row of a query on the SQLite database, as text. */
  query(statement: string): Promise<string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Creates, seeds and starts a trytond; about 15 s. `sessionTimeout` sets trytond's `[session]
 * timeout` (seconds of inactivity after which a wizard wants a fresh login; 300 by default).
 */
export async function startTrytond(options: { sessionTimeout?: number } = {}): Promise<Trytond> {
  const dir = await mkdtemp(join(tmpdir(), 'settle-trytond-'));
  const port = await freePort();
  const conf = join(dir, 'trytond.conf');
  const password = 'settle-admin';
  const session = options.sessionTimeout ? `\n[session]\ntimeout = ${options.sessionTimeout}\n` : '';
  await writeFile(conf, `[database]\nuri = sqlite://\npath = ${dir}\n\n[web]\nlisten = 127.0.0.1:${port}\n${session}`);
  await writeFile(join(dir, 'admin-password'), `${password}\n`);
  await writeFile(join(dir, `${DB}.sqlite`), '');
  const env = { ...process.env, TRYTONPASSFILE: join(dir, 'admin-password') };
  await run(
    TRYTON_PYTHON,
    [
      '/usr/bin/trytond-admin',
      '-c',
      conf,
      '-d',
      DB,
      '--all',
      '-u',
      'account_invoice',
      'account_payment',
      'account_statement',
      '--activate-dependencies',
      '--email',
      'admin@example.com',
    ],
    { env, maxBuffer: 64 << 20 },
  );
  const { stdout } = await run(TRYTON_PYTHON, [SEED, '-c', conf, '-d', DB], { env, maxBuffer: 16 << 20 });
  const seed = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as TrytonSeed;
  const url = `http://127.0.0.1:${port}/${DB}/`;
  let child: ChildProcess | null = null;

  const start = async () => {
    if (child) return;
    const proc = spawn(TRYTON_PYTHON, ['/usr/bin/trytond', '-c', conf], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    child = proc;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`trytond exited (${proc.exitCode}): ${log}`);
      // Any HTTP answer (an unauthenticated call gets 401) means trytond is serving.
      const ok = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
      }).then(
        (r) => r.status < 500,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`trytond did not answer on ${url}: ${log}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    user: 'admin',
    password,
    seed,
    dir,
    start,
    stop,
    sql: async (statement) => {
      await run(TRYTON_PYTHON, [
        '-c',
        'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()',
        join(dir, `${DB}.sqlite`),
        statement,
      ]);
    },
    query: async (statement) => {
      const { stdout } = await run(TRYTON_PYTHON, [
        '-c',
        'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])',
        join(dir, `${DB}.sqlite`),
        statement,
      ]);
      return stdout.trim();
    },
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
