import type { Writable } from 'node:stream';
import { toDecimalString } from '@settle/schema';
import { stringify } from 'csv-stringify';
import { sql } from 'kysely';
import { inertText } from '../documents/statement-csv.js';
import type { Db } from '../store/db.js';

/** The columns of `ledger export-payments`, one row per item a posting touched (docs/sql-ledger.md). */
export const EXPORT_COLUMNS = [
  'payment_id',
  'date',
  'customer_id',
  'document_number',
  'document_type',
  'currency',
  'applied_cash',
  'credit_applied',
  'deduction',
  'reason_code',
  'erp_reason_code',
  'deduction_note',
  'erp_reference',
  'reference',
  'method',
  'posted_at',
  'reversed',
  'reversed_at',
  'reversal_reason',
] as const;

export interface ExportOptions {
  /** Only postings posted or reversed at or after this instant. */
  since?: Date;
  /**
   * Only what the ERP has not been handed yet: postings never exported, as they were posted, and
   * reversals of postings exported before, as reversal rows (negative amounts, reversed=true).
   */
  unexported?: boolean;
  /** Record what was handed to the ERP (exported_at, reversal_exported_at), which a later import relies on. Default true. */
  mark?: boolean;
  /**
   * Called once every row has been handed to `out` and before anything is marked: the CLI closes and
   * renames its file here, or waits for stdout to drain. A throw marks nothing (the export rolls back).
   */
  finish?: () => Promise<void>;
}

/**
 * Writes the SQL ledger's postings as CSV for re-import into the ERP: per invoice the cash,
 * credit and deduction (with the merchant's and the ERP's reason code) Settle applied, per credit
 * memo the credit consumed, the unapplied rest as an `on_account` row and the card surcharge as a
 * `surcharge` row (so a payment's rows add up to what was charged). Amounts are decimal
 * strings in the currency's units. A reversed posting is listed with reversed=true, so the ERP
 * side can undo it; with `unexported`, a reversal of a posting already handed over is its own
 * rows, negated. The select and the marking run in one transaction, and marking happens only once
 * the output was written (`finish`), so a failed write leaves everything to export again.
 * Returns the number of postings written.
 */
export async function exportLedgerPayments(db: Db, out: Writable, options: ExportOptions = {}): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom('ledger_postings as p')
      .select([
        'p.payment_id',
        'p.date',
        'p.customer_id',
        'p.currency',
        'p.cash_amount',
        'p.unapplied_amount',
        'p.surcharge_amount',
        'p.erp_reference',
        'p.reference',
        'p.method',
        'p.posted_at',
        'p.reversed_at',
        'p.reversal_reason',
        'p.on_account_item_id',
        'p.exported_at',
        'p.reversal_exported_at',
      ])
      .orderBy('p.posted_at')
      .orderBy('p.payment_id');
    if (options.since) {
      const since = options.since;
      q = q.where((eb) => eb.or([eb('p.posted_at', '>=', since), eb('p.reversed_at', '>=', since)]));
    }
    if (options.unexported) {
      q = q.where((eb) =>
        eb.or([
          eb('p.exported_at', 'is', null),
          eb.and([eb('p.reversed_at', 'is not', null), eb('p.reversal_exported_at', 'is', null)]),
        ]),
      );
    }
    const postings = await q.execute();
    // With `unexported`: a posting the ERP never had and that is reversed by now is nothing to the ERP.
    const entries = postings.flatMap((p) => {
      if (!options.unexported) return [{ p, reversal: false }];
      if (p.exported_at === null) return p.reversed_at ? [] : [{ p, reversal: false }];
      return [{ p, reversal: true }];
    });
    const ids = entries.map((e) => e.p.payment_id);
    const lines = ids.length
      ? await trx
          .selectFrom('ledger_posting_lines as l')
          .innerJoin('ledger_items as i', 'i.id', 'l.item_id')
          .leftJoin('ledger_deductions as d', (join) =>
            join.onRef('d.payment_id', '=', 'l.payment_id').onRef('d.invoice_id', '=', 'l.item_id'),
          )
          .select([
            'l.payment_id',
            'i.number',
            'i.type',
            'l.cash',
            'l.credit',
            'l.deduction',
            'd.reason_code',
            'd.erp_reason_code',
            'd.note',
          ])
          .where('l.payment_id', 'in', ids)
          .orderBy('l.payment_id')
          .orderBy('i.type', 'desc')
          .orderBy('i.number')
          .execute()
      : [];
    const byPayment = new Map<string, typeof lines>();
    for (const l of lines) byPayment.set(l.payment_id, [...(byPayment.get(l.payment_id) ?? []), l]);

    const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS] });
    csv.pipe(out, { end: false });
    const done = new Promise<void>((resolve, reject) => {
      csv.on('end', resolve);
      csv.on('error', reject);
      out.once('error', reject);
    });
    for (const { p, reversal } of entries) {
      const money = (n: number) => toDecimalString(reversal ? -n : n, p.currency);
      const common = {
        payment_id: p.payment_id,
        date: p.date,
        customer_id: p.customer_id,
        currency: p.currency,
        erp_reference: p.erp_reference,
        reference: inertText(p.reference),
        method: p.method,
        posted_at: new Date(p.posted_at).toISOString(),
        reversed: p.reversed_at ? 'true' : 'false',
        reversed_at: p.reversed_at ? new Date(p.reversed_at).toISOString() : '',
        reversal_reason: inertText(p.reversal_reason),
      };
      for (const l of byPayment.get(p.payment_id) ?? []) {
        csv.write({
          ...common,
          document_number: l.number,
          document_type: l.type,
          applied_cash: money(l.cash),
          credit_applied: money(l.credit),
          deduction: money(l.deduction),
          reason_code: l.reason_code ?? '',
          erp_reason_code: l.erp_reason_code ?? '',
          deduction_note: inertText(l.note),
        });
      }
      // Money beyond the documents: the unapplied rest, and the card surcharge (fee income, no document's payment).
      const extra = (number: string, type: 'on_account' | 'surcharge', amount: number) =>
        csv.write({
          ...common,
          document_number: number,
          document_type: type,
          applied_cash: money(amount),
          credit_applied: money(0),
          deduction: money(0),
          reason_code: '',
          erp_reason_code: '',
          deduction_note: '',
        });
      if (p.unapplied_amount > 0) extra(`UNAPPLIED-${p.payment_id}`, 'on_account', p.unapplied_amount);
      if (p.surcharge_amount > 0) extra(`SURCHARGE-${p.payment_id}`, 'surcharge', p.surcharge_amount);
    }
    csv.end();
    await done;
    await options.finish?.();
    if (options.mark !== false && postings.length) {
      const all = postings.map((p) => p.payment_id);
      await trx
        .updateTable('ledger_postings')
        .set({ exported_at: sql`now()` })
        .where('payment_id', 'in', all)
        .where('exported_at', 'is', null)
        .execute();
      // Only reversals this export saw: one made since is handed over next time.
      const reversed = postings.filter((p) => p.reversed_at).map((p) => p.payment_id);
      if (reversed.length) {
        await trx
          .updateTable('ledger_postings')
          .set({ reversal_exported_at: sql`now()` })
          .where('payment_id', 'in', reversed)
          .where('reversal_exported_at', 'is', null)
          .execute();
      }
    }
    return entries.length;
  });
}
