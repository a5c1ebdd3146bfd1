import type { CardFunding, PaymentMethodSummary } from '@settle/schema';
import type { ConfirmationToken } from '@stripe/stripe-js';

/** What Settle keeps of the method the payer entered: never the number (Stripe's preview has none). */
export function summaryOf(token: ConfirmationToken): PaymentMethodSummary {
  const { card, us_bank_account: bank } = token.payment_method_preview;
  if (bank) {
    return {
      type: 'ach_debit',
      brand: null,
      last4: bank.last4 ?? '',
      funding: null,
      bankName: bank.bank_name ?? null,
      accountHolderType: holderOf(bank.account_holder_type),
    };
  }
  return {
    type: card?.wallet ? 'wallet' : 'card',
    brand: card?.brand ?? null,
    last4: card?.last4 ?? '',
    funding: fundingOf(card?.funding),
    bankName: null,
    accountHolderType: null,
  };
}

/** Stripe's `funding` as Settle's: anything it does not name is `unknown`, which is never surcharged. */
function fundingOf(funding: string | null | undefined): CardFunding {
  return funding === 'credit' || funding === 'debit' || funding === 'prepaid' ? funding : 'unknown';
}

function holderOf(type: string | null | undefined): 'company' | 'individual' | null {
  return type === 'company' || type === 'individual' ? type : null;
}
