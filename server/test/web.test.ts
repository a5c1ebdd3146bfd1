import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP, webRoutes } from '../src/web/routes.js';
import { DEFAULT_WIDGET_DIR } from '../src/web/widget-files.js';
import { startTestServer, type TestServer } from './harness.js';

const sri = (body: Uint8Array | string) => `sha384-${createHash('sha384').update(body).digest('base64')}`;
const integrityIn = (page: string) =>
  /<script src="\/settle\.js" integrity="([^"]+)" crossorigin="anonymous">/.exec(page)?.[1];
const attribute = (page: string, name: string) => new RegExp(`<settle-pay[^>]* ${name}="([^"]+)"`).exec(page)?.[1];

describe('the widget and the pages that embed it', () => {
  let server: TestServer;
  let widgetDir: string;
  const script = '(()=>{customElements.define("settle-pay",class extends HTMLElement{})})();\n';
  const piece = '(()=>{(globalThis[Symbol.for("settle.pieces")]??={}).sandbox={}})();\n';
  let web: ReturnType<typeof webRoutes>;

  beforeAll(async () => {
    server = await startTestServer();
    widgetDir = await mkdtemp(join(tmpdir(), 'settle-widget-'));
    await writeFile(join(widgetDir, 'settle.js'), script);
    await writeFile(join(widgetDir, 'settle-sandbox.js'), piece);
    await writeFile(join(widgetDir, 'settle-sandbox.js.map'), '{"version":3}\n');
    await writeFile(join(widgetDir, 'index.js'), 'export {};\n');
    web = webRoutes(server.settle.deps, { widgetDir });
  });
  afterAll(async () => {
    await server?.close();
    if (widgetDir) await rm(widgetDir, { recursive: true, force: true });
  });

  it('serves the demo page with a strict CSP and a session minted on the server for the chosen customer', async () => {
    const res = await fetch(`${server.url}/demo?customer=cus_summit`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = await res.text();
    expect(page).toContain('Northwind Supply Co. — Pay invoices');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=/);
    expect(page).toContain('href="/demo?customer=cus_rheinwerk"');
    const token = attribute(page, 'client-token');
    expect(attribute(page, 'api-url')).toBe(server.url);
    const session = await fetch(`${server.url}/v1/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(session.status).toBe(200);
    expect(((await session.json()) as { customer: { id: string } }).customer.id).toBe('cus_summit');
  });

  it('says so on the demo page when the customer does not exist', async () => {
    const res = await fetch(`${server.url}/demo?customer=cus_nobody`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(await res.text()).toContain('The ERP has no customer cus_nobody');
  });

  it('serves the hosted pay page and its script with the same CSP and no inline script', async () => {
    const res = await fetch(`${server.url}/pay`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    const page = await res.text();
    expect(page).toContain('<script src="/pay.js" defer></script>');
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=/);
    const payJs = await fetch(`${server.url}/pay.js`);
    expect(payJs.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await payJs.text()).toContain("get('token')");
    const css = await fetch(`${server.url}/demo.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('serves settle.js as cacheable, CORS-readable JavaScript whose hash is the integrity the pages name', async () => {
    const res = await web.request('/settle.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toBe(script);
    for (const path of ['/demo?customer=cus_acme', '/pay']) {
      const page = await (await web.request(path)).text();
      expect(integrityIn(page), path).toBe(sri(script));
    }
  });

  it('serves the lazily loaded pieces beside settle.js with its headers, and nothing else from the build folder', async () => {
    const main = await web.request('/settle.js');
    // settle.js asks for `settle-sandbox.js?v=<hash>` with integrity and crossorigin="anonymous".
    const chunk = await web.request('/settle-sandbox.js?v=0123456789ab');
    expect(chunk.status).toBe(200);
    for (const header of [
      'content-type',
      'cache-control',
      'access-control-allow-origin',
      'cross-origin-resource-policy',
    ]) {
      expect(chunk.headers.get(header), header).toBe(main.headers.get(header));
    }
    expect(chunk.headers.get('access-control-allow-origin')).toBe('*');
    expect(await chunk.text()).toBe(piece);
    const map = await web.request('/settle-sandbox.js.map');
    expect(map.headers.get('content-type')).toBe('application/json');
    expect((await web.request('/index.js')).status).toBe(404);
    expect((await web.request('/settle-missing.js')).status).toBe(404);
    expect((await web.request('/settle-..%2Findex.js')).status).toBe(404);
  });

  it('answers 503 with what to run while settle.js is not built, and the pages say it is unavailable', async () => {
    const unbuilt = webRoutes(server.settle.deps, { widgetDir: join(widgetDir, 'nothing-here') });
    const res = await unbuilt.request('/settle.js');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('pnpm --filter @settle/widget build');
    const demo = await (await unbuilt.request('/demo')).text();
    expect(demo).not.toContain('<script src="/settle.js"');
    expect(demo).toContain('settle.js is not built yet');
    expect(await (await unbuilt.request('/pay')).text()).toContain('not available right now');
  });

  it('has no demo page in live mode', async () => {
    const deps = server.settle.deps;
    const live = webRoutes({ ...deps, config: { ...deps.config, mode: 'live' } }, { widgetDir });
    expect((await live.request('/demo')).status).toBe(404);
    expect((await live.request('/pay')).status).toBe(200);
  });

  it.skipIf(!existsSync(join(DEFAULT_WIDGET_DIR, 'settle.js')))(
    'serves the built settle.js with the integrity the demo page names',
    async () => {
      const body = new Uint8Array(await (await fetch(`${server.url}/settle.js`)).arrayBuffer());
      const page = await (await fetch(`${server.url}/demo`)).text();
      expect(integrityIn(page)).toBe(sri(body));
    },
  );

  it.skipIf(!existsSync(join(DEFAULT_WIDGET_DIR, 'manifest.json')))(
    'serves each built piece with the integrity value that settle.js, or the checkout piece it pins, carries for it',
    async () => {
      const manifest = JSON.parse(await readFile(join(DEFAULT_WIDGET_DIR, 'manifest.json'), 'utf8')) as {
        pieces: Array<{ name: string; file: string; integrity: string }>;
      };
      expect(manifest.pieces.map((p) => p.file)).toEqual(
        expect.arrayContaining(['settle-checkout.js', 'settle-sandbox.js', 'settle-stripe.js', 'settle-de.js']),
      );
      const text = async (file: string) => (await fetch(`${server.url}/${file}`)).text();
      const settleJs = await text('settle.js');
      const checkoutJs = await text('settle-checkout.js');
      // settle.js pins the panel and the German messages; the panel pins the provider's fields.
      const pinnedBy: Record<string, string> = {
        checkout: settleJs,
        de: settleJs,
        sandbox: checkoutJs,
        stripe: checkoutJs,
      };
      for (const { name, file, integrity } of manifest.pieces) {
        const res = await fetch(`${server.url}/${file}`);
        expect(res.headers.get('access-control-allow-origin'), file).toBe('*');
        expect(sri(new Uint8Array(await res.arrayBuffer())), file).toBe(integrity);
        expect(pinnedBy[name], file).toContain(integrity);
      }
    },
  );

  // Issue 3's budget, checked on every `pnpm test` (which builds first) so a change that grows
  // settle.js past it fails here instead of being noticed in a later size report.
  it.skipIf(!existsSync(join(DEFAULT_WIDGET_DIR, 'settle.js')))(
    'keeps the built settle.js, Lit included, within 20 KB brotli',
    async () => {
      const body = await readFile(join(DEFAULT_WIDGET_DIR, 'settle.js'));
      const brotli = brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength },
      }).byteLength;
      expect(brotli, `settle.js is ${brotli} B brotli`).toBeLessThanOrEqual(20 * 1024);
    },
  );
});
