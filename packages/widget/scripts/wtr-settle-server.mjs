// A @web/test-runner plugin that runs a real Settle reference server (PGlite in memory, the
// seeded demo ERP, the sandbox processor) for the browser tests, and gives them two routes on
// the test runner's own dev server:
//
//   GET /__settle/session?customer=cus_acme[&currency=EUR][&invoiceIds=a,b][&expiresInSeconds=60]
//                        [&invoices=N]   a synthetic customer cus_bulk_N with N open invoices
//                        [&fresh=1]      a private copy of the customer, so a test that pays
//                                        changes nothing another test sees
//     -> { apiUrl, clientToken, customerId, sessionId, expiresAt }
//   GET /__settle/open-items?customer=...  -> the ERP's open items now (after a payment, say)
//
// and, for the Stripe provider's tests, a second Settle server with SETTLE_PROCESSOR=stripe on the
// server's offline Stripe double (server/testing/stripe-double), started on first use:
//
//   GET /__settle/session?processor=stripe&…        a session on that server (same parameters)
//   GET /__settle/stripe/token?payment_method=pm_card_visa
//                        -> a ConfirmationToken the double made (POST /v1/test_helpers/confirmation_tokens),
//                           what Stripe.js's createConfirmationToken yields for that test card
//   GET /__settle/stripe/advance?client_secret=pi_…_secret_…[&outcome=failed&code=…]
//                        -> the payer completed (or failed) 3-D Secure: the double moves the intent on
//                           and delivers its signed webhook events to the server
//
// The merchant's secret key stays in Node, as it would on a merchant's backend.
// src/internal/test-session.ts is the browser side.
import { randomBytes } from 'node:crypto';
import { tsImport } from 'tsx/esm/api';

const silent = { info() {}, warn() {}, error() {} };

/** @param {{ log?: boolean }} [options] log: print the server's log (debugging). */
export function settleServerPlugin(options = {}) {
  /** @type {Awaited<ReturnType<typeof start>> | null} */
  let running = null;
  /** @type {Promise<Awaited<ReturnType<typeof startStripe>>> | null} */
  let stripe = null;
  /** @type {string[]} */
  let origins = [];

  return {
    name: 'settle-server',

    async serverStart({ config }) {
      const hosts = new Set([config.hostname ?? 'localhost', 'localhost', '127.0.0.1']);
      origins = [...hosts].map((host) => `${config.protocol ?? 'http:'}//${host}:${config.port}`);
      running = await start(origins, options.log ? console : silent);
    },

    async serverStop() {
      await running?.close();
      running = null;
      await (await stripe?.catch(() => null))?.close();
      stripe = null;
    },

    async serve(context) {
      if (!context.path.startsWith('/__settle/')) return undefined;
      if (!running) return { body: 'The Settle test server is not running', type: 'text' };
      try {
        const q = context.URL.searchParams;
        if (context.path.startsWith('/__settle/stripe/') || q.get('processor') === 'stripe') {
          stripe ??= startStripe(origins, options.log ? console : silent);
          const rig = await stripe;
          if (context.path === '/__settle/session') return json(await rig.settle.mint(q));
          if (context.path === '/__settle/stripe/token') return json(await rig.token(q.get('payment_method')));
          if (context.path === '/__settle/stripe/advance') return json(await rig.advance(q));
        }
        if (context.path === '/__settle/session') return json(await running.mint(q));
        if (context.path === '/__settle/open-items') return json(await running.openItems(q.get('customer')));
        context.status = 404;
        return { body: `No test route ${context.path}`, type: 'text' };
      } catch (error) {
        context.status = 500;
        return { body: String(error instanceof Error ? error.stack : error), type: 'text' };
      }
    },
  };
}

function json(value) {
  return { body: JSON.stringify(value), type: 'json' };
}

/**
 * A Settle server with SETTLE_PROCESSOR=stripe whose Stripe is the server's offline double, the way
 * server/test/stripe-helpers.ts starts one: the widget's Stripe.js double asks it for real
 * ConfirmationTokens, and the server prices and confirms them through the official SDK.
 */
async function startStripe(allowedOrigins, log) {
  /** @type {typeof import('../../../server/testing/stripe-double/index.ts')} */
  const { startStripeDouble } = await tsImport('../../../server/testing/stripe-double/index.ts', import.meta.url);
  const double = await startStripeDouble({ autoDeliver: true });
  const stripe = {
    secretKey: double.secretKey,
    publishableKey: 'pk_test_settle_widget',
    webhookSecret: double.webhookSecret,
    apiUrl: double.url,
  };
  const settle = await start(allowedOrigins, log, { processor: 'stripe', stripe });
  double.setWebhookUrl(`${settle.url}/v1/webhooks/stripe`);
  return {
    settle,
    /** What Stripe.js's createConfirmationToken makes of the test card `paymentMethod`. */
    async token(paymentMethod) {
      const response = await fetch(`${double.url}/v1/test_helpers/confirmation_tokens`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${double.secretKey}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Stripe-Version': double.apiVersion,
        },
        body: new URLSearchParams({ payment_method: paymentMethod ?? 'pm_card_visa' }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`confirmation token: ${response.status} ${text}`);
      return JSON.parse(text);
    },
    async advance(q) {
      const intentId = (q.get('client_secret') ?? '').split('_secret_')[0];
      const code = q.get('code') ?? undefined;
      return double.advance(intentId, q.get('outcome') ?? undefined, code ? { code } : {});
    },
    async close() {
      await settle.close();
      await double.close();
    },
  };
}

async function start(allowedOrigins, log, overrides = {}) {
  /** @type {typeof import('@settle/server')} */
  const server = await tsImport('@settle/server', import.meta.url);
  const erp = new TestErp(server);
  const config = server.loadConfig(
    {},
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: null,
      secretKey: `sk_test_${randomBytes(24).toString('base64url')}`,
      allowedOrigins,
      sandboxAchSettleSeconds: 1,
      outbox: { pollMs: 25, baseDelayMs: 50, maxDelayMs: 500, leaseMs: 5_000 },
      ...overrides,
    },
  );
  const settle = await server.createSettle({ config, erp, inMemory: true, log });
  const listening = await server.listen(settle, 0, '127.0.0.1');
  // Session and pay-link URLs name the address the browser really reaches.
  settle.deps.config.publicUrl = listening.url;

  async function call(method, path, body) {
    const response = await fetch(`${listening.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${settle.secretKey}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  }

  return {
    url: listening.url,
    async mint(q) {
      let customerId = q.get('customer') || 'cus_acme';
      const invoices = q.get('invoices');
      if (invoices !== null) customerId = erp.bulkCustomer(Number(invoices));
      if (q.get('fresh') === '1' || q.get('fresh') === 'true') customerId = erp.freshCopy(customerId);
      const body = { customerId };
      if (q.get('currency')) body.currency = q.get('currency');
      if (q.get('invoiceIds')) body.invoiceIds = q.get('invoiceIds').split(',');
      if (q.get('expiresInSeconds')) body.expiresInSeconds = Number(q.get('expiresInSeconds'));
      const session = await call('POST', '/v1/sessions', body);
      return {
        apiUrl: listening.url,
        clientToken: session.clientToken,
        customerId,
        sessionId: session.id,
        expiresAt: session.expiresAt,
      };
    },
    openItems: (customerId) => call('GET', `/v1/customers/${encodeURIComponent(customerId ?? 'cus_acme')}/open-items`),
    async close() {
      await listening.close();
      await settle.close();
    },
  };
}

/**
 * The demo ERP plus customers made on demand: cus_bulk_N (N generated invoices) and private
 * copies of demo customers. Each customer lives in its own MemoryErp; calls go to the one
 * that holds the customer (or, for a reversal, the one that posted the payment).
 */
class TestErp {
  name = 'memory';
  #server;
  #demo;
  /** @type {Map<string, import('@settle/server').MemoryErp>} */
  #extra = new Map();
  #posted = new Map();
  #copies = 0;

  constructor(server) {
    this.#server = server;
    this.#demo = server.createDemoErp();
  }

  bulkCustomer(count) {
    if (!Number.isInteger(count) || count < 0 || count > 50_000) throw new RangeError(`invoices=${count}: 0 to 50000`);
    const id = `cus_bulk_${count}`;
    if (!this.#extra.has(id)) this.#extra.set(id, new this.#server.MemoryErp(bulkData(id, count)));
    return id;
  }

  freshCopy(customerId) {
    this.#copies += 1;
    const suffix = `_t${this.#copies}`;
    const data = this.#server.demoErpData();
    const source = data.customers.find((c) => c.id === customerId);
    if (!source) throw new Error(`fresh=1 copies a demo customer; ${customerId} is not one`);
    const id = `${customerId}${suffix}`;
    const mine = (item) => item.customerId === customerId;
    const copy = (item) => ({ ...item, id: `${item.id}${suffix}`, customerId: id });
    this.#extra.set(
      id,
      new this.#server.MemoryErp({
        customers: [{ ...source, id }],
        invoices: data.invoices.filter(mine).map(copy),
        credits: data.credits.filter(mine).map(copy),
      }),
    );
    return id;
  }

  #for(customerId) {
    return this.#extra.get(customerId) ?? this.#demo;
  }

  async listCustomers() {
    const lists = await Promise.all([this.#demo, ...this.#extra.values()].map((erp) => erp.listCustomers()));
    return lists.flat();
  }

  getCustomer(customerId) {
    return this.#for(customerId).getCustomer(customerId);
  }

  listOpenItems(customerId) {
    return this.#for(customerId).listOpenItems(customerId);
  }

  postPayment(posting) {
    const erp = this.#for(posting.customerId);
    this.#posted.set(posting.paymentId, erp);
    return erp.postPayment(posting);
  }

  reversePayment(paymentId, reason) {
    return (this.#posted.get(paymentId) ?? this.#demo).reversePayment(paymentId, reason);
  }
}

/** `count` USD invoices (a third overdue) and two credit memos, the same every run. */
function bulkData(id, count) {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const day = (offset) => new Date(today + offset * 86_400_000).toISOString().slice(0, 10);
  const invoices = Array.from({ length: count }, (_, k) => {
    const amount = 10_000 + ((k * 7_919) % 990_000);
    const due = (k % 3 === 0 ? -1 : 1) * (1 + (k % 90));
    return {
      id: `inv_${id}_${k + 1}`,
      customerId: id,
      number: `INV-B${String(k + 1).padStart(6, '0')}`,
      issueDate: day(due - 30),
      dueDate: day(due),
      currency: 'USD',
      amount,
      openAmount: k % 7 === 0 ? amount - Math.floor(amount / 3) : amount,
      documentUrl: null,
      poNumber: k % 2 === 0 ? `PO-${4_600_000 + k}` : null,
    };
  });
  const credits = [25_000, 140_000].map((amount, k) => ({
    id: `cm_${id}_${k + 1}`,
    customerId: id,
    number: `CM-B${k + 1}`,
    issueDate: day(-10 - k),
    currency: 'USD',
    amount,
    openAmount: amount,
    memo: k === 0 ? 'Volume rebate' : 'Pricing adjustment',
  }));
  const customer = {
    id,
    name: `Bulk Buyer (${count} invoices)`,
    email: 'ap@bulk.example.com',
    currency: 'USD',
    region: 'US-TX',
  };
  return { customers: [customer], invoices, credits };
}
