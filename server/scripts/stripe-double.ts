/**
 * `pnpm --filter @settle/server stripe-double [--port 12111] [--webhook-url URL]`: runs the offline
 * Stripe double until interrupted, for the curl flow with `STRIPE_API_URL=http://127.0.0.1:<port>`.
 */
import { parseArgs } from 'node:util';
import { startStripeDouble } from '../testing/stripe-double/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.STRIPE_DOUBLE_PORT ?? '12111' },
    'webhook-url': { type: 'string' },
    'secret-key': { type: 'string' },
    'webhook-secret': { type: 'string' },
  },
});

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
  webhooks: ${values['webhook-url'] ?? '(none: pass --webhook-url)'}`);

const stop = async () => {
  await double.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
