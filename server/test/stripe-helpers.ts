import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { SessionPayment } from '@settle/schema';
import Stripe from 'stripe';
import { MemoryErp } from '../src/erp/memory.js';
import type { ErpInvoice } from '../src/erp/port.js';
import { type StripeDouble, startStripeDouble } from '../testing/stripe-double/index.js';
import { call, type Reply, type StoreKind, startTestServer, type TestServer } from './harness.js';

export const WEBHOOK_PATH = '/v1/webhooks/stripe';

/**
 * Customers `cus_<name>` in New York (a 3% credit-card surcharge applies), each with invoices of
 * the given balances `inv_<name>_<i>`.
 */
export function ledger(customers: Record<string, number[]>): MemoryErp {
  const invoices: ErpInvoice[] = Object.entries(customers).flatMap(([name, balances]) =>
    balances.map((balance, i) => ({
      id: `inv_${name}_${i}`,
      customerId: `cus_${name}`,
      number: `INV-${name.toUpperCase()}-${i}`,
      issueDate: '2026-01-05',
      dueDate: '2026-02-04',
      currency: 'USD',
      amount: balance,
      openAmount: balance,
      documentUrl: null,
      poNumber: null,
    })),
  );
  return new MemoryErp({
    customers: Object.keys(customers).map((n) => ({
      id: `cus_${n}`,
      name: n,
      email: null,
      currency: 'USD',
      region: 'US-NY',
    })),
    invoices,
    credits: [],
  });
}

/** A TCP hop in front of the double that can drop every connection, as an outage would. */
export async function startOutage(
  targetPort: number,
): Promise<{ port: number; down: boolean; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { down: false };
  const server: Server = createServer((client) => {
    if (state.down) {
      client.destroy();
      return;
    }
    const target = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(target);
    client.pipe(target).pipe(client);
    const drop = () => {
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    client.on('error', drop).on('close', drop);
    target.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
      if (value) for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface StripeRig {
  double: StripeDouble;
  server: TestServer;
  erp: MemoryErp;
  /** An SDK client on the double, as Stripe.js would make tokens in the browser. */
  stripe: Stripe;
  close(): Promise<void>;
}

/** A Settle server with SETTLE_PROCESSOR=stripe on the double, its webhooks wired back to it. */
export async function startStripeRig(
  store: StoreKind,
  erp: MemoryErp,
  options: { autoDeliver?: boolean; apiUrl?: (double: StripeDouble) => Promise<string> } = {},
): Promise<StripeRig> {
  const double = await startStripeDouble({ autoDeliver: options.autoDeliver ?? true });
  const server = await startTestServer({
    store,
    erp,
    config: {
      processor: 'stripe',
      stripe: {
        secretKey: double.secretKey,
        publishableKey: 'pk_test_settle_double',
        webhookSecret: double.webhookSecret,
        apiUrl: options.apiUrl ? await options.apiUrl(double) : double.url,
      },
    },
  });
  double.setWebhookUrl(`${server.url}${WEBHOOK_PATH}`);
  const stripe = new Stripe(double.secretKey, {
    host: double.host,
    port: double.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return {
    double,
    server,
    erp,
    stripe,
    async close() {
      await double.close();
      await server.close();
    },
  };
}

/** A ConfirmationToken as Stripe.js's createConfirmationToken would make it. */
export async function cardToken(stripe: Stripe, paymentMethod: string): Promise<string> {
  return (await stripe.testHelpers.confirmationTokens.create({ payment_method: paymentMethod })).id;
}

export async function bankToken(stripe: Stripe, accountNumber: string): Promise<string> {
  const token = await stripe.testHelpers.confirmationTokens.create({
    payment_method_data: {
      type: 'us_bank_account',
      us_bank_account: {
        routing_number: '110000000',
        account_number: accountNumber,
        account_holder_type: 'company',
        account_type: 'checking',
      },
      billing_details: { name: 'Acme Receiving Dept.' },
    },
  });
  return token.id;
}

/** A session for a customer; returns its client token. */
export async function sessionFor(server: TestServer, customerId: string): Promise<string> {
  const res = await call<{ clientToken: string }>(server, 'POST', '/v1/sessions', server.secretKey, { customerId });
  if (res.status !== 201) throw new Error(`session: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.clientToken;
}

/** The payer's POST /v1/session/payments with client token `ct`, under a fresh Idempotency-Key unless `key` is given. */
export function postPayment<T = SessionPayment>(
  server: TestServer,
  ct: string,
  body: unknown,
  key: string = randomUUID(),
): Promise<Reply<T>> {
  return call<T>(server, 'POST', '/v1/session/payments', ct, body, { 'idempotency-key': key });
}
