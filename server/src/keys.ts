import { createHash, randomBytes } from 'node:crypto';

/** A random identifier with a type prefix, e.g. `pay_3kT9...` (128 bits). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

/** A bearer secret (256 bits): `sk_test_...` for merchants, `ct_test_...` for browser sessions. */
export function newSecret(prefix: 'sk' | 'ct', mode: 'test' | 'live'): string {
  return `${prefix}_${mode}_${randomBytes(32).toString('base64url')}`;
}

/** Keys and tokens are stored only as this hash; the plain value is shown once. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A stable hash of a request body, to tell a retried request from a different one. */
export function hashRequest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Reads a Bearer token from an Authorization header value. */
export function bearer(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}
