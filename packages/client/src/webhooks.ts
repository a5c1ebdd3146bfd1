import { formatPath, type SettleEventType, type WebhookEvent, WebhookEventSchema } from '@settle/schema';
import * as z from 'zod/mini';
import { SettleWebhookError, WebhookErrorCode } from './errors.js';

/**
 * A delivery `verifyWebhook` vouched for. `type` may be one this version of @settle/client does not
 * know yet (a newer server sends it): answer 2xx and ignore it, or Settle retries it for days. For
 * such an event, or when the payment carries a value this version does not know, `data.payment` is
 * the object as Settle sent it, checked only for its `id`.
 */
export type VerifiedWebhookEvent = Omit<WebhookEvent, 'type'> & { type: SettleEventType | (string & {}) };

/** The envelope every event has, whatever its type: what is checked when the full schema does not fit. */
const EnvelopeSchema = z.object({
  id: WebhookEventSchema.shape.id,
  type: z.string().check(z.minLength(1)),
  createdAt: WebhookEventSchema.shape.createdAt,
  data: z.object({ payment: z.looseObject({ id: z.string() }) }),
});

export interface VerifyWebhookOptions {
  /** How far the signature's time may be from now, in seconds (default 300): older deliveries may be replays. */
  toleranceSeconds?: number;
  /** The current time (for tests): a Date or milliseconds since the epoch. */
  now?: Date | number;
}

const encoder = new TextEncoder();

/** `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`; several v1 while a secret is being rolled. */
function parseHeader(header: string): { t: number; signatures: Uint8Array[] } {
  let t: number | null = null;
  const signatures: Uint8Array[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(hexBytes(value));
  }
  if (t === null || signatures.length === 0) {
    throw new SettleWebhookError(
      WebhookErrorCode.malformed,
      'The Settle-Signature header has no t= timestamp or no v1= signature: pass the header exactly as received',
    );
  }
  return { t, signatures };
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Compares every byte whatever the first difference, so the time taken tells an attacker nothing. */
function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle)
    throw new Error('verifyWebhook needs WebCrypto (globalThis.crypto.subtle): Node 20+, a browser or an edge runtime');
  const key = await subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', key, encoder.encode(message)));
}

/**
 * Checks that a webhook delivery comes from Settle, and returns its event. Pass the body exactly
 * as received (the raw string, before any JSON parsing), the `Settle-Signature` header, and the
 * endpoint's `whsec_…` secret. Throws a `SettleWebhookError` (`code`: malformed, bad signature,
 * too old) for anything not to act on. A signed event of a type this version does not know is
 * returned, not refused: answer it 2xx (and ignore it), so Settle does not retry it. Uses WebCrypto, so it runs in Node 20, browsers and edge runtimes.
 */
export async function verifyWebhook(
  rawBody: string,
  signatureHeader: string,
  secret: string,
  { toleranceSeconds = 300, now }: VerifyWebhookOptions = {},
): Promise<VerifiedWebhookEvent> {
  if (typeof rawBody !== 'string') {
    throw new SettleWebhookError(
      WebhookErrorCode.malformed,
      'Pass the raw body as a string (e.g. express.text({ type: "application/json" }) or await c.req.text()), not parsed JSON',
    );
  }
  const { t, signatures } = parseHeader(signatureHeader ?? '');
  const expected = await hmacSha256(secret, `${t}.${rawBody}`);
  // Check every candidate, so how many there are is all the timing can reveal.
  let matched = false;
  for (const signature of signatures) matched = equalConstantTime(signature, expected) || matched;
  if (!matched) {
    throw new SettleWebhookError(
      WebhookErrorCode.badSignature,
      "No signature matches: check the endpoint's secret, and verify the body exactly as received",
    );
  }
  const nowSeconds = Math.floor((now === undefined ? Date.now() : Number(now)) / 1000);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) {
    throw new SettleWebhookError(
      WebhookErrorCode.tooOld,
      `The delivery was signed at ${new Date(t * 1000).toISOString()}, more than ${toleranceSeconds} s from now: it may be a replay (or this clock is wrong)`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch (cause) {
    throw new SettleWebhookError(WebhookErrorCode.malformed, 'The body is not JSON', { cause });
  }
  const parsed = WebhookEventSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  // Signed by Settle but newer than this client (a new event type, a new payment status): let it through.
  const envelope = EnvelopeSchema.safeParse(body);
  if (envelope.success) return envelope.data as VerifiedWebhookEvent;
  const where = envelope.error.issues.map((i) => formatPath(i.path) || '(body)').join(', ');
  throw new SettleWebhookError(WebhookErrorCode.malformed, `The event has no ${where}: it is not a Settle event`);
}
