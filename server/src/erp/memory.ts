import { sum, toDecimalString } from '@settle/schema';
import {
  type ErpAdapter,
  type ErpCredit,
  type ErpCustomer,
  type ErpInvoice,
  type ErpOpenItems,
  type ErpPosting,
  type ErpPostingResult,
  ErpRejectedError,
  ErpUnavailableError,
} from './port.js';

/** The ledger a MemoryErp starts from. */
export interface MemoryErpData {
  customers: ErpCustomer[];
  invoices: ErpInvoice[];
  credits: ErpCredit[];
}

/** A short payment recorded against an invoice, as an ERP's deduction management would hold it. */
export interface ErpDeduction {
  paymentId: string;
  customerId: string;
  invoiceId: string;
  invoiceNumber: string;
  currency: string;
  amount: number;
  reasonCode: string;
  erpReasonCode: string | null;
  note: string | null;
  date: string;
}

/** What one posting changed, kept so a reversal can undo exactly that. */
interface PostingRecord {
  erpReference: string;
  /** Amount taken off each invoice (cash + credit + deduction). */
  invoices: Map<string, number>;
  /** Amount consumed from each credit memo. */
  credits: Map<string, number>;
  deductions: ErpDeduction[];
  onAccount: ErpCredit | null;
  reversed: boolean;
}

type Plan = Omit<PostingRecord, 'erpReference' | 'reversed'>;

/**
 * An in-memory ERP ledger: the offline default for development and tests, and the reference
 * the conformance kit is checked against. Every change happens synchronously inside one call,
 * so concurrent calls on one instance can never interleave between validation and update.
 */
export class MemoryErp implements ErpAdapter {
  readonly name = 'memory';
  readonly #customers = new Map<string, ErpCustomer>();
  readonly #invoices = new Map<string, ErpInvoice>();
  readonly #credits = new Map<string, ErpCredit>();
  readonly #postings = new Map<string, PostingRecord>();
  readonly #applied = new Map<string, number>();
  #deductions: ErpDeduction[] = [];
  #sequence = 0;
  #available = true;
  #failures: { remaining: number; kind: 'unavailable' | 'rejected' } = { remaining: 0, kind: 'unavailable' };

  constructor(data: MemoryErpData) {
    const copy = structuredClone(data);
    for (const c of copy.customers) this.#customers.set(c.id, c);
    for (const item of [...copy.invoices, ...copy.credits]) {
      if (!Number.isSafeInteger(item.amount) || !Number.isSafeInteger(item.openAmount) || item.openAmount < 0) {
        throw new RangeError(`${item.number}: amounts must be non-negative integer minor units`);
      }
    }
    for (const i of copy.invoices) this.#invoices.set(i.id, i);
    for (const c of copy.credits) this.#credits.set(c.id, c);
  }

  /** Testing control: while false, every ERP call throws ErpUnavailableError. */
  setAvailable(available: boolean): void {
    this.#available = available;
  }

  /** Testing control: the next `n` postPayment calls throw, as a down ERP or a refusing one would. */
  failNext(n: number, kind: 'unavailable' | 'rejected' = 'unavailable'): void {
    this.#failures = { remaining: n, kind };
  }

  /** How many times the posting of `paymentId` was applied to the ledger: 0 or 1, never more. */
  postingCount(paymentId: string): number {
    return this.#applied.get(paymentId) ?? 0;
  }

  /** Deductions recorded by postings that are not reversed, oldest first. */
  async listDeductions(customerId?: string): Promise<ErpDeduction[]> {
    this.#guard();
    const list = this.#deductions.filter((d) => customerId === undefined || d.customerId === customerId);
    return structuredClone(list);
  }

  async listCustomers(): Promise<ErpCustomer[]> {
    this.#guard();
    return structuredClone([...this.#customers.values()]);
  }

  async getCustomer(customerId: string): Promise<ErpCustomer | null> {
    this.#guard();
    const customer = this.#customers.get(customerId);
    return customer ? structuredClone(customer) : null;
  }

  async listOpenItems(customerId: string): Promise<ErpOpenItems> {
    this.#guard();
    const open = <T extends ErpInvoice | ErpCredit>(item: T) => item.customerId === customerId && item.openAmount > 0;
    const invoices = [...this.#invoices.values()]
      .filter(open)
      .sort(
        (a, b) => compare(a.dueDate, b.dueDate) || compare(a.issueDate, b.issueDate) || compare(a.number, b.number),
      );
    const credits = [...this.#credits.values()]
      .filter(open)
      .sort((a, b) => compare(a.issueDate, b.issueDate) || compare(a.number, b.number));
    return structuredClone({ invoices, credits });
  }

  async postPayment(posting: ErpPosting): Promise<ErpPostingResult> {
    this.#guard();
    if (this.#failures.remaining > 0) {
      this.#failures.remaining -= 1;
      if (this.#failures.kind === 'rejected') throw new ErpRejectedError('The ERP refused the posting (failNext)');
      throw new ErpUnavailableError('ERP is down (failNext)');
    }
    const existing = this.#postings.get(posting.paymentId);
    if (existing) return { erpReference: existing.erpReference };

    const plan = this.#plan(posting);
    for (const [id, amount] of plan.invoices) this.#invoices.get(id)!.openAmount -= amount;
    for (const [id, amount] of plan.credits) this.#credits.get(id)!.openAmount -= amount;
    if (plan.onAccount) this.#credits.set(plan.onAccount.id, plan.onAccount);
    this.#deductions.push(...plan.deductions);
    this.#sequence += 1;
    const erpReference = `RCPT-${String(this.#sequence).padStart(6, '0')}`;
    this.#postings.set(posting.paymentId, { ...plan, erpReference, reversed: false });
    this.#applied.set(posting.paymentId, (this.#applied.get(posting.paymentId) ?? 0) + 1);
    return { erpReference };
  }

  /** Restores what the posting changed. Unknown or already reversed payments are a no-op. */
  async reversePayment(paymentId: string, _reason = ''): Promise<void> {
    this.#guard();
    const record = this.#postings.get(paymentId);
    if (!record || record.reversed) return;
    const onAccount = record.onAccount && this.#credits.get(record.onAccount.id);
    if (onAccount && onAccount.openAmount !== onAccount.amount) {
      throw new ErpRejectedError(
        `Cannot reverse ${paymentId}: its on-account credit ${onAccount.number} has since been applied; reverse that posting first`,
      );
    }
    for (const [id, amount] of record.invoices) this.#invoices.get(id)!.openAmount += amount;
    for (const [id, amount] of record.credits) this.#credits.get(id)!.openAmount += amount;
    if (onAccount) this.#credits.delete(onAccount.id);
    this.#deductions = this.#deductions.filter((d) => d.paymentId !== paymentId);
    record.reversed = true;
  }

  #guard(): void {
    if (!this.#available) throw new ErpUnavailableError('ERP is down');
  }

  /** Validates the whole posting against current balances; throws before anything is changed. */
  #plan(p: ErpPosting): Plan {
    const reject = (why: string): never => {
      throw new ErpRejectedError(`Posting ${p.paymentId} rejected: ${why}`);
    };
    const money = (n: number) => `${toDecimalString(n, p.currency)} ${p.currency}`;
    const checkAmount = (n: number, what: string) => {
      if (!Number.isSafeInteger(n) || n < 0) reject(`${what} must be a non-negative integer in minor units`);
    };
    if (typeof p.paymentId !== 'string' || p.paymentId === '') reject('paymentId is required');
    const customer = this.#customers.get(p.customerId);
    if (!customer) return reject(`unknown customer ${p.customerId}`);
    checkAmount(p.cashAmount, 'cashAmount');
    checkAmount(p.surchargeAmount, 'surchargeAmount');
    checkAmount(p.unappliedAmount, 'unappliedAmount');

    const owned = <T extends ErpInvoice | ErpCredit>(item: T | undefined, kind: string, id: string): T => {
      if (!item) return reject(`unknown ${kind} ${id}`);
      if (item.customerId !== customer.id) reject(`${kind} ${item.number} belongs to another customer`);
      if (item.currency !== p.currency)
        reject(`${kind} ${item.number} is in ${item.currency}, the posting in ${p.currency}`);
      return item;
    };

    const invoices = new Map<string, number>();
    const deductions: ErpDeduction[] = [];
    for (const a of p.applications) {
      const invoice = owned(this.#invoices.get(a.invoiceId), 'invoice', a.invoiceId);
      if (invoices.has(invoice.id)) reject(`invoice ${invoice.number} appears twice`);
      checkAmount(a.cash, `cash on ${invoice.number}`);
      checkAmount(a.credit, `credit on ${invoice.number}`);
      const d = a.deduction;
      if (d) {
        if (!Number.isSafeInteger(d.amount) || d.amount <= 0) reject(`deduction on ${invoice.number} must be positive`);
        if (!d.reasonCode) reject(`deduction on ${invoice.number} needs a reason code`);
        deductions.push({
          paymentId: p.paymentId,
          customerId: customer.id,
          invoiceId: invoice.id,
          invoiceNumber: invoice.number,
          currency: p.currency,
          amount: d.amount,
          reasonCode: d.reasonCode,
          erpReasonCode: d.erpReasonCode,
          note: d.note,
          date: p.date,
        });
      }
      const total = sum([a.cash, a.credit, d?.amount ?? 0]);
      if (total > invoice.openAmount) {
        reject(`${money(total)} would take invoice ${invoice.number} below zero (open ${money(invoice.openAmount)})`);
      }
      invoices.set(invoice.id, total);
    }

    const credits = new Map<string, number>();
    const creditPerInvoice = new Map<string, number>();
    for (const c of p.credits) {
      const credit = owned(this.#credits.get(c.creditId), 'credit', c.creditId);
      checkAmount(c.amount, `amount of credit ${credit.number}`);
      if (!invoices.has(c.invoiceId))
        reject(`credit ${credit.number} names invoice ${c.invoiceId}, which has no application`);
      credits.set(credit.id, sum([credits.get(credit.id) ?? 0, c.amount]));
      creditPerInvoice.set(c.invoiceId, sum([creditPerInvoice.get(c.invoiceId) ?? 0, c.amount]));
    }
    for (const [id, amount] of credits) {
      const credit = this.#credits.get(id)!;
      if (amount > credit.openAmount) {
        reject(`${money(amount)} would take credit ${credit.number} below zero (open ${money(credit.openAmount)})`);
      }
    }
    for (const a of p.applications) {
      if ((creditPerInvoice.get(a.invoiceId) ?? 0) !== a.credit) {
        reject(`credit on invoice ${a.invoiceId} does not match the credits listed for it`);
      }
    }
    const cash = sum([...p.applications.map((a) => a.cash), p.unappliedAmount]);
    if (cash !== p.cashAmount)
      reject(`cashAmount ${money(p.cashAmount)} is not applied cash plus unapplied ${money(cash)}`);

    const onAccount: ErpCredit | null =
      p.unappliedAmount > 0
        ? {
            id: `cre_unapplied_${p.paymentId}`,
            customerId: customer.id,
            number: `UNAPPLIED-${p.paymentId}`,
            issueDate: p.date,
            currency: p.currency,
            amount: p.unappliedAmount,
            openAmount: p.unappliedAmount,
            memo: `Unapplied cash: ${p.reference}`,
          }
        : null;
    return { invoices, credits, deductions, onAccount };
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
