/**
 * `pnpm --filter @settle/server stripe-double [--port 12111] [--webhook-url URL] [--ach-settle-seconds 5]`:
 * runs the offline Stripe double until interrupted, for the curl flow with
 * `STRIPE_API_URL=http://127.0.0.1:<port>`. Like Stripe's test mode, it moves each ACH debit on by
 * itself once it has been processing for a while (the test account decides how; 0 turns it off).
 */
import { parseArgs } from 'node:util';
import { startStripeDouble } from '../testing/stripe-double/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.STRIPE_DOUBLE_PORT ?? '12111' },
    'webhook-url': { type: 'string' },
    'secret-key': { type: 'string' },
    'webhook-secret': { type: 'string' },
    'ach-settle-seconds': { type: 'string', default: '5' },
  },
});
const achSettleMs = Number(values['ach-settle-seconds']) * 1000;
if (!Number.isFinite(achSettleMs) || achSettleMs < 0) throw new Error('--ach-settle-seconds must be 0 or more');

const double = await startStripeDouble({
  port: Number(values.port),
  ...(values['webhook-url'] ? { webhookUrl: values['webhook-url'] } : {}),
  ...(values['secret-key'] ? { secretKey: values['secret-key'] } : {}),
  ...(values['webhook-secret'] ? { webhookSecret: values['webhook-secret'] } : {}),
});

console.log(`Stripe double (API ${double.apiVersion}) listening on ${double.url}
  STRIPE_API_URL=${double.url}
  STRIPE_SECRET_KEY=${double.secretKey}
  STRIPE_WEBHOOK_SECRET=${double.webhookSecret}
  webhooks: ${values['webhook-url'] ?? '(none: pass --webhook-url)'}
  ACH debits: ${achSettleMs ? `move on after ${achSettleMs / 1000} s of processing` : 'stay processing (--ach-settle-seconds 0)'}`);

// The bank's side: an ACH debit that has been processing long enough settles, fails or is
// returned, as its test account says, with the signed webhooks that go with it.
const processingSince = new Map<string, number>();
const bank = achSettleMs
  ? setInterval(() => {
      const now = Date.now();
      for (const intent of double.intents.values()) {
        if (intent.status !== 'processing') continue;
        const since = processingSince.get(intent.id) ?? now;
        processingSince.set(intent.id, since);
        if (now - since >= achSettleMs) {
          processingSince.set(intent.id, Number.POSITIVE_INFINITY);
          double.advance(intent.id).catch((error: unknown) => console.error(`advance ${intent.id}:`, error));
        }
      }
    }, 250)
  : null;

const stop = async () => {
  if (bank) clearInterval(bank);
  await double.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
