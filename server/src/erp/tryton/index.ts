import { setTimeout as sleep } from 'node:timers/promises';
import { type Currency, parseDecimal, toDecimalString } from '@settle/schema';
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
} from '../port.js';
import type { ErpWriteOptions } from '../timeout.js';
import { planSteps, reversalTag, type Step, stepTag } from './plan.js';
import {
  decimal,
  decimalString,
  isoDate,
  SURCHARGE_ACCOUNT,
  type TrytonConfig,
  TrytonConflictError,
  TrytonRpc,
  trytonDate,
} from './rpc.js';

export { type TrytonConfig, TrytonRpc } from './rpc.js';

/** The payment methods the seed creates; SETTLE_TRYTON_JOURNAL names the cash one. */
const CREDIT_METHOD = 'Settle credit memo';
const DEDUCTION_METHOD = 'Settle deduction';
/** How long after reading a whole-second version (SQLite) a write waits: see writableAfter. */
const SECOND_VERSIONS_WAIT_MS = 1_050;
/** How often a step is read again and retried after trytond's optimistic lock refused its write. */
const CONFLICT_ATTEMPTS = 3;

/** `load` on first use, shared by every caller; a failed load is forgotten, so the next call tries again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = null;
      throw error;
    });
    return value;
  };
}

/** A document read for a write: its `_timestamp` and when it was read (performance.now()). */
type Versioned = InvoiceRow & { version: string; readAt: number };

/**
 * A payment's tagged moves: its steps and the reversals of them, by step number, and any second
 * move of a step (`twice`: on-account and surcharge steps have no document to lock), cancelled moves aside.
 */
type Tagged = { steps: Map<number, MoveRow>; reversals: Map<number, MoveRow>; twice: MoveRow[] };

interface InvoiceRow {
  id: number;
  number: string | null;
  reference: string | null;
  description: string | null;
  party: number;
  invoice_date: unknown;
  total_amount: unknown;
  amount_to_pay: unknown;
  lines_to_pay: number[];
  account: number;
  state: string;
  type: string;
  'currency.': { code: string };
  /** Read only where a write depends on it: the record's version, for Tryton's optimistic lock. */
  _timestamp?: string;
}

interface MoveRow {
  id: number;
  description: string | null;
  number?: string | null;
  state: string;
  /** A Reference: "account.invoice,12" for a wizard's move, "account.move,80" for Tryton's cancellation of move 80. */
  origin?: string | null;
}

interface LineRow {
  id: number;
  account: number;
  party: number | null;
  debit: unknown;
  credit: unknown;
  reconciliation: number | null;
}

const INVOICE_FIELDS = [
  'number',
  'reference',
  'description',
  'party',
  'invoice_date',
  'total_amount',
  'amount_to_pay',
  'lines_to_pay',
  'account',
  'state',
  'type',
  'currency.code',
];

/**
 * Settle's ERP port on a Tryton 6.0 server over JSON-RPC (docs/tryton.md).
 *
 * Customers are parties with customer invoices, their party code being Settle's customer id; open items are posted out invoices with an
 * amount to pay (a negative one is a credit memo). A posting becomes runs of Tryton's own
 * account.invoice.pay wizard — cash, credit-memo applications (the credit memo paid by a
 * negative amount, the invoice by the same positive amount, through the "Settle credit memo"
 * method, so the clearing account nets to zero) and deductions (through the "Settle deduction"
 * method, booked to expense, the reason in the description) — each tagged with the Settle
 * payment id and its step number in the move description. Retrying a posting skips the steps
 * whose tagged move exists (finishing one left draft or unreconciled), so a posting lands exactly
 * once even when trytond went away halfway. Two runs of one payment that overlap anyway (a call
 * reaching trytond late, two instances at once) cannot both pay a document: each wizard run carries
 * the document's version, and trytond refuses a write to a document changed since (see #step).
 * Writes are also serialised per adapter, and a write stops between RPCs once the caller's signal
 * aborts (withTimeout), so such overlaps are rare (docs/tryton.md, "Exactly once").
 */
export class TrytonErp implements ErpAdapter {
  readonly name = 'tryton';
  readonly rpc: TrytonRpc;
  readonly #config: TrytonConfig;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(config: TrytonConfig) {
    this.#config = config;
    this.rpc = new TrytonRpc(config);
  }

  /** The user's context (company, companies, language) as res.user.get_preferences gives it; record rules need it. */
  readonly #context = once(() => this.rpc.call<Record<string, unknown>>('model.res.user.get_preferences', [true, {}]));

  async #call<T>(method: string, ...params: unknown[]): Promise<T> {
    return this.rpc.call<T>(method, [...params, await this.#context()]);
  }

  #searchRead<T>(model: string, domain: unknown[], fields: string[], order: unknown = null): Promise<T[]> {
    return this.#call<T[]>(`model.${model}.search_read`, domain, 0, null, order, fields);
  }

  /** The company's currency: Tryton parties have none, so customers take the company's. */
  readonly #companyCurrency = once(async (): Promise<Currency> => {
    const rows = await this.#searchRead<{ 'currency.': { code: string } }>('company.company', [], ['currency.code']);
    const code = rows[0]?.['currency.']?.code;
    if (!code) throw new ErpRejectedError('Tryton has no company: run server/tryton/seed.py first');
    return code;
  });

  async listCustomers(): Promise<ErpCustomer[]> {
    const invoices = await this.#searchRead<{ party: number }>(
      'account.invoice',
      [
        ['type', '=', 'out'],
        ['state', 'in', ['posted', 'paid']],
      ],
      ['party'],
    );
    const ids = [...new Set(invoices.map((i) => i.party))];
    return this.#customers(ids);
  }

  async getCustomer(customerId: string): Promise<ErpCustomer | null> {
    const id = await this.#partyId(customerId);
    if (id === null) return null;
    const [customer] = await this.#customers([id]);
    return customer ?? null;
  }

  /** The party whose code is `customerId`: Settle's customer id is the Tryton party code. */
  async #partyId(customerId: string): Promise<number | null> {
    if (!customerId) return null;
    const [party] = await this.#searchRead<{ id: number }>('party.party', [['code', '=', customerId]], ['id']);
    return party?.id ?? null;
  }

  async #customers(ids: number[]): Promise<ErpCustomer[]> {
    if (ids.length === 0) return [];
    const currency = await this.#companyCurrency();
    const parties = await this.#searchRead<{ id: number; code: string; name: string; email: string | null }>(
      'party.party',
      [['id', 'in', ids]],
      ['code', 'name', 'email'],
      [['id', 'ASC']],
    );
    const addresses = await this.#searchRead<{ party: number; 'subdivision.': { code: string } | null }>(
      'party.address',
      [
        ['party', 'in', ids],
        ['subdivision', '!=', null],
      ],
      ['party', 'subdivision.code'],
    );
    return parties.map((p) => ({
      id: p.code,
      name: p.name,
      email: p.email || null,
      currency,
      region: addresses.find((a) => a.party === p.id)?.['subdivision.']?.code ?? null,
    }));
  }

  async listOpenItems(customerId: string): Promise<ErpOpenItems> {
    const id = await this.#partyId(customerId);
    if (id === null) return { invoices: [], credits: [] };
    const rows = await this.#searchRead<InvoiceRow>(
      'account.invoice',
      [
        ['party', '=', id],
        ['type', '=', 'out'],
        ['state', '=', 'posted'],
      ],
      INVOICE_FIELDS,
    );
    const lineIds = rows.flatMap((r) => r.lines_to_pay);
    const lines = lineIds.length
      ? await this.#searchRead<{ id: number; maturity_date: unknown }>(
          'account.move.line',
          [['id', 'in', lineIds]],
          ['maturity_date'],
        )
      : [];
    const maturity = new Map(lines.map((l) => [l.id, isoDate(l.maturity_date)]));
    const invoices: ErpInvoice[] = [];
    const credits: ErpCredit[] = [];
    for (const row of rows) {
      const currency = row['currency.'].code;
      const total = signedMinor(row.total_amount, currency, `invoice ${row.number}`);
      const open = signedMinor(row.amount_to_pay, currency, `invoice ${row.number}`);
      const issueDate = isoDate(row.invoice_date) ?? '';
      const number = row.number ?? String(row.id);
      if (total > 0 && open > 0) {
        const dues = row.lines_to_pay.map((l) => maturity.get(l)).filter((d): d is string => !!d);
        invoices.push({
          id: String(row.id),
          customerId,
          number,
          issueDate,
          dueDate: dues.sort()[0] ?? issueDate,
          currency,
          amount: total,
          openAmount: open,
          documentUrl: null,
          poNumber: row.reference || null,
        });
      } else if (total < 0 && open < 0) {
        credits.push({
          id: String(row.id),
          customerId,
          number,
          issueDate,
          currency,
          amount: -total,
          openAmount: -open,
          memo: row.description || null,
        });
      }
    }
    invoices.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number));
    credits.sort((a, b) => a.issueDate.localeCompare(b.issueDate) || a.number.localeCompare(b.number));
    return { invoices, credits };
  }

  postPayment(posting: ErpPosting, options: ErpWriteOptions = {}): Promise<ErpPostingResult> {
    return this.#serial(() => this.#post(posting, options.signal));
  }

  reversePayment(paymentId: string, reason: string, options: ErpWriteOptions = {}): Promise<void> {
    return this.#serial(() => this.#reverse(paymentId, reason, options.signal));
  }

  /** Throws once the caller gave up: nothing more is sent to Tryton for this call. */
  #stop(signal: AbortSignal | undefined, paymentId: string, booked: Map<number, MoveRow>): void {
    if (!signal?.aborted) return;
    throw new ErpUnavailableError(`${paymentId}: stopped because the caller gave up; ${bookedText(booked)}`);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(work, work);
    this.#writes = run.catch(() => {});
    return run;
  }

  /** Moves whose description carries `[settle:<paymentId>#…]` or `[settle-reversal:<paymentId>#…]`. */
  async #tagged(paymentId: string): Promise<Tagged> {
    const fields = ['description', 'number', 'state', 'origin'];
    const rows = await this.#searchRead<MoveRow>(
      'account.move',
      [['description', 'like', `%:${paymentId}#%`]],
      fields,
      [['id', 'ASC']],
    );
    // A move a person cancelled in Tryton (Cancel Moves: a copy of it, reversed, whose origin is
    // the move, keeping its description unless they typed another) counts as not booked, and the
    // cancellation as nothing: that is how a person removes a move booked twice.
    const cancellations = rows.length
      ? await this.#searchRead<MoveRow>(
          'account.move',
          [['origin', 'in', rows.map((r) => `account.move,${r.id}`)]],
          fields,
        )
      : [];
    const cancelled = new Set(cancellations.map((c) => Number(c.origin?.split(',')[1])));
    const steps = new Map<number, MoveRow>();
    const reversals = new Map<number, MoveRow>();
    const twice: MoveRow[] = [];
    for (const row of rows) {
      if (cancelled.has(row.id) || row.origin?.startsWith('account.move,')) continue;
      const d = row.description ?? '';
      // Only the tag the adapter appends counts: text earlier in the description (a payer's note) cannot pose as one.
      const m = /\[settle(-reversal)?:([^\]#]+)#(\d+)\]$/.exec(d);
      if (!m || m[2] !== paymentId) continue;
      if (m[1]) {
        if (!reversals.has(Number(m[3]))) reversals.set(Number(m[3]), row);
        else twice.push(row);
      } else if (!steps.has(Number(m[3]))) steps.set(Number(m[3]), row);
      else twice.push(row);
    }
    return { steps, reversals, twice };
  }

  async #post(posting: ErpPosting, signal?: AbortSignal): Promise<ErpPostingResult> {
    const id = posting.paymentId;
    const steps = planSteps(posting);
    let done = await this.#tagged(id);
    this.#stop(signal, id, done.steps);
    if (done.steps.size === 0) await this.#validate(posting);
    // The surcharge is booked last: an account that cannot take it must refuse a resumed posting
    // too (one an earlier version left without it) before any further step is booked.
    if (posting.surchargeAmount > 0) await this.#surchargeAccount();
    try {
      for (const [n, step] of steps.entries()) {
        for (let attempt = 1; ; attempt++) {
          try {
            done = await this.#step(posting, n, step, signal);
            break;
          } catch (error) {
            // The document changed between this run's reads and its write, and trytond wrote nothing:
            // read again, and the step is skipped if another run made it, or made once if not.
            if (!(error instanceof TrytonConflictError) || attempt === CONFLICT_ATTEMPTS) throw error;
          }
        }
        // A reversed posting posted again stays reversed (as in MemoryErp): nothing new is applied.
        if (done.reversals.size > 0) break;
      }
    } catch (error) {
      if (error instanceof ErpRejectedError) {
        // Read again: the tags read before the last step lack the step just booked.
        const booked = await this.#tagged(id).then(
          (t) => t.steps,
          () => done.steps,
        );
        if (booked.size > 0) throw new ErpRejectedError(`${error.message}; ${id}: ${bookedText(booked)}`);
      }
      throw error;
    }
    const final = await this.#tagged(id);
    if (final.twice.length > 0) {
      // Two runs each made a move without a document to lock (docs/tryton.md, "Exactly once"): park it for a person.
      throw new ErpRejectedError(`${id}: ${twiceText(final.twice)}`);
    }
    const first = final.steps.get(0);
    if (!first) throw new ErpRejectedError(`Tryton shows no move for ${id} after posting it`);
    return { erpReference: `account.move,${first.id}` };
  }

  /**
   * Makes step `n` unless a tagged move shows it made; returns the tags it read.
   *
   * A pay step reads its document's version (`_timestamp`) first and the tags after it, and sends
   * that version with the wizard: trytond refuses the wizard's write to the document
   * (ConcurrencyException, {@link TrytonConflictError}) when the document changed since. A run of
   * the same payment whose step committed after this run read the tags also changed the document,
   * so it cannot be made twice — not by a call that reached trytond late after its caller gave up,
   * nor by two Settle instances starting the same posting at once (docs/tryton.md, "Exactly once").
   */
  async #step(posting: ErpPosting, n: number, step: Step, signal: AbortSignal | undefined) {
    const id = posting.paymentId;
    const document = step.kind === 'pay' ? await this.#document(step.invoiceId) : null;
    const done = await this.#tagged(id);
    if (done.reversals.size > 0) return done;
    const made = done.steps.get(n);
    if (made) {
      // A step whose move was created but not posted (on-account: create, then post) is finished.
      if (made.state === 'draft') {
        this.#stop(signal, id, done.steps);
        await this.#call('model.account.move.post', [made.id]);
      }
      return done;
    }
    if (document) {
      checkBalance(document, step.amount, posting.currency);
      await writableAfter(document);
    }
    // After any wait: a caller that gave up meanwhile sends nothing more.
    this.#stop(signal, id, done.steps);
    const description = `${step.label} ${stepTag(id, n)}`;
    if (step.kind === 'pay' && document) {
      await this.#payInvoice(document, step.amount, posting.currency, step.method, posting.date, description);
    } else if (step.kind === 'surcharge') {
      await this.#surcharge(posting, step.amount, description);
    } else {
      await this.#onAccount(posting, step.amount, description);
    }
    return done;
  }

  /**
   * The invoice or credit memo a step pays, with its version for Tryton's optimistic lock and when
   * this process had read it (`performance.now()`, for {@link writableAfter}).
   */
  async #document(invoiceId: number): Promise<Versioned> {
    const [row] = await this.#searchRead<InvoiceRow>(
      'account.invoice',
      [['id', '=', invoiceId]],
      [...INVOICE_FIELDS, '_timestamp'],
    );
    if (!row) throw new ErpRejectedError(`unknown invoice ${invoiceId}`);
    const version = row._timestamp;
    if (typeof version !== 'string') throw new ErpRejectedError(`Tryton sent no _timestamp for invoice ${invoiceId}`);
    return { ...row, version, readAt: performance.now() };
  }

  /** Checks the whole posting against Tryton's balances before the first step changes anything. */
  async #validate(posting: ErpPosting): Promise<void> {
    const party = await this.#partyId(posting.customerId);
    if (party === null) throw new ErpRejectedError(`unknown customer ${posting.customerId}`);
    const amounts = [posting.cashAmount, posting.surchargeAmount, posting.unappliedAmount];
    for (const a of posting.applications) amounts.push(a.cash, a.credit, a.deduction?.amount ?? 0);
    for (const c of posting.credits) amounts.push(c.amount);
    if (amounts.some((a) => !Number.isSafeInteger(a) || a < 0)) {
      throw new ErpRejectedError(`${posting.paymentId}: amounts must be non-negative integer minor units`);
    }
    const cash = posting.applications.reduce((t, a) => t + a.cash, posting.unappliedAmount);
    if (cash !== posting.cashAmount) {
      throw new ErpRejectedError(`${posting.paymentId}: cashAmount ${posting.cashAmount} is not the cash applied`);
    }
    const ids = [
      ...posting.applications.map((a) => a.invoiceId),
      ...posting.credits.flatMap((c) => [c.creditId, c.invoiceId]),
    ];
    const numeric = ids.map(recordId);
    const missing = ids.find((_, i) => numeric[i] === null);
    if (missing) throw new ErpRejectedError(`unknown invoice ${missing}`);
    const twice = posting.applications.find((a, i) =>
      posting.applications.some((b, j) => j < i && b.invoiceId === a.invoiceId),
    );
    if (twice) throw new ErpRejectedError(`${posting.paymentId}: invoice ${twice.invoiceId} is applied twice`);
    const rows = await this.#searchRead<InvoiceRow>(
      'account.invoice',
      [['id', 'in', [...new Set(numeric)]]],
      INVOICE_FIELDS,
    );
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    const open = (id: string, what: string) => {
      const row = byId.get(id);
      if (row?.type !== 'out') throw new ErpRejectedError(`unknown ${what} ${id}`);
      if (row.party !== party) throw new ErpRejectedError(`${what} ${row.number} belongs to another customer`);
      if (row.state !== 'posted') throw new ErpRejectedError(`${what} ${row.number} is ${row.state}, not open`);
      const currency = row['currency.'].code;
      if (currency !== posting.currency) {
        throw new ErpRejectedError(`${what} ${row.number} is in ${currency}, the posting in ${posting.currency}`);
      }
      return { row, balance: signedMinor(row.amount_to_pay, currency, `${what} ${row.number}`) };
    };
    for (const a of posting.applications) {
      const { row, balance } = open(a.invoiceId, 'invoice');
      const taken = a.cash + a.credit + (a.deduction?.amount ?? 0);
      if (balance <= 0 || taken > balance) {
        throw new ErpRejectedError(
          `invoice ${row.number}: ${toDecimalString(taken, posting.currency)} is more than its balance ${toDecimalString(balance, posting.currency)}`,
        );
      }
      const credited = posting.credits.filter((c) => c.invoiceId === a.invoiceId).reduce((t, c) => t + c.amount, 0);
      if (credited !== a.credit) {
        throw new ErpRejectedError(`invoice ${row.number}: credit ${a.credit} does not match the credits applied`);
      }
    }
    const perCredit = new Map<string, number>();
    for (const c of posting.credits) perCredit.set(c.creditId, (perCredit.get(c.creditId) ?? 0) + c.amount);
    for (const [creditId, amount] of perCredit) {
      const { row, balance } = open(creditId, 'credit memo');
      if (balance >= 0 || amount > -balance) {
        throw new ErpRejectedError(
          `credit memo ${row.number}: ${toDecimalString(amount, posting.currency)} is more than its remaining ${toDecimalString(Math.max(0, -balance), posting.currency)}`,
        );
      }
      if (
        !posting.applications.some((a) =>
          posting.credits.some((c) => c.creditId === creditId && c.invoiceId === a.invoiceId),
        )
      ) {
        throw new ErpRejectedError(`credit memo ${row.number} is applied to an invoice the posting does not pay`);
      }
    }
  }

  readonly #paymentMethods = once(async () => {
    const rows = await this.#searchRead<{ id: number; name: string; journal: number; debit_account: number }>(
      'account.invoice.payment.method',
      [],
      ['name', 'journal', 'debit_account'],
      [['id', 'ASC']],
    );
    const find = (key: string) => {
      const row = rows.find((r) => r.name === key || String(r.id) === key);
      if (!row) {
        throw new ErpRejectedError(
          `Tryton has no payment method "${key}" (SETTLE_TRYTON_JOURNAL; server/tryton/seed.py creates them)`,
        );
      }
      return { id: row.id, journal: row.journal, account: row.debit_account };
    };
    return { cash: find(this.#config.journal), credit: find(CREDIT_METHOD), deduction: find(DEDUCTION_METHOD) };
  });

  /**
   * One run of account.invoice.pay: start → choice → (ask: partial) → pay; the session is deleted
   * after. Every call carries the document's `_timestamp`, so the one that writes is refused if the
   * document changed since it was read.
   */
  async #payInvoice(
    document: Versioned,
    amount: number,
    currency: Currency,
    method: 'cash' | 'credit' | 'deduction',
    date: string,
    description: string,
  ): Promise<void> {
    const methods = await this.#paymentMethods();
    const wizard = 'wizard.account.invoice.pay';
    const invoiceId = document.id;
    const context = {
      ...(await this.#context()),
      active_id: invoiceId,
      active_ids: [invoiceId],
      active_model: 'account.invoice',
      // Tryton's optimistic lock: the wizard's write to the invoice fails if it changed since this version was read.
      _timestamp: { [`account.invoice,${invoiceId}`]: document.version },
    };
    const [sid] = await this.rpc.call<[number, string, string]>(`${wizard}.create`, [{}]);
    try {
      const exec = (data: object, state: string) =>
        this.rpc.call<{ view?: { state: string; defaults: Record<string, unknown> } }>(`${wizard}.execute`, [
          sid,
          data,
          state,
          context,
        ]);
      const first = await exec({}, 'start');
      const start = {
        ...values(first.view?.defaults ?? {}),
        amount: decimal(toDecimalString(amount, currency)),
        description,
        payment_method: methods[method].id,
        date: trytonDate(date),
      };
      // The first call that can write the invoice (a full payment is booked in "choice").
      const next = await exec({ start }, 'choice');
      if (next.view?.state === 'ask') {
        const ask = { ...values(next.view.defaults), type: 'partial', writeoff: null };
        await exec({ start, ask }, 'pay');
      }
    } finally {
      await this.rpc.call(`${wizard}.delete`, [sid, context]).catch(() => {});
    }
  }

  /** Money beyond the invoices: a move crediting the customer's receivable, left unreconciled on account. */
  async #onAccount(posting: ErpPosting, amount: number, description: string): Promise<void> {
    const party = await this.#partyId(posting.customerId);
    if (party === null) throw new ErpRejectedError(`unknown customer ${posting.customerId}`);
    const [receivable] = await this.#searchRead<{ id: number }>(
      'account.account',
      [
        ['type.receivable', '=', true],
        ['party_required', '=', true],
      ],
      ['id'],
      [['id', 'ASC']],
    );
    if (!receivable) throw new ErpRejectedError('Tryton has no receivable account for on-account cash');
    await this.#receive(posting, amount, description, { account: receivable.id, party });
  }

  /**
   * The card surcharge: received with the payment, earned by the merchant (a fee, not a payment of
   * any invoice), so a move crediting the surcharge revenue account. The payment method's account
   * then holds all the money the card was charged, as the processor will pay it out.
   */
  async #surcharge(posting: ErpPosting, amount: number, description: string): Promise<void> {
    await this.#receive(posting, amount, description, { account: await this.#surchargeAccount(), party: null });
  }

  /**
   * The account SETTLE_TRYTON_SURCHARGE_ACCOUNT names (a code, a name or an id), checked to take a
   * move line without a party: an account that cannot would refuse the surcharge move only after
   * the invoices were paid, so it is refused before the first step instead.
   */
  readonly #surchargeAccount = once(async (): Promise<number> => {
    const key = this.#config.surchargeAccount ?? SURCHARGE_ACCOUNT;
    type Row = {
      id: number;
      code: string | null;
      name: string;
      type: number | null;
      closed: boolean;
      party_required: boolean;
      'type.': { receivable: boolean; payable: boolean } | null;
    };
    const rows = await this.#searchRead<Row>(
      'account.account',
      ['OR', ['code', '=', key], ['name', '=', key], ...(recordId(key) ? [['id', '=', Number(key)]] : [])],
      ['code', 'name', 'type', 'closed', 'party_required', 'type.receivable', 'type.payable'],
      [['id', 'ASC']],
    );
    const setting = `SETTLE_TRYTON_SURCHARGE_ACCOUNT "${key}"`;
    const byCode = rows.filter((r) => r.code === key);
    const byName = rows.filter((r) => r.name === key);
    const matches = byCode.length ? byCode : byName.length ? byName : rows;
    const [row] = matches;
    if (!row) {
      throw new ErpRejectedError(
        `Tryton has no account "${key}" for card surcharges (SETTLE_TRYTON_SURCHARGE_ACCOUNT; server/tryton/seed.py creates "${SURCHARGE_ACCOUNT}")`,
      );
    }
    if (matches.length > 1) {
      throw new ErpRejectedError(`${setting} names ${matches.length} Tryton accounts: give its code or id`);
    }
    const problem =
      row.type === null
        ? 'is a view account (no type): moves cannot be booked to it'
        : row.closed
          ? 'is closed'
          : row.party_required || row['type.']?.receivable || row['type.']?.payable
            ? "is a customer or supplier account: a surcharge is the merchant's income, not the customer's"
            : null;
    if (problem) throw new ErpRejectedError(`${setting}: account ${row.code ?? row.name} ${problem}`);
    return row.id;
  });

  /** A posted move of money received with the payment method: its account debited, `credit` credited. */
  async #receive(
    posting: ErpPosting,
    amount: number,
    description: string,
    credit: { account: number; party: number | null },
  ): Promise<void> {
    const methods = await this.#paymentMethods();
    const value = decimal(toDecimalString(amount, posting.currency));
    const zero = decimal('0');
    const [moveId] = await this.#call<number[]>('model.account.move.create', [
      {
        journal: methods.cash.journal,
        period: await this.#period(posting.date),
        date: trytonDate(posting.date),
        description,
        lines: [
          [
            'create',
            [
              { ...credit, debit: zero, credit: value, description },
              { account: methods.cash.account, debit: value, credit: zero, description },
            ],
          ],
        ],
      },
    ]);
    await this.#call('model.account.move.post', [moveId]);
  }

  async #reverse(paymentId: string, reason: string, signal?: AbortSignal): Promise<void> {
    const { steps, reversals, twice } = await this.#tagged(paymentId);
    // Reversing only the first of two would leave the payment half undone: a person cancels the extra first.
    if (twice.length > 0) throw new ErpRejectedError(`Cannot reverse ${paymentId}: ${twiceText(twice)}`);
    const numbers = [...steps.keys()].sort((a, b) => b - a);
    const reversed: number[] = [];
    for (const n of numbers) {
      this.#stop(signal, paymentId, steps);
      const move = steps.get(n) as MoveRow;
      try {
        await this.#reverseMove(move.id, reversals.get(n), `Settle reversal: ${reason} ${reversalTag(paymentId, n)}`);
      } catch (error) {
        if (error instanceof ErpRejectedError) {
          // A person must finish by hand: say which steps are reversed and which are still booked.
          const done = reversed.length ? `steps ${reversed.join(', ')} reversed` : 'no step reversed by this run';
          throw new ErpRejectedError(`${error.message}; ${paymentId}: ${done}, ${bookedText(steps)}`);
        }
        throw error;
      }
      reversed.push(n);
    }
  }

  /**
   * Takes one payment move back: unreconciles its lines (a paid invoice becomes posted again),
   * unlinks its line from the invoice's payments, then posts a mirror move tagged as the reversal
   * of that step and reconciles the reconcilable lines with their mirrors. Each part is done only
   * if it is missing, so a reversal interrupted between them (a draft or unreconciled mirror) is
   * finished by its retry instead of skipped.
   */
  async #reverseMove(moveId: number, made: MoveRow | undefined, description: string): Promise<void> {
    const lineFields = ['account', 'party', 'debit', 'credit', 'reconciliation'];
    const lines = await this.#searchRead<LineRow>('account.move.line', [['move', '=', moveId]], lineFields);
    let mirrorId = made?.id;
    let draft = made?.state === 'draft';
    if (mirrorId === undefined) {
      const move = (
        await this.#searchRead<{ id: number; journal: number; date: unknown }>(
          'account.move',
          [['id', '=', moveId]],
          ['journal', 'date'],
        )
      )[0];
      if (!move) return;
      const reconciliations = [...new Set(lines.flatMap((l) => (l.reconciliation ? [l.reconciliation] : [])))];
      if (reconciliations.length) await this.#call('model.account.move.reconciliation.delete', reconciliations);
      const lineIds = lines.map((l) => l.id);
      const invoices = await this.#searchRead<{ id: number; payment_lines: number[] }>(
        'account.invoice',
        [['payment_lines', 'in', lineIds]],
        ['payment_lines'],
      );
      for (const invoice of invoices) {
        const remove = invoice.payment_lines.filter((l) => lineIds.includes(l));
        await this.#call('model.account.invoice.write', [invoice.id], { payment_lines: [['remove', remove]] });
      }
      const today = new Date().toISOString().slice(0, 10);
      [mirrorId] = await this.#call<number[]>('model.account.move.create', [
        {
          journal: move.journal,
          period: await this.#period(today),
          date: trytonDate(today),
          description,
          lines: [
            [
              'create',
              lines.map((l) => ({
                account: l.account,
                party: l.party,
                debit: decimal(decimalString(l.credit)),
                credit: decimal(decimalString(l.debit)),
                description,
              })),
            ],
          ],
        },
      ]);
      draft = true;
    }
    if (draft) await this.#call('model.account.move.post', [mirrorId]);
    const original = await this.#searchRead<LineRow>('account.move.line', [['move', '=', moveId]], lineFields);
    const mirror = await this.#searchRead<LineRow>('account.move.line', [['move', '=', mirrorId]], lineFields);
    const reconcilable = await this.#searchRead<{ id: number }>(
      'account.account',
      [
        ['id', 'in', original.map((l) => l.account)],
        ['reconcile', '=', true],
      ],
      ['id'],
    );
    for (const { id: account } of reconcilable) {
      const pair = [...original, ...mirror].filter((l) => l.account === account);
      // Reconciled already (by the run that was interrupted after it): nothing left to do.
      if (pair.length < 2 || pair.some((l) => l.reconciliation !== null)) continue;
      await this.#reconcile(pair.map((l) => l.id));
    }
  }

  /** The open standard period holding `date` (account.move needs one). */
  async #period(date: string): Promise<number> {
    const [period] = await this.#searchRead<{ id: number }>(
      'account.period',
      [
        ['start_date', '<=', trytonDate(date)],
        ['end_date', '>=', trytonDate(date)],
        ['type', '=', 'standard'],
        ['state', '=', 'open'],
      ],
      ['id'],
    );
    if (!period) throw new ErpRejectedError(`Tryton has no open period for ${date}`);
    return period.id;
  }

  /** Reconciles balanced lines through account.move.reconcile_lines (no write-off needed). */
  async #reconcile(lineIds: number[]): Promise<void> {
    const wizard = 'wizard.account.move.reconcile_lines';
    const context = {
      ...(await this.#context()),
      active_id: lineIds[0],
      active_ids: lineIds,
      active_model: 'account.move.line',
    };
    const [sid] = await this.rpc.call<[number, string, string]>(`${wizard}.create`, [{}]);
    try {
      await this.rpc.call(`${wizard}.execute`, [sid, {}, 'start', context]);
    } finally {
      await this.rpc.call(`${wizard}.delete`, [sid, context]).catch(() => {});
    }
  }
}

/**
 * Refuses a step that pays more than is left on its document, read right before the step: a
 * resumed posting was validated when it began, and its invoice may have been paid in Tryton since.
 */
function checkBalance(row: InvoiceRow, amount: number, currency: Currency): void {
  const what = `${amount < 0 ? 'credit memo' : 'invoice'} ${row.number ?? row.id}`;
  if (row.state !== 'posted') throw new ErpRejectedError(`${what} is ${row.state}, not open`);
  const left = signedMinor(row.amount_to_pay, row['currency.'].code, what);
  // A credit memo step pays a negative amount off a negative balance.
  if (amount < 0 ? left > amount : left < amount) {
    throw new ErpRejectedError(
      `${what}: ${toDecimalString(Math.abs(amount), currency)} is more than what is left, ${toDecimalString(Math.max(0, Math.sign(amount) * left), currency)}`,
    );
  }
}

/**
 * Waits, if need be, until more than a second has passed since `document` was read. Tryton's
 * SQLite backend gives `_timestamp` in whole seconds (its EXTRACT(EPOCH) drops the fraction), so
 * two writes within one second share a version and the optimistic lock cannot tell them apart.
 * A write sent over a second after its own read is stamped over a second after the version any
 * other run read before it, so it changes the version that run will send. PostgreSQL's versions
 * have microseconds (a fraction): no wait.
 */
async function writableAfter(document: Versioned): Promise<void> {
  if (document.version.includes('.')) return;
  const wait = document.readAt + SECOND_VERSIONS_WAIT_MS - performance.now();
  if (wait > 0) await sleep(wait);
}

/** The refusal for a payment with a step booked twice: what to cancel, and how. */
function twiceText(twice: MoveRow[]): string {
  const extra = twice.map(moveText).join(', ');
  return `booked twice in Tryton, ${extra} repeats a step: cancel it in Tryton (Cancel Moves)`;
}

/** What a posting already booked, for a person who must act on a posting stopped halfway. */
function bookedText(booked: Map<number, MoveRow>): string {
  if (booked.size === 0) return 'nothing was booked in Tryton';
  const moves = [...booked].map(([n, m]) => `step ${n} ${moveText(m)}`);
  return `already booked in Tryton: ${moves.join(', ')}`;
}

/** A move as a person finds it in Tryton: `account.move,80 (80)`. */
function moveText(m: MoveRow): string {
  return `account.move,${m.id}${m.number ? ` (${m.number})` : ''}`;
}

/** Wizard defaults as values to send back: drop the "field." rec_name companions. */
function values(defaults: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(defaults).filter(([key]) => !key.endsWith('.')));
}

/** A Tryton record id from a port id ("12"); anything else is not a record of this ERP. */
function recordId(id: string): number | null {
  return /^[1-9]\d{0,15}$/.test(id) ? Number(id) : null;
}

/** A signed Tryton Decimal as integer minor units, exactly (parseDecimal takes the magnitude). */
function signedMinor(value: unknown, currency: Currency, what: string): number {
  const text = decimalString(value);
  const negative = text.startsWith('-');
  const minor = parseDecimal(negative ? text.slice(1) : text, currency);
  if (minor === undefined) throw new ErpRejectedError(`${what}: Tryton amount ${text} is not a ${currency} amount`);
  return negative ? -minor : minor;
}

/** The adapter SETTLE_ERP=tryton selects (server/src/erp/select.ts). */
export function createTrytonErp(config: TrytonConfig): TrytonErp {
  return new TrytonErp(config);
}
