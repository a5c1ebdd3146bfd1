import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db.js';

/**
 * Signed tokens for links that carry no bearer secret: pay links mailed to a customer, document
 * downloads from the widget. A token is `base64url(claims).base64url(HMAC-SHA256)`, signed with a
 * per-merchant key kept in the database, so every instance verifies what any other one signed.
 *
 * The claims are readable by whoever holds the link (they are not encrypted): put ids in them,
 * never amounts or personal data the link should not show.
 */

/** What every token carries besides the caller's own claims. */
interface Envelope {
  /** Merchant id: whose key signed it. */
  m: string;
  /** Purpose: a token minted for one kind of link is refused by every other. */
  p: string;
  /** Expiry, Unix seconds. */
  e: number;
}

export type VerifyFailure = 'malformed' | 'tampered' | 'expired' | 'wrong_purpose';
export type Verified<T> =
  | { ok: true; merchantId: string; expiresAt: Date; claims: T }
  | { ok: false; reason: VerifyFailure };

const keys = new WeakMap<Db, Map<string, Buffer>>();

/** The merchant's signing key, made on first use; one value for all instances sharing the database. */
export async function signingKey(db: Db, merchantId: string): Promise<Buffer> {
  const cache = keys.get(db) ?? new Map<string, Buffer>();
  keys.set(db, cache);
  const cached = cache.get(merchantId);
  if (cached) return cached;
  // Two instances racing both run this update; the `is null` guard lets only the first one write.
  await db
    .updateTable('merchants')
    .set({ signing_key: randomBytes(32).toString('base64url') })
    .where('id', '=', merchantId)
    .where('signing_key', 'is', null)
    .execute();
  const row = await db.selectFrom('merchants').select('signing_key').where('id', '=', merchantId).executeTakeFirst();
  if (!row?.signing_key) throw new Error(`No merchant ${merchantId} to sign for`);
  const key = Buffer.from(row.signing_key, 'base64url');
  cache.set(merchantId, key);
  return key;
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest();

/** A token for `purpose` that verifies until `expiresAt`. Claim names `m`, `p` and `e` are reserved. */
export async function signToken<T extends Record<string, unknown>>(
  db: Db,
  merchantId: string,
  purpose: string,
  claims: T,
  expiresAt: Date,
): Promise<string> {
  const envelope: Envelope = { m: merchantId, p: purpose, e: Math.floor(expiresAt.getTime() / 1000) };
  const body = Buffer.from(JSON.stringify({ ...claims, ...envelope })).toString('base64url');
  return `${body}.${mac(await signingKey(db, merchantId), body).toString('base64url')}`;
}

/**
 * The claims of a token signed for `purpose`, or why it is refused. A changed character anywhere
 * is `tampered`; an intact token past its expiry is `expired` (so a page can say which).
 */
export async function verifyToken<T extends Record<string, unknown>>(
  db: Db,
  token: string,
  purpose: string,
  now: Date = new Date(),
): Promise<Verified<T>> {
  const match = /^([\w-]{1,4096})\.([\w-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, body, signature] = match as unknown as [string, string, string];
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'tampered' };
  }
  if (!isEnvelope(parsed)) return { ok: false, reason: 'tampered' };
  let key: Buffer;
  try {
    key = await signingKey(db, parsed.m);
  } catch {
    return { ok: false, reason: 'tampered' };
  }
  // Compared as text: base64url's last character carries bits that decoding drops, so comparing
  // decoded bytes would accept more than one spelling of the signature.
  const given = Buffer.from(signature);
  const expected = Buffer.from(mac(key, body).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
  if (parsed.p !== purpose) return { ok: false, reason: 'wrong_purpose' };
  if (parsed.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  const { m, p: _p, e, ...claims } = parsed;
  return { ok: true, merchantId: m, expiresAt: new Date(e * 1000), claims: claims as unknown as T };
}

function isEnvelope(value: unknown): value is Envelope & Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const { m, p, e } = value as Record<string, unknown>;
  return typeof m === 'string' && typeof p === 'string' && Number.isSafeInteger(e);
}
