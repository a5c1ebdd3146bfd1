import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startTestServer, type TestServer } from './harness.js';

describe.each(STORES)('server on %s', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(() => server?.close());

  it('answers health and lists the ERP customers to the merchant', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ ok: true });
    const res = await fetch(`${server.url}/v1/customers`, { headers: { authorization: `Bearer ${server.secretKey}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ id: string }> };
    expect(body.data.map((c) => c.id)).toContain('cus_acme');
  });
});
