import { formatMoney, type Quote } from '@settle/schema';
import type { PaymentProcessor } from '../processors/port.js';

/**
 * What the processor can take in one payment (Stripe: a currency minimum, 8 digits at most): a
 * method whose total falls outside is unavailable, with the reason the widget shows, and paying
 * with it is a 422 before anything reaches the processor.
 */
export function applyProcessorLimits(
  result: { quote: Quote; issues: { path: string; code: string; message: string }[] },
  processor: PaymentProcessor,
  currency: string,
): void {
  const { quote: q } = result;
  const limits = processor.limits(currency);
  const money = (amount: number) => formatMoney(amount, currency, 'en-US');
  const problemFor = (total: number) => {
    if (!limits) {
      return {
        code: 'currency_not_supported',
        message: `${currency} payments cannot be taken here`,
        limit: null,
      };
    }
    if (total > 0 && total < limits.min) {
      return {
        code: 'amount_below_processor_minimum',
        message: `A payment must be at least ${money(limits.min)}; this one is ${money(total)}`,
        limit: limits.min,
      };
    }
    if (total > limits.max) {
      return {
        code: 'amount_above_processor_maximum',
        message: `A single payment can be at most ${money(limits.max)}; pay these invoices in parts`,
        limit: limits.max,
      };
    }
    return null;
  };
  for (const m of q.methods) {
    if (!m.available) continue;
    // The chosen method's real total; for the others the least they could be (no surcharge).
    const reason = problemFor(m.method === q.method ? q.total : q.subtotal);
    if (reason) Object.assign(m, { available: false, reason });
  }
  if (result.issues.length === 0) {
    const reason = problemFor(q.total);
    if (reason) result.issues.push({ path: 'allocations', code: reason.code, message: reason.message });
  }
}
