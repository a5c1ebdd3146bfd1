/**
 * Receipts and statements, read back the way a person or a spreadsheet would: the PDFs through
 * poppler's pdftotext, the CSV through csv-parse. Every expected amount comes from the ERP's open
 * items at the time of the test, never from the code under test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  currencyExponent,
  formatMoney,
  type Payment,
  PaymentMethodTokenSchema,
  ProblemSchema,
  type SessionView,
  SessionViewSchema,
} from '@settle/schema';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMerchantClient, isSettleHttpError, type MerchantClient } from '../../packages/client/src/index.js';
import { inertText } from '../src/documents/statement-csv.js';
import { MemoryErp } from '../src/erp/memory.js';
import type { ErpOpenItems } from '../src/erp/port.js';
import { demoErpData } from '../src/erp/seed.js';
import { signToken } from '../src/services/signing.js';
import { call, STORES, startTestServer, type TestServer } from './harness.js';

const EXP_YEAR = new Date().getUTCFullYear() + 5;
const money = (amount: number, currency: string) => formatMoney(amount, currency, 'en-US');

/** The PDF's text with its layout kept, as pdftotext (poppler-utils) extracts it. */
function pdfText(pdf: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'settle-pdf-'));
  const file = join(dir, 'doc.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** Minor units from a CSV decimal string, exactly: "-1500.50" -> -150050. */
function minorUnits(decimal: string, currency: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) throw new Error(`Not a decimal amount: ${decimal}`);
  const exp = currencyExponent(currency);
  expect((match[3] ?? '').length, `${decimal} has the currency's decimals`).toBe(exp);
  return (match[1] ? -1 : 1) * Number((match[2] ?? '') + (match[3] ?? ''));
}

const DAY = 86_400_000;
/** The aging the statement must show, worked out here from the ERP's dates. */
function expectedAging(items: ErpOpenItems, currency: string, date: string) {
  const buckets = [0, 0, 0, 0, 0];
  const age = (due: string) => (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) / DAY;
  const put = (days: number, amount: number) => {
    const i = days <= 0 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;
    buckets[i] = (buckets[i] ?? 0) + amount;
  };
  for (const inv of items.invoices.filter((x) => x.currency === currency)) put(age(inv.dueDate), inv.openAmount);
  for (const c of items.credits.filter((x) => x.currency === currency)) put(age(c.issueDate), -c.openAmount);
  return buckets;
}

/** The cells of a pdftotext -layout line: runs of two or more spaces separate columns. */
const cells = (line: string | undefined) => (line ?? '').trim().split(/\s{2,}/);

/** A demo ledger with ERP text a spreadsheet would run as a formula. */
function hostileErp(): MemoryErp {
  const data = demoErpData();
  // The last of each: the test's payment uses the first invoices and credit.
  const credit = data.credits.findLast((c) => c.customerId === 'cus_acme' && c.openAmount > 0);
  if (credit) credit.memo = '=HYPERLINK("http://evil.example","Click")';
  const invoice = data.invoices.findLast((i) => i.customerId === 'cus_acme' && i.openAmount > 0 && i.poNumber);
  if (invoice) invoice.poNumber = '@SUM(A1:A9)';
  return new MemoryErp(data);
}

describe('statement CSV text cells', () => {
  it('prefixes with an apostrophe any text a spreadsheet would run as a formula', () => {
    const formulas = [
      '=1+1',
      '+1',
      '-1',
      '@SUM(A1)',
      '|cmd',
      '  =1+1',
      ' \u00a0@SUM(A1)',
      '\uFF1D1+1',
      '\uFF0B1',
      '\uFF0D1',
      '\uFF20SUM(A1)',
      '\tx',
      '\rx',
      '\nx',
    ];
    for (const text of formulas) expect(inertText(text), JSON.stringify(text)).toBe(`'${text}`);
    for (const text of ['PO-4512', 'Volume rebate', 'a=b', 'x-1', '']) expect(inertText(text)).toBe(text);
    expect(inertText(null)).toBe('');
  });
});

describe.each(STORES)('receipts and statements (%s)', (store) => {
  let server: TestServer;
  let merchant: MerchantClient;
  let session: SessionView;
  let clientToken: string;
  let payment: Payment;

  beforeAll(async () => {
    server = await startTestServer({ store, erp: hostileErp() });
    merchant = createMerchantClient({ apiUrl: server.url, secretKey: server.secretKey });
    const created = await merchant.createSession({ customerId: 'cus_acme' });
    clientToken = created.clientToken;
    session = SessionViewSchema.parse((await call(server, 'GET', '/v1/session', clientToken)).body);

    // A real payment: one invoice in full, one short-paid with a reason, a credit applied, by credit card.
    const [first, second] = session.invoices;
    const credit = session.credits[0];
    if (!first || !second || !credit) throw new Error('The demo customer needs two invoices and a credit');
    const tokenReply = await call(server, 'POST', '/v1/sandbox/tokens', clientToken, {
      type: 'card',
      number: '4242424242424242',
      expMonth: 12,
      expYear: EXP_YEAR,
      cvc: '123',
    });
    const token = PaymentMethodTokenSchema.parse(tokenReply.body).id;
    const proposal = {
      method: 'card',
      allocations: [
        { invoiceId: first.id, amount: first.openAmount },
        { invoiceId: second.id, amount: second.openAmount - 10_000, reasonCode: 'damaged_goods' },
      ],
      credits: [{ creditId: credit.id, amount: credit.openAmount }],
      paymentMethodToken: token,
    };
    const quote = (await call<{ total: number }>(server, 'POST', '/v1/session/quote', clientToken, proposal)).body;
    const paid = await call<Payment>(
      server,
      'POST',
      '/v1/session/payments',
      clientToken,
      { ...proposal, expectedTotal: quote.total },
      { 'idempotency-key': `doc-test-${store}` },
    );
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    // Posted to the ERP, so its open items already reflect the payment.
    const deadline = Date.now() + 20_000;
    do {
      payment = await merchant.getPayment(paid.body.id);
      if (payment.erpStatus === 'posted') break;
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < deadline);
    expect(payment.status).toBe('succeeded');
    expect(payment.erpStatus).toBe('posted');
  }, 60_000);
  afterAll(() => server?.close());

  it("lists the ERP's open items, totals and aging buckets to the cent on the statement PDF", async () => {
    const pdf = await merchant.getStatementPdf('cus_acme');
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    const lines = text.split('\n');
    const items = await server.erp.listOpenItems('cus_acme');
    const date = new Date().toISOString().slice(0, 10);

    expect(text).toContain(server.settle.deps.config.merchantName);
    expect(text).toContain('Acme Industrial Supply');
    expect(text).toContain('Customer ID: cus_acme');
    for (const inv of items.invoices) {
      const row = cells(lines.find((l) => l.includes(`Invoice ${inv.number} `)));
      expect(row, inv.number).toContain(money(inv.amount, inv.currency));
      expect(row.at(-1), inv.number).toBe(money(inv.openAmount, inv.currency));
    }
    for (const c of items.credits) {
      const row = cells(lines.find((l) => l.includes(`Credit ${c.number} `)));
      expect(row.at(-1), c.number).toBe(money(-c.openAmount, c.currency));
    }
    // The credit the payment used up is gone; the fully paid invoice too.
    expect(text).not.toContain(`Credit ${payment.credits[0]?.creditNumber} `);
    expect(text).not.toContain(`Invoice ${payment.lines[0]?.invoiceNumber} `);

    const invoiceTotal = items.invoices.reduce((s, i) => s + i.openAmount, 0);
    const creditTotal = items.credits.reduce((s, c) => s + c.openAmount, 0);
    const line = (label: string) => cells(lines.find((l) => l.trim().startsWith(label)));
    expect(line('Open invoices').at(-1)).toBe(money(invoiceTotal, 'USD'));
    expect(line('Open credits').at(-1)).toBe(money(-creditTotal, 'USD'));
    expect(line('Balance due (USD)').at(-1)).toBe(money(invoiceTotal - creditTotal, 'USD'));

    const header = lines.findIndex((l) =>
      /CURRENT\s+1–30 DAYS\s+31–60 DAYS\s+61–90 DAYS\s+OVER 90 DAYS\s+TOTAL/.test(l),
    );
    expect(header).toBeGreaterThan(0);
    const aging = expectedAging(items, 'USD', date);
    expect(cells(lines.slice(header + 1).find((l) => l.trim()))).toEqual([
      ...aging.map((a) => money(a, 'USD')),
      money(invoiceTotal - creditTotal, 'USD'),
    ]);

    // Settle's own payment, with its reference and status.
    const paymentRow = cells(lines.find((l) => l.includes(payment.id)));
    expect(paymentRow).toContain(money(payment.amount, 'USD'));
    expect(paymentRow).toContain('Visa •4242');
    expect(paymentRow.at(-1)).toBe('Paid');
  });

  it('keeps currencies apart for a customer billed in two', async () => {
    const text = pdfText(await merchant.getStatementPdf('cus_pinnacle'));
    const items = await server.erp.listOpenItems('cus_pinnacle');
    for (const currency of ['USD', 'EUR']) {
      const open = (xs: Array<{ currency: string; openAmount: number }>) =>
        xs.filter((x) => x.currency === currency).reduce((s, x) => s + x.openAmount, 0);
      const balance = open(items.invoices) - open(items.credits);
      expect(text).toContain(`Open items in ${currency}`);
      expect(cells(text.split('\n').find((l) => l.includes(`Balance due (${currency})`))).at(-1)).toBe(
        money(balance, currency),
      );
    }
  });

  it("sums the statement CSV back to the ERP's open items exactly, per currency", async () => {
    for (const customerId of ['cus_acme', 'cus_pinnacle']) {
      const csv = await merchant.getStatementCsv(customerId);
      const rows = parse(csv, { columns: true, record_delimiter: '\r\n' }) as Array<Record<string, string>>;
      const items = await server.erp.listOpenItems(customerId);
      const expected = new Map<string, number>();
      for (const i of items.invoices) expected.set(i.currency, (expected.get(i.currency) ?? 0) + i.openAmount);
      for (const c of items.credits) expected.set(c.currency, (expected.get(c.currency) ?? 0) - c.openAmount);
      const summed = new Map<string, number>();
      for (const row of rows.filter((r) => r.type !== 'payment')) {
        const currency = row.currency as string;
        summed.set(currency, (summed.get(currency) ?? 0) + minorUnits(row.open_amount as string, currency));
      }
      expect(summed).toEqual(expected);
      expect(rows.filter((r) => r.type === 'invoice')).toHaveLength(items.invoices.length);
      expect(rows.filter((r) => r.type === 'credit')).toHaveLength(items.credits.length);
      for (const inv of items.invoices) {
        const row = rows.find((r) => r.type === 'invoice' && r.number === inv.number);
        expect(row?.due_date).toBe(inv.dueDate);
        expect(minorUnits(row?.amount as string, inv.currency)).toBe(inv.amount);
      }
      for (const row of rows) expect(row.statement_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('puts the aging bucket and the payment on their rows, and defuses ERP text a spreadsheet would run', async () => {
    const rows = parse(await merchant.getStatementCsv('cus_acme'), { columns: true }) as Array<Record<string, string>>;
    const date = rows[0]?.statement_date as string;
    for (const row of rows.filter((r) => r.type === 'invoice')) {
      const days = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${row.due_date}T00:00:00Z`)) / DAY;
      const bucket = days <= 0 ? 'current' : days <= 30 ? '1-30' : days <= 60 ? '31-60' : days <= 90 ? '61-90' : '90+';
      expect(row.aging_bucket, row.number).toBe(bucket);
      expect(row.days_overdue).toBe(String(Math.max(0, days)));
    }
    const paid = rows.find((r) => r.type === 'payment' && r.number === payment.id);
    expect(paid).toMatchObject({ status: 'succeeded', amount: (payment.amount / 100).toFixed(2), open_amount: '' });
    const texts = rows.flatMap((r) => [r.reference, r.number, r.customer_id]);
    expect(texts).toContain("'@SUM(A1:A9)");
    expect(texts).toContain('\'=HYPERLINK("http://evil.example","Click")');
    for (const t of texts) expect(t, 'no cell starts a formula').not.toMatch(/^[=+\-@]/);
    // Negative amounts stay numbers a spreadsheet can add.
    expect(rows.filter((r) => r.type === 'credit').every((r) => /^-\d+\.\d\d$/.test(r.open_amount as string))).toBe(
      true,
    );
  });

  it('sends documents as uncached attachments with a file name', async () => {
    const headers = { authorization: `Bearer ${server.secretKey}` };
    const pdf = await fetch(`${server.url}/v1/customers/cus_acme/statement.pdf`, { headers });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(
      /^attachment; filename="statement-cus_acme-\d{4}-\d{2}-\d{2}\.pdf"$/,
    );
    expect(pdf.headers.get('cache-control')).toBe('no-store');
    const csv = await fetch(`${server.url}/v1/customers/cus_acme/statement.csv`, { headers });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers.get('content-disposition')).toMatch(/filename="statement-cus_acme-[\d-]+\.csv"/);
    const receipt = await fetch(`${server.url}/v1/payments/${payment.id}/receipt.pdf`, { headers });
    expect(receipt.headers.get('content-disposition')).toBe(`attachment; filename="receipt-${payment.id}.pdf"`);
    expect(receipt.headers.get('cache-control')).toBe('no-store');
    const anonymous = await fetch(`${server.url}/v1/customers/cus_acme/statement.pdf`);
    expect(anonymous.status).toBe(401);
  });

  it('answers an unknown customer or payment with a 404 Problem', async () => {
    for (const path of ['/v1/customers/cus_nobody/statement.pdf', '/v1/customers/cus_nobody/statement.csv']) {
      const reply = await call(server, 'GET', path, server.secretKey);
      expect(reply.status).toBe(404);
      expect(ProblemSchema.parse(reply.body).code).toBe('customer_not_found');
    }
    const err = await merchant.getReceiptPdf('pay_nope').catch((e: unknown) => e);
    expect(isSettleHttpError(err) && err.status).toBe(404);
  });

  it('renders the receipt with what was paid, short-paid and credited, the method and the reference', async () => {
    const text = pdfText(await merchant.getReceiptPdf(payment.id));
    const lines = text.split('\n');
    expect(text).toContain('Payment receipt');
    expect(text).toContain(server.settle.deps.config.merchantName);
    expect(text).toContain('Acme Industrial Supply');
    for (const line of payment.lines) {
      expect(cells(lines.find((l) => l.includes(`Invoice ${line.invoiceNumber}`))).at(-1)).toBe(
        money(line.amount, 'USD'),
      );
    }
    const short = payment.lines.find((l) => l.shortAmount > 0);
    expect(text).toContain(`Short-paid ${money(short?.shortAmount ?? 0, 'USD')}: Damaged goods`);
    const credit = payment.credits[0];
    expect(cells(lines.find((l) => l.includes(`Credit ${credit?.creditNumber} applied`))).at(-1)).toBe(
      money(-(credit?.amount ?? 0), 'USD'),
    );
    if (payment.surcharge.amount > 0) expect(text).toContain(money(payment.surcharge.amount, 'USD'));
    expect(cells(lines.find((l) => l.trim().startsWith('Total paid'))).at(-1)).toBe(money(payment.amount, 'USD'));
    expect(text).toMatch(/Paid with\s+Visa •4242/);
    expect(text).toMatch(new RegExp(`Reference\\s+${payment.id}`));
    expect(text).toMatch(/Status\s+Paid/);

    if (store === 'pglite') {
      // For a person to look at: pdftoppm -png -r 80 into /tmp.
      writeFileSync('/tmp/settle-receipt.pdf', await merchant.getReceiptPdf(payment.id));
      writeFileSync('/tmp/settle-statement.pdf', await merchant.getStatementPdf('cus_acme'));
      execFileSync('pdftoppm', ['-png', '-r', '80', '/tmp/settle-receipt.pdf', '/tmp/settle-receipt']);
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '80',
        '-f',
        '1',
        '-l',
        '1',
        '/tmp/settle-statement.pdf',
        '/tmp/settle-statement',
      ]);
    }
  });

  it('notes a bank payment still processing on the statement, and confirms it without calling it paid', async () => {
    const { clientToken: token } = await merchant.createSession({ customerId: 'cus_harbor' });
    const view = SessionViewSchema.parse((await call(server, 'GET', '/v1/session', token)).body);
    const invoice = view.invoices[0];
    if (!invoice) throw new Error('cus_harbor has open invoices');
    const bank = await call(server, 'POST', '/v1/sandbox/tokens', token, {
      type: 'us_bank_account',
      routingNumber: '110000000',
      accountNumber: '000000000009', // stays processing
      accountHolderName: 'Harborview AP',
      accountHolderType: 'company',
    });
    const proposal = {
      method: 'ach_debit',
      allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
      paymentMethodToken: PaymentMethodTokenSchema.parse(bank.body).id,
    };
    const reply = await call<Payment & { receiptUrl: string | null }>(
      server,
      'POST',
      '/v1/session/payments',
      token,
      proposal,
      {
        'idempotency-key': `doc-ach-${store}`,
      },
    );
    expect(reply.body.status).toBe('processing');
    expect(reply.body.receiptUrl).toMatch(/\/receipt\.pdf$/);

    const text = pdfText(await merchant.getStatementPdf('cus_harbor'));
    expect(text).toContain('Payments on their way');
    expect(text.replace(/\s+/g, ' ')).toContain(
      `One payment (${money(reply.body.amount, 'USD')}) is still processing or not yet recorded against your invoices`,
    );
    // Still open in the ERP, so still on the statement.
    expect(text).toContain(`Invoice ${invoice.number} `);
    const receipt = pdfText(new Uint8Array(await (await fetch(reply.body.receiptUrl as string)).arrayBuffer()));
    expect(receipt).toContain('Payment confirmation');
    expect(receipt).toContain('is processing');
    expect(receipt).not.toContain('Total paid');
  });

  it('leaves a declined card payment off the statement: no money moved', async () => {
    const { clientToken: token } = await merchant.createSession({ customerId: 'cus_pinnacle' });
    const view = SessionViewSchema.parse((await call(server, 'GET', '/v1/session', token)).body);
    const invoice = view.invoices[0];
    if (!invoice) throw new Error('cus_pinnacle has open invoices');
    const card = await call(server, 'POST', '/v1/sandbox/tokens', token, {
      type: 'card',
      number: '4000000000000002', // declined
      expMonth: 12,
      expYear: EXP_YEAR,
      cvc: '123',
    });
    const proposal = {
      method: 'card',
      allocations: [{ invoiceId: invoice.id, amount: invoice.openAmount }],
      paymentMethodToken: PaymentMethodTokenSchema.parse(card.body).id,
    };
    const quote = (await call<{ total: number }>(server, 'POST', '/v1/session/quote', token, proposal)).body;
    const declined = await call<Payment>(
      server,
      'POST',
      '/v1/session/payments',
      token,
      { ...proposal, expectedTotal: quote.total },
      { 'idempotency-key': `doc-declined-${store}` },
    );
    expect(declined.status, JSON.stringify(declined.body)).toBe(201);
    expect(declined.body.status).toBe('failed');

    const rows = parse(await merchant.getStatementCsv('cus_pinnacle'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows.filter((r) => r.type === 'payment').map((r) => r.number)).not.toContain(declined.body.id);
    const text = pdfText(await merchant.getStatementPdf('cus_pinnacle')).replace(/\s+/g, ' ');
    expect(text).toContain('No payments made through this portal in that time.');
  });

  it("offers the widget signed links to the session's statement and receipt that work without a bearer header", async () => {
    const view = SessionViewSchema.parse((await call(server, 'GET', '/v1/session', clientToken)).body);
    const links = view.documents;
    if (!links) throw new Error('The session view has no document links');
    const pdf = await fetch(links.statementPdf);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdfText(new Uint8Array(await pdf.arrayBuffer()))).toContain('Acme Industrial Supply');
    const csv = await fetch(links.statementCsv);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('INV-');

    const seen = (
      await call<{ receiptUrl?: string | null }>(server, 'GET', `/v1/session/payments/${payment.id}`, clientToken)
    ).body;
    expect(seen.receiptUrl).toMatch(/\/receipt\.pdf$/);
    const receipt = await fetch(seen.receiptUrl as string);
    expect(receipt.status).toBe(200);
    expect(pdfText(new Uint8Array(await receipt.arrayBuffer()))).toContain(payment.id);
  });

  it('refuses a tampered, expired, misused or foreign link with a Problem that says which', async () => {
    const links = SessionViewSchema.parse((await call(server, 'GET', '/v1/session', clientToken)).body).documents;
    const url = links?.statementPdf as string;
    const token = /\/v1\/documents\/([^/]+)\//.exec(url)?.[1] as string;
    const problem = async (path: string, status: number, code: string) => {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(status);
      const body = ProblemSchema.parse(await res.json());
      expect(body.code).toBe(code);
      expect(body.message).toMatch(/link/);
    };
    // A character in the middle of the signature: the last one also carries bits base64 decoding drops.
    const at = token.indexOf('.') + 10;
    const flipped = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    await problem(`/v1/documents/${flipped}/statement.pdf`, 403, 'link_invalid');
    await problem(`/v1/documents/not-a-token/statement.csv`, 403, 'link_invalid');
    // A statement link is not a receipt link.
    await problem(`/v1/documents/${token}/receipt.pdf`, 403, 'link_invalid');

    const { db } = server.settle.deps;
    const merchantId = 'mer_default';
    const expired = await signToken(db, merchantId, 'statement', { s: session.id }, new Date(Date.now() - 1000));
    await problem(`/v1/documents/${expired}/statement.pdf`, 410, 'link_expired');

    // Another session of the same merchant may not fetch this session's receipt with its own link.
    const other = await merchant.createSession({ customerId: 'cus_summit' });
    const otherView = SessionViewSchema.parse((await call(server, 'GET', '/v1/session', other.clientToken)).body);
    const foreign = await signToken(
      db,
      merchantId,
      'receipt',
      { s: otherView.id, pay: payment.id },
      new Date(Date.now() + 60_000),
    );
    const res = await fetch(`${server.url}/v1/documents/${foreign}/receipt.pdf`);
    expect(res.status).toBe(404);
    expect(ProblemSchema.parse(await res.json()).code).toBe('not_found');
  });
});
