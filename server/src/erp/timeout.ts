import { type ErpAdapter, ErpUnavailableError } from './port.js';

/**
 * Bounds every ERP call: a hung ERP becomes ErpUnavailableError (a 503 for a request, a retry
 * for the outbox) instead of holding a customer's lock and a database connection forever.
 * An adapter must tolerate a call that timed out here but completed there: its idempotency
 * on the payment id makes the retry harmless.
 */
export function withTimeout(erp: ErpAdapter, ms: number): ErpAdapter {
  // Methods are looked up at each call, so an adapter may swap them at run time (tests do).
  const bound =
    <K extends 'listCustomers' | 'getCustomer' | 'listOpenItems' | 'postPayment' | 'reversePayment'>(what: K) =>
    (...args: Parameters<ErpAdapter[K]>): ReturnType<ErpAdapter[K]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ErpUnavailableError(`ERP ${what} took longer than ${ms} ms`)), ms);
      });
      const call = (erp[what] as (...a: Parameters<ErpAdapter[K]>) => ReturnType<ErpAdapter[K]>).apply(erp, args);
      return Promise.race([call, timeout]).finally(() => clearTimeout(timer)) as ReturnType<ErpAdapter[K]>;
    };
  return {
    name: erp.name,
    listCustomers: bound('listCustomers'),
    getCustomer: bound('getCustomer'),
    listOpenItems: bound('listOpenItems'),
    postPayment: bound('postPayment'),
    reversePayment: bound('reversePayment'),
    close: erp.close?.bind(erp),
  };
}
