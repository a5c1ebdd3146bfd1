/**
 * A synthetic AR-aging export in `ledger import`'s format (docs/sql-ledger.md): `rows` documents
 * over rows/20 customers, nine invoices to one credit memo, amounts with cents. Deterministic, so
 * two calls with the same arguments produce byte-identical files.
 */
export function ledgerCsv(rows: number, options: { openShift?: number } = {}): string {
  const lines = [
    'customer_id,customer_name,customer_email,document_number,type,issue_date,due_date,currency,amount,open_amount,po_number,memo',
  ];
  for (let i = 0; i < rows; i++) {
    const customer = `C-${String(Math.floor(i / 20)).padStart(6, '0')}`;
    const credit = i % 10 === 9;
    const day = 1 + (i % 28);
    const cents = 10_000 + ((i * 7919) % 5_000_000);
    const open = Math.max(0, cents - ((i * 31) % 3) * 1_000 - (options.openShift ?? 0));
    const dec = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
    lines.push(
      [
        customer,
        `"Customer ${customer}, Inc."`,
        `ap+${customer.toLowerCase()}@example.com`,
        credit ? `CM-${i}` : `INV-${i}`,
        credit ? 'credit' : 'invoice',
        `2025-01-${String(day).padStart(2, '0')}`,
        credit ? '' : `2025-02-${String(day).padStart(2, '0')}`,
        'USD',
        dec(cents),
        dec(open),
        credit ? '' : `PO-${i}`,
        credit ? 'Returned goods' : '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
