import { invalidParam } from './errors.js';

/** A parsed form value: strings at the leaves, `[]` lists as arrays, everything else as nested records. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormRecord = { [key: string]: FormValue };

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw invalidParam(`Invalid URL encoding: ${part}`, part);
  }
}

/**
 * Splits `a[b][0][c]` into `['a', 'b', '0', 'c']` the way Rack (which Stripe's API runs on)
 * does: the name up to the first `[`, then one segment per `[...]`. Text after the last `]`
 * is kept on the last segment, so a stray bracket stays visible to validation.
 */
export function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  let rest = key.slice(open);
  for (let match = /^\[([^\]]*)\]/.exec(rest); match; match = /^\[([^\]]*)\]/.exec(rest)) {
    segments.push(match[1] ?? '');
    rest = rest.slice(match[0].length);
  }
  if (rest) segments[segments.length - 1] += rest;
  return segments;
}

function isRecord(value: FormValue | undefined): value is FormRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assign(target: FormRecord | FormValue[], segments: string[], value: string, fullKey: string): void {
  if (Array.isArray(target)) {
    // `a[]=x` appends; `a[][b]=x` starts a new element unless the last one lacks `b` (Rack's rule).
    if (segments.length === 0) {
      target.push(value);
      return;
    }
    const last = target[target.length - 1];
    const next = isRecord(last) && !(segments[0]! in last) ? last : {};
    if (next !== last) target.push(next);
    assign(next, segments, value, fullKey);
    return;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  if (rest.length === 0) {
    if (isRecord(target[head]) || Array.isArray(target[head])) {
      throw invalidParam(`Invalid string: expected a value for '${fullKey}', not a hash`, fullKey);
    }
    target[head] = value;
    return;
  }
  const existing = target[head];
  if (typeof existing === 'string') throw invalidParam(`Invalid hash: '${head}' was also given as a value`, head);
  const wantsArray = rest[0] === '';
  if (existing === undefined) target[head] = wantsArray ? [] : {};
  const child = target[head]!;
  if (wantsArray && Array.isArray(child)) assign(child, rest.slice(1), value, fullKey);
  else if (!wantsArray && isRecord(child)) assign(child, rest, value, fullKey);
  else throw invalidParam(`Invalid array: '${head}' mixes [] and [key] forms`, head);
}

/**
 * Parses an `application/x-www-form-urlencoded` body (or query string) with Stripe's bracket
 * notation into nested records. Indexed keys (`types[0]`) stay records keyed by the index; the
 * validator turns them into arrays where the parameter is a list, as Stripe does.
 */
export function parseForm(body: string): FormRecord {
  const result: FormRecord = {};
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    if (!key) continue;
    assign(result, splitKey(key), value, key);
  }
  return result;
}
