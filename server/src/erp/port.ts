import type { Currency, PaymentMethodType } from '@settle/schema';

/** A customer as the ERP knows it. */
export interface ErpCustomer {
  id: string;
  name: string;
  email: string | null;
  /** The customer's default currency. */
  currency: Currency;
  /** Billing region, ISO 3166-2 ("US-NY"), for regional surcharge rules. */
  region: string | null;
}

/** An open invoice; amounts in minor units of `currency`. */
export interface ErpInvoice {
  id: string;
  customerId: string;
  number: string;
  issueDate: string;
  dueDate: string;
  currency: Currency;
  amount: number;
  openAmount: number;
  documentUrl: string | null;
  poNumber: string | null;
}

/** An open credit memo; `openAmount` is what remains to be applied. */
export interface ErpCredit {
  id: string;
  customerId: string;
  number: string;
  issueDate: string;
  currency: Currency;
  amount: number;
  openAmount: number;
  memo: string | null;
}

export interface ErpOpenItems {
  invoices: ErpInvoice[];
  credits: ErpCredit[];
}

/** One invoice's share of a posting. `cash + credit + deduction.amount` never exceeds its balance. */
export interface ErpApplication {
  invoiceId: string;
  cash: number;
  credit: number;
  /** A short payment: the unpaid rest, recorded as a deduction with the merchant's reason. */
  deduction: { amount: number; reasonCode: string; erpReasonCode: string | null; note: string | null } | null;
}

/** A succeeded payment to write back. Posting is idempotent on `paymentId`. */
export interface ErpPosting {
  paymentId: string;
  customerId: string;
  currency: Currency;
  /** The date the money was received (YYYY-MM-DD). */
  date: string;
  method: PaymentMethodType;
  /** Money received, surcharge excluded (the surcharge is a fee, posted separately). */
  cashAmount: number;
  surchargeAmount: number;
  /** A human reference, e.g. "Settle pay_123 / Visa •4242". */
  reference: string;
  applications: ErpApplication[];
  /** Credits consumed: per credit memo, per invoice. */
  credits: Array<{ creditId: string; invoiceId: string; amount: number }>;
  /** Money beyond the invoices, left on account. */
  unappliedAmount: number;
}

export interface ErpPostingResult {
  /** The ERP's own id for the receipt/payment document. */
  erpReference: string;
}

/**
 * The port to a merchant's ERP. Implementations must be idempotent: posting or reversing
 * the same paymentId twice changes nothing the second time. Throw ErpUnavailableError for
 * anything worth retrying (network, timeouts, 5xx) and ErpRejectedError when a person must
 * look (closed period, unknown invoice): the outbox retries the first and parks the second.
 */
export interface ErpAdapter {
  readonly name: string;
  listCustomers(): Promise<ErpCustomer[]>;
  getCustomer(customerId: string): Promise<ErpCustomer | null>;
  /** Open invoices (openAmount > 0) and open credits (openAmount > 0) of one customer, all currencies. */
  listOpenItems(customerId: string): Promise<ErpOpenItems>;
  postPayment(posting: ErpPosting): Promise<ErpPostingResult>;
  /** Undo a posting (an ACH return, a dispute): balances go back to what they were. */
  reversePayment(paymentId: string, reason: string): Promise<void>;
  close?(): Promise<void>;
}

/** The ERP could not be reached or answered with a transient failure: retry later. */
export class ErpUnavailableError extends Error {
  override readonly name = 'ErpUnavailableError';
}

/** The ERP refused the posting for a reason a person must look at: park it. */
export class ErpRejectedError extends Error {
  override readonly name = 'ErpRejectedError';
}
