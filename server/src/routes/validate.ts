import { ErrorCode, type FieldIssue, formatPath, IdSchema } from '@settle/schema';
import type { Context } from 'hono';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { ApiError, validationError } from '../errors.js';

// zod/mini ships no messages (every issue reads "Invalid input"); the server can afford English ones.
z.config(en());

/** Parses a value with a wire schema; a failure is a 422 whose details name every bad field. */
export function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown, what = 'The request'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.infer<S>;
  const issues: FieldIssue[] = result.error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys : undefined;
    const base = formatPath(i.path);
    const path = keys?.length ? keys.map((k) => (base ? `${base}.${k}` : k)).join(', ') : base;
    return { path, code: i.code, message: i.message };
  });
  throw validationError(issues, what);
}

/** Reads and validates a JSON body: wrong media type 415, malformed JSON 400, bad fields 422. */
export async function jsonBody<S extends z.ZodMiniType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(
      415,
      ErrorCode.unsupportedMediaType,
      'Send the body as JSON with Content-Type: application/json',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError(400, ErrorCode.invalidJson, 'The request body is not valid JSON');
  }
  return parseWith(schema, value, 'The request body');
}

/**
 * The request's `Idempotency-Key` header, required on a POST that must not happen twice (a
 * payment, a reminder mail): 1 to 255 visible ASCII characters, else a 400 naming the header.
 */
export function idempotencyKey(c: Context): string {
  const key = c.req.header('idempotency-key');
  if (!key || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new ApiError(
      400,
      ErrorCode.idempotencyRequired,
      'Send an Idempotency-Key header (1 to 255 visible ASCII characters, e.g. a UUID)',
      [{ path: 'Idempotency-Key', code: ErrorCode.idempotencyRequired, message: 'Missing or malformed' }],
    );
  }
  return key;
}

/** Validates the query string against a schema (single values only). */
export function queryOf<S extends z.ZodMiniType>(c: Context, schema: S): z.infer<S> {
  return parseWith(schema, c.req.query(), 'The query');
}

/** A path parameter that must be an id; anything else can name nothing, so it is a 404. */
export function idParam(c: Context, name = 'id'): string {
  const value = c.req.param(name);
  if (!value || !IdSchema.safeParse(value).success) throw new ApiError(404, ErrorCode.notFound, `No such ${name}`);
  return value;
}
