import { ErpRejectedError, ErpUnavailableError } from '../port.js';

/** The card surcharge's revenue account unless SETTLE_TRYTON_SURCHARGE_ACCOUNT names another. */
export const SURCHARGE_ACCOUNT = 'Card surcharge income';

/** Where and as whom the adapter talks to trytond (SETTLE_TRYTON_*; docs/tryton.md). */
export interface TrytonConfig {
  /** The database's JSON-RPC root, e.g. http://127.0.0.1:8000/settle/ */
  url: string;
  user: string;
  password: string;
  /** The payment method (account.invoice.payment.method) for received money: a name or an id. */
  journal: string;
  /**
   * The revenue account (code, name or id) a card surcharge is booked to, against the payment
   * method's account; default "Card surcharge income", which server/tryton/seed.py creates.
   */
  surchargeAccount?: string;
  /** The longest one JSON-RPC call may take before it counts as unavailable (default 15 s). */
  timeoutMs?: number;
}

/** Tryton's JSON encoding of Decimal and date values. */
export interface TrytonDecimal {
  __class__: 'Decimal';
  decimal: string;
}
export interface TrytonDate {
  __class__: 'date';
  year: number;
  month: number;
  day: number;
}

export const decimal = (value: string): TrytonDecimal => ({ __class__: 'Decimal', decimal: value });

export function trytonDate(iso: string): TrytonDate {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return { __class__: 'date', year, month, day };
}

export function isoDate(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const d = value as TrytonDate;
  if (d.__class__ !== 'date') return null;
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The decimal string inside a Tryton Decimal (or a plain number/string, as some fields come). */
export function decimalString(value: unknown): string {
  if (value && typeof value === 'object' && (value as TrytonDecimal).__class__ === 'Decimal') {
    return (value as TrytonDecimal).decimal;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  throw new ErpRejectedError(`Tryton returned ${JSON.stringify(value)} where a Decimal was expected`);
}

/**
 * A JSON-RPC client for one trytond database. Logs in with common.db.login and sends
 * `Authorization: Session base64(user:uid:key)`; when trytond answers 401 (the session expired,
 * was logged out, or a wizard wants a fresher one) it logs in again and repeats the call once,
 * which is safe because trytond refuses before running anything. Network errors, timeouts, 5xx
 * and server-side failures become ErpUnavailableError (the outbox retries); Tryton's UserErrors,
 * UserWarnings and login refusals (validation, closed periods, unknown records, access rules)
 * become ErpRejectedError (the outbox parks); see {@link trytonError}.
 */
export class TrytonRpc {
  readonly #url: string;
  readonly #config: TrytonConfig;
  #session: { header: string } | null = null;
  #login: Promise<{ header: string }> | null = null;
  #id = 0;
  /** How many times this client logged in (the session-renewal test reads it). */
  logins = 0;

  constructor(config: TrytonConfig) {
    this.#config = config;
    this.#url = config.url.endsWith('/') ? config.url : `${config.url}/`;
  }

  /** Calls `method` (e.g. "model.party.party.search_read") with `params`; context is the caller's. */
  async call<T>(method: string, params: unknown[]): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.#ensureSession();
      const answer = await this.#post(method, params, session.header);
      if (answer.status === 401 || answer.status === 403) {
        if (this.#session === session) this.#session = null;
        if (attempt === 0) continue;
        throw new ErpRejectedError(`Tryton refused ${method} for ${this.#config.user} (HTTP ${answer.status})`);
      }
      return unwrap<T>(method, answer);
    }
  }

  async #ensureSession(): Promise<{ header: string }> {
    if (this.#session) return this.#session;
    this.#login ??= this.#doLogin().finally(() => {
      this.#login = null;
    });
    return this.#login;
  }

  async #doLogin(): Promise<{ header: string }> {
    const answer = await this.#post('common.db.login', [this.#config.user, { password: this.#config.password }]);
    if (answer.status === 401 || answer.status === 403) {
      throw new ErpRejectedError(`Tryton login refused for ${this.#config.user} (HTTP ${answer.status})`);
    }
    const session = unwrap<[number, string] | false | null>('common.db.login', answer);
    if (!Array.isArray(session)) throw new ErpRejectedError(`Tryton login refused for ${this.#config.user}`);
    const [uid, key] = session;
    this.logins += 1;
    const token = Buffer.from(`${this.#config.user}:${uid}:${key}`).toString('base64');
    this.#session = { header: `Session ${token}` };
    return this.#session;
  }

  async #post(method: string, params: unknown[], authorization?: string): Promise<{ status: number; body: unknown }> {
    this.#id += 1;
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ id: this.#id, method, params }),
        signal: AbortSignal.timeout(this.#config.timeoutMs ?? 15_000),
      });
    } catch (error) {
      throw new ErpUnavailableError(`Tryton at ${this.#url} did not answer ${method}: ${(error as Error).message}`);
    }
    if (response.status >= 500 || response.status === 429 || response.status === 423) {
      await response.body?.cancel();
      throw new ErpUnavailableError(`Tryton answered ${method} with HTTP ${response.status}`);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      return { status: response.status, body: null };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new ErpRejectedError(`Tryton answered ${method} with HTTP ${response.status} (is ${this.#url} right?)`);
    }
    try {
      return { status: 200, body: await response.json() };
    } catch (error) {
      throw new ErpUnavailableError(`Tryton sent an unreadable answer to ${method}: ${(error as Error).message}`);
    }
  }
}

function unwrap<T>(method: string, answer: { body: unknown }): T {
  const body = answer.body as { result?: T; error?: unknown } | null;
  if (body && 'error' in body && body.error != null) throw trytonError(method, body.error);
  if (!body || !('result' in body)) throw new ErpUnavailableError(`Tryton sent no result for ${method}`);
  return body.result as T;
}

/**
 * trytond refused a write because a record changed after the caller read its `_timestamp`
 * (Tryton's optimistic lock): nothing was written, and reading again tells what to do.
 */
export class TrytonConflictError extends ErpUnavailableError {}

/** Exceptions trytond raises on purpose for the user (AccessError is a UserError): a person must act. */
const REFUSALS = new Set(['UserError', 'UserWarning', 'LoginException']);

/**
 * The typed error for a JSON-RPC `error` member. trytond sends its own exceptions as their args —
 * `["UserError", [message, description, domain]]`, `["UserWarning", [name, message, description]]`,
 * `["LoginException", [name, message, type]]`, `["ConcurrencyException", message]` — and any other
 * exception as `[str(exception), traceback]`. Only the refusals become ErpRejectedError (the outbox
 * parks); everything else (a DatabaseOperationalError, "database is locked", a lost database
 * connection, a bug) is the server failing, so ErpUnavailableError (retried), whatever words a
 * refusal's text happens to contain. A ConcurrencyException is a {@link TrytonConflictError}, an
 * ErpUnavailableError the adapter handles itself by reading again.
 */
export function trytonError(method: string, error: unknown): ErpRejectedError | ErpUnavailableError {
  const parts = Array.isArray(error) ? error : [error];
  const kind = typeof parts[0] === 'string' ? parts[0] : '';
  if (kind === 'ConcurrencyException') {
    return new TrytonConflictError(`Tryton ${method}: ${typeof parts[1] === 'string' ? parts[1] : kind}`);
  }
  if (REFUSALS.has(kind)) {
    const args = Array.isArray(parts[1]) ? parts[1] : [parts[1]];
    // UserWarning and LoginException lead with a name; the message follows it.
    const texts = (kind === 'UserError' ? args.slice(0, 2) : args.slice(1, 3)).filter(
      (p): p is string => typeof p === 'string' && p !== '',
    );
    return new ErpRejectedError(`Tryton ${method}: ${texts.join(' - ') || kind}`);
  }
  const message = parts
    .flat(2)
    .filter((p) => typeof p === 'string' && p && !p.startsWith('Traceback'))
    .join(' - ')
    .trim();
  return new ErpUnavailableError(
    `Tryton ${method} failed on the server: ${message || JSON.stringify(error).slice(0, 300)}`,
  );
}
