import { createHmac } from 'node:crypto';
import type { SettleEventType, WebhookEvent } from '@settle/schema';
import { sql } from 'kysely';
import type { Deps } from '../deps.js';
import { newId } from '../keys.js';
import { enqueue } from '../outbox/outbox.js';
import { fromJson } from '../store/db.js';
import type { EventSubscriber } from './events.js';
import { loadPayment } from './payment-view.js';

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

async function post(
  url: string,
  eventId: string,
  secret: string,
  body: string,
  deps: Deps,
): Promise<{ statusCode: number | null; error: string | null }> {
  const timeoutMs = deps.config.webhookTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Settle-Webhooks/1',
        'settle-event-id': eventId,
        'settle-signature': signatureHeader(secret, body),
      },
      body,
      // A redirect could send a signed payment to a host the merchant never registered.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.ok) {
      await res.body?.cancel();
      return { statusCode: res.status, error: null };
    }
    const detail = res.status >= 300 && res.status < 400 ? 'redirects are not followed' : await bodyStart(res);
    return { statusCode: res.status, error: `HTTP ${res.status}${detail ? `: ${detail}` : ''}` };
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError') return { statusCode: null, error: `no answer within ${timeoutMs} ms` };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { statusCode: null, error: `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}` };
  }
}

/** The first characters of a failing answer, without reading a huge body to its end. */
async function bodyStart(res: Response): Promise<string> {
  try {
    const reader = res.body?.getReader();
    if (!reader) return '';
    const { value } = await reader.read();
    await reader.cancel();
    return new TextDecoder()
      .decode(value ?? new Uint8Array())
      .slice(0, ERROR_BODY_CHARS)
      .trim();
  } catch {
    return '';
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
