import type { Payment, PaymentStatus } from '@settle/schema';

const BRANDS: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
};

const METHODS: Record<Payment['method'], string> = { card: 'Card', ach_debit: 'Bank account (ACH)', wallet: 'Wallet' };

/**
 * "Visa •4242", "Chase •6789": the widget's receipt wording, so a PDF or a mail reads like the
 * screen it came from, and never the whole number.
 */
export function methodSummary(payment: Pick<Payment, 'method' | 'paymentMethod'>): string {
  const pm = payment.paymentMethod;
  if (!pm) return METHODS[payment.method];
  const name =
    pm.type === 'ach_debit'
      ? (pm.bankName ?? 'Bank account')
      : pm.brand
        ? (BRANDS[pm.brand] ?? pm.brand)
        : METHODS[pm.type];
  return `${name} •${pm.last4}`;
}

const STATUSES: Record<PaymentStatus, string> = {
  requires_confirmation: 'Awaiting confirmation',
  requires_action: 'Awaiting the payer',
  processing: 'Processing',
  succeeded: 'Paid',
  failed: 'Failed',
  canceled: 'Canceled',
  reversed: 'Reversed',
  refunded: 'Refunded',
  disputed: 'Disputed',
};

/** A payment status in words for a document. */
export const statusLabel = (status: PaymentStatus): string => STATUSES[status];
