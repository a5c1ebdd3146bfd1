import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

const script = fileURLToPath(new URL('../../examples/curl/pay.sh', import.meta.url));

describe('examples/curl/pay.sh', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('pays two invoices with a credit and a short payment using only curl and jq, and exits 0', async () => {
    const { stdout } = await promisify(execFile)('bash', [script], {
      env: { ...process.env, SETTLE_API_URL: server.url, SETTLE_SECRET_KEY: server.secretKey },
      timeout: 60_000,
    });
    expect(stdout).toContain('OK: paid, posted exactly once');
  });

  it('exits non-zero with a clear message when the secret key is wrong', async () => {
    const run = promisify(execFile)('bash', [script], {
      env: { ...process.env, SETTLE_API_URL: server.url, SETTLE_SECRET_KEY: 'sk_test_wrong' },
    });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('answered 401') });
  });
});
