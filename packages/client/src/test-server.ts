import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/test/harness.js';
import { createMerchantClient, type MerchantClient } from './merchant-client.js';

export interface ClientTestServer {
  /** The server, there from beforeAll on. */
  readonly server: TestServer;
  /** A merchant client with the server's secret key. */
  readonly merchant: MerchantClient;
}

/**
 * A real Settle server (server/test/harness.ts: its own database, the demo ERP) for the tests of
 * the file or describe block that calls this: started before them, closed after them.
 */
export function useTestServer(): ClientTestServer {
  let started: { server: TestServer; merchant: MerchantClient } | undefined;
  const get = () => {
    if (!started) throw new Error('The test server starts in beforeAll');
    return started;
  };
  beforeAll(async () => {
    const server = await startTestServer();
    started = { server, merchant: createMerchantClient({ apiUrl: server.url, secretKey: server.secretKey }) };
    // PGlite starts in seconds, longer when other test files start theirs at the same time.
  }, 60_000);
  afterAll(() => started?.server.close());
  return {
    get server() {
      return get().server;
    },
    get merchant() {
      return get().merchant;
    },
  };
}
