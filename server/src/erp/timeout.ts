import { type ErpAdapter, ErpUnavailableError } from './port.js';

/** What withTimeout passes to a write after the port's own arguments: the caller gave up when it aborts. */
export interface ErpWriteOptions {
  signal?: AbortSignal;
}

type Read = 'listCustomers' | 'getCustomer' | 'listOpenItems';
type Write = 'postPayment' | 'reversePayment';

/**
 * Bounds every ERP call: a hung ERP becomes ErpUnavailableError (a 503 for a request, a retry
 * for the outbox) instead of holding a customer's lock and a database connection forever.
 *
 * Reads are simply abandoned after `ms`. Writes are not: after `ms` the signal passed as their
 * last argument ({@link ErpWriteOptions}) aborts, and the call is given up to `stopMs` more
 * (default `ms`; the server keeps `ms + stopMs` inside the outbox lease) to stop before the
 * ErpUnavailableError is thrown. An adapter that checks the signal between its
 * steps (Tryton) has therefore stopped when the caller sees the error, so the caller's retry —
 * which the outbox only starts after this call returned and its lease was released — cannot
 * overlap the first run. A write that finishes within the grace returns its own outcome.
 * Adapters that ignore the signal must still be idempotent on the payment id.
 */
export function withTimeout(erp: ErpAdapter, ms: number, stopMs = ms): ErpAdapter {
  // Methods are looked up at each call, so an adapter may swap them at run time (tests do).
  const read =
    <K extends Read>(what: K) =>
    (...args: Parameters<ErpAdapter[K]>): ReturnType<ErpAdapter[K]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ErpUnavailableError(`ERP ${what} took longer than ${ms} ms`)), ms);
      });
      const call = (erp[what] as (...a: Parameters<ErpAdapter[K]>) => ReturnType<ErpAdapter[K]>).apply(erp, args);
      return Promise.race([call, timeout]).finally(() => clearTimeout(timer)) as ReturnType<ErpAdapter[K]>;
    };
  const write =
    <K extends Write>(what: K) =>
    async (...args: Parameters<ErpAdapter[K]>): Promise<Awaited<ReturnType<ErpAdapter[K]>>> => {
      const controller = new AbortController();
      const options: ErpWriteOptions = { signal: controller.signal };
      const call = (erp[what] as (...a: unknown[]) => ReturnType<ErpAdapter[K]>).apply(erp, [...args, options]);
      const settled = call.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const wait = async (limit: number) => {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), limit);
        });
        return Promise.race([settled, expired]).finally(() => clearTimeout(timer));
      };
      let outcome = await wait(ms);
      if (!outcome) {
        controller.abort(new ErpUnavailableError(`ERP ${what} took longer than ${ms} ms`));
        outcome = await wait(stopMs);
      }
      if (!outcome) throw new ErpUnavailableError(`ERP ${what} took longer than ${ms} ms and did not stop`);
      if (!outcome.ok) throw outcome.error;
      return outcome.value as Awaited<ReturnType<ErpAdapter[K]>>;
    };
  return {
    name: erp.name,
    listCustomers: read('listCustomers'),
    getCustomer: read('getCustomer'),
    listOpenItems: read('listOpenItems'),
    postPayment: write('postPayment'),
    reversePayment: write('reversePayment'),
    close: erp.close?.bind(erp),
  };
}
