import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SettleEventType, WebhookEvent } from '@settle/schema';
import { sql } from 'kysely';
import type { Deps } from '../deps.js';
import { newId } from '../keys.js';
import { enqueue } from '../outbox/outbox.js';
import { fromJson } from '../store/db.js';
import type { EventSubscriber } from './events.js';
import { loadPayment } from './payment-view.js';
import { literalHostRefusal, publicOnlyLookup, WebhookTargetRefused } from './webhook-target.js';

/** The outbox job that POSTs one event to one endpoint. */
export const WEBHOOK_DELIVERY_JOB = 'webhook_delivery';
const DEFAULT_TIMEOUT_MS = 10_000;
/** How much of a failing endpoint's answer the delivery log keeps, to help its owner debug. */
const ERROR_BODY_CHARS = 300;

/** The delivery job's payload: the body is fixed when the event is dispatched, so a retry sends the same bytes. */
interface DeliveryPayload {
  delivery: { id: string; endpointId: string; body: string };
}

/** An endpoint that did not take a delivery; the outbox retries it with back-off. */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

export function wantsEvent(enabledEvents: unknown, type: SettleEventType): boolean {
  if (enabledEvents === null) return true;
  const list = fromJson<string[]>(enabledEvents);
  return list.includes('*') || list.includes(type);
}

/**
 * Enqueues one delivery per enabled endpoint of the event's merchant, with the payment as it is
 * now (at dispatch) in the body. Dedupe by endpoint and event: a fan-out run twice sends once.
 */
export const webhookSubscriber: EventSubscriber = async (trx, _deps, event) => {
  const endpoints = await trx
    .selectFrom('webhook_endpoints')
    .select(['id', 'enabled_events'])
    .where('merchant_id', '=', event.merchantId)
    .where('disabled_at', 'is', null)
    .execute();
  const targets = endpoints.filter((e) => wantsEvent(e.enabled_events, event.type));
  if (targets.length === 0) return;
  const payment = await loadPayment(trx, event.paymentId, { merchantId: event.merchantId });
  if (!payment) return;
  const body: WebhookEvent = { id: event.id, type: event.type, createdAt: event.createdAt, data: { payment } };
  const raw = JSON.stringify(body);
  for (const endpoint of targets) {
    const id = newId('whd');
    const inserted = await trx
      .insertInto('webhook_deliveries')
      .values({
        id,
        endpoint_id: endpoint.id,
        merchant_id: event.merchantId,
        event_id: event.id,
        event_type: event.type,
        payment_id: event.paymentId,
        last_status_code: null,
        last_error: null,
        last_attempt_at: null,
        delivered_at: null,
      })
      .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue;
    const payload: DeliveryPayload = { delivery: { id, endpointId: endpoint.id, body: raw } };
    await enqueue(trx, {
      kind: WEBHOOK_DELIVERY_JOB,
      dedupeKey: `${WEBHOOK_DELIVERY_JOB}:${endpoint.id}:${event.id}`,
      payload,
    });
  }
};

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: Stripe's scheme, so merchants know it. */
export function signatureHeader(secret: string, body: string, at: Date = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * POSTs one delivery. A 2xx answer is done; anything else (a redirect, which is never followed,
 * an error status, a refused or timed-out connection) is recorded in the delivery log and thrown,
 * so the outbox retries it with back-off and parks it after its last attempt.
 */
export async function deliverWebhook(deps: Deps, payload: unknown): Promise<void> {
  const { delivery } = payload as DeliveryPayload;
  const row = await deps.db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
    .select(['webhook_deliveries.status', 'webhook_deliveries.event_id', 'url', 'secret', 'disabled_at'])
    .where('webhook_deliveries.id', '=', delivery.id)
    .executeTakeFirst();
  if (row?.status !== 'pending') return;
  if (row.disabled_at) {
    await deps.db
      .updateTable('webhook_deliveries')
      .set({ status: 'canceled' })
      .where('id', '=', delivery.id)
      .where('status', '=', 'pending')
      .execute();
    return;
  }
  const { statusCode, error } = await post(row.url, row.event_id, row.secret, delivery.body, deps);
  await deps.db
    .updateTable('webhook_deliveries')
    .set({
      attempts: sql`attempts + 1`,
      last_status_code: statusCode,
      last_error: error,
      last_attempt_at: new Date(),
      ...(error ? {} : { status: 'succeeded', delivered_at: new Date() }),
    })
    .where('id', '=', delivery.id)
    .where('status', '=', 'pending')
    .execute();
  if (error) throw new WebhookDeliveryError(`${row.url}: ${error}`);
}

/** What one POST came to: a status (null when there was no answer) and, unless it was a 2xx, why it failed. */
interface PostOutcome {
  statusCode: number | null;
  error: string | null;
}

/**
 * POSTs with node:http(s) rather than fetch, so the connection goes to an address Settle checked
 * (docs/webhooks.md "Where Settle delivers"): unless SETTLE_WEBHOOK_ALLOW_PRIVATE is set, a host
 * that is or resolves to a loopback, private, link-local or other internal address is refused
 * before any byte is sent. Redirects are never followed (a plain request does not).
 */
async function post(url: string, eventId: string, secret: string, body: string, deps: Deps): Promise<PostOutcome> {
  const timeoutMs = deps.config.webhookTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target = new URL(url);
  const allowPrivate = deps.config.webhookAllowPrivate === true;
  const refused = allowPrivate ? null : literalHostRefusal(target);
  if (refused) return { statusCode: null, error: refused };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  try {
    return await new Promise<PostOutcome>((resolve, reject) => {
      const req = send(
        target,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Settle-Webhooks/1',
            'settle-event-id': eventId,
            'settle-signature': signatureHeader(secret, body),
          },
          // Pins the socket to the address that was checked, so DNS rebinding cannot switch it.
          ...(allowPrivate ? {} : { lookup: publicOnlyLookup }),
          // A fresh connection per delivery: no kept-alive socket outlives the check made for it.
          agent: false,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            res.destroy();
            return resolve({ statusCode: status, error: null });
          }
          if (status >= 300 && status < 400) {
            res.destroy();
            return resolve({ statusCode: status, error: `HTTP ${status}: redirects are not followed` });
          }
          // The first chunk of a failing answer, without reading a huge body to its end.
          const finish = (chunk?: Buffer) => {
            res.destroy();
            const detail = (chunk ?? Buffer.alloc(0)).toString('utf8').slice(0, ERROR_BODY_CHARS).trim();
            resolve({ statusCode: status, error: `HTTP ${status}${detail ? `: ${detail}` : ''}` });
          };
          res.once('data', finish);
          res.once('end', () => finish());
          res.once('error', () => finish());
        },
      );
      req.once('error', reject);
      req.end(body);
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return { statusCode: null, error: `no answer within ${timeoutMs} ms` };
    }
    if (e instanceof WebhookTargetRefused) return { statusCode: null, error: e.message };
    // Trying several addresses fails with an AggregateError, whose message may be empty.
    const message = e.message || 'connection failed';
    return { statusCode: null, error: `${message}${e.code && !message.includes(e.code) ? ` (${e.code})` : ''}` };
  }
}

/** A delivery the outbox gave up on shows as failed in the merchant's delivery log. */
export async function markDeliveryParked(deps: Deps, payload: unknown): Promise<void> {
  const { delivery } = payload as DeliveryPayload;
  await deps.db
    .updateTable('webhook_deliveries')
    .set({ status: 'failed' })
    .where('id', '=', delivery.id)
    .where('status', '=', 'pending')
    .execute();
}
