import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/test/harness.js';
import { type Chromium, launchChromium, openTab, type Tab } from './browser.js';

const SETTLE_JS = fileURLToPath(new URL('../../../packages/widget/dist/settle.js', import.meta.url));

/** The browser tests load the built widget: without it they could only fail, and say less. */
export function requireWidgetBuild(): void {
  if (!existsSync(SETTLE_JS)) {
    throw new Error(`${SETTLE_JS} is missing: run pnpm build first (the root \`pnpm test\` does).`);
  }
}

export interface Stage {
  /** The Settle test server, there from the file's beforeAll on. */
  readonly server: TestServer;
  /** A new tab (openTab), closed after the test that opened it. */
  newTab(): Promise<Tab>;
  /** A request to Settle's merchant API with the secret key; anything but a 2xx throws. */
  merchantApi<T>(path: string, init?: RequestInit): Promise<T>;
}

/**
 * A Settle test server and a headless Chromium for the test file that calls this at its top:
 * both start before its tests and close after them.
 */
export function useStage(options: Parameters<typeof startTestServer>[0] = {}): Stage {
  let server: TestServer | undefined;
  let chromium: Chromium | undefined;
  const tabs: Tab[] = [];
  const started = () => {
    if (!server || !chromium) throw new Error('The stage starts in beforeAll');
    return { server, chromium };
  };

  beforeAll(async () => {
    requireWidgetBuild();
    [server, chromium] = await Promise.all([startTestServer(options), launchChromium()]);
  });
  afterEach(async () => {
    await Promise.all(tabs.splice(0).map((tab) => tab.close()));
  });
  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  return {
    get server() {
      return started().server;
    },
    async newTab() {
      const tab = await openTab(started().chromium.browser);
      tabs.push(tab);
      return tab;
    },
    async merchantApi<T>(path: string, init: RequestInit = {}): Promise<T> {
      const { url, secretKey } = started().server;
      const res = await fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      });
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
  };
}
