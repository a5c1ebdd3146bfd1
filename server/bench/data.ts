/**
 * The ledgers the benchmark runs against, generated deterministically so the main process
 * (which builds the requests) and the server process (which holds the ERP) agree on them.
 */
import type { CreditMemo, Invoice, PaymentProposal } from '@settle/schema';
import type { MemoryErpData } from '../src/erp/memory.js';
import type { ErpCredit, ErpCustomer, ErpInvoice } from '../src/erp/port.js';

export const BIG_CUSTOMER_ID = 'cus_bench_big';
export const BIG_INVOICES = 10_000;
export const BIG_CREDITS = 1_000;

/** Customers paid by the payment benchmark, each with one huge invoice paid a little at a time. */
export const PAY_CUSTOMERS = 200;
/** $100bn: enough for millions of $10 payments before it runs out. */
export const HUGE_INVOICE_AMOUNT = 10_000_000_000_000;
/** Each benchmarked payment pays $10.00 of the huge invoice and leaves the rest open. */
export const PAYMENT_AMOUNT = 1_000;

export const payCustomerId = (i: number) => `cus_bench_${String(i).padStart(3, '0')}`;
export const hugeInvoiceId = (i: number) => `inv_bench_${String(i).padStart(3, '0')}_huge`;

/** mulberry32: reproducible variety without Math.random. */
function prng(seed: number): (min: number, max: number) => number {
  let a = seed >>> 0;
  return (min, max) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return min + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * (max - min + 1));
  };
}

const BASE_DAY = Date.UTC(2025, 0, 1);
const day = (offset: number) => new Date(BASE_DAY + offset * 86_400_000).toISOString().slice(0, 10);

function customer(id: string, name: string): ErpCustomer {
  return { id, name, email: `ap@${id}.example.com`, currency: 'USD', region: 'US-NY' };
}

/** One customer with 10,000 open USD invoices and 1,000 open credit memos. */
export function bigLedger(): MemoryErpData {
  const int = prng(0xb16);
  const invoices: ErpInvoice[] = [];
  for (let n = 0; n < BIG_INVOICES; n++) {
    const issued = int(0, 400);
    const amount = int(10_000, 5_000_000);
    const openAmount = int(0, 9) === 0 ? amount - int(1, Math.floor(amount / 2)) : amount;
    invoices.push({
      id: `inv_big_${String(n).padStart(5, '0')}`,
      customerId: BIG_CUSTOMER_ID,
      number: `INV-B${String(n).padStart(5, '0')}`,
      issueDate: day(issued),
      dueDate: day(issued + 30),
      currency: 'USD',
      amount,
      openAmount,
      documentUrl: null,
      poNumber: int(0, 1) ? `PO-${int(4_500_000, 4_599_999)}` : null,
    });
  }
  const credits: ErpCredit[] = [];
  for (let n = 0; n < BIG_CREDITS; n++) {
    const amount = int(1_000, 200_000);
    credits.push({
      id: `cm_big_${String(n).padStart(4, '0')}`,
      customerId: BIG_CUSTOMER_ID,
      number: `CM-B${String(n).padStart(4, '0')}`,
      issueDate: day(int(0, 400)),
      currency: 'USD',
      amount,
      openAmount: amount,
      memo: 'Volume rebate',
    });
  }
  return { customers: [customer(BIG_CUSTOMER_ID, 'Bench Big Account Inc.')], invoices, credits };
}

/** 200 customers, each with one huge open invoice, two ordinary ones and a credit memo. */
export function paymentLedger(): MemoryErpData {
  const int = prng(0x9a7);
  const data: MemoryErpData = { customers: [], invoices: [], credits: [] };
  for (let i = 0; i < PAY_CUSTOMERS; i++) {
    const customerId = payCustomerId(i);
    data.customers.push(customer(customerId, `Bench Customer ${i}`));
    const invoice = (id: string, amount: number, issued: number): ErpInvoice => ({
      id,
      customerId,
      number: id.toUpperCase(),
      issueDate: day(issued),
      dueDate: day(issued + 30),
      currency: 'USD',
      amount,
      openAmount: amount,
      documentUrl: null,
      poNumber: null,
    });
    data.invoices.push(
      invoice(hugeInvoiceId(i), HUGE_INVOICE_AMOUNT, 0),
      invoice(`inv_bench_${i}_a`, int(10_000, 900_000), int(1, 300)),
      invoice(`inv_bench_${i}_b`, int(10_000, 900_000), int(1, 300)),
    );
    const credit = int(1_000, 50_000);
    data.credits.push({
      id: `cm_bench_${i}`,
      customerId,
      number: `CM-BENCH-${i}`,
      issueDate: day(int(1, 300)),
      currency: 'USD',
      amount: credit,
      openAmount: credit,
      memo: null,
    });
  }
  return data;
}

/** `GET /bench/widget?token=ct_...` on the 'widget' target: settle.js and one <settle-pay>, nothing else. */
export const WIDGET_PAGE_PATH = '/bench/widget';

/** The widget benchmark's customers: the same page with 50 and with 10,000 open invoices. */
export const WIDGET_CUSTOMERS = [
  { id: 'cus_bench_w50', invoices: 50 },
  { id: 'cus_bench_w10k', invoices: 10_000 },
] as const;
/** Open credit memos of each widget customer. */
export const WIDGET_CREDITS = 3;

/**
 * The widget customers' ledgers: invoices of every shape the list draws (a tenth partly paid,
 * half with a PO number, a fifth with a document link, most overdue), and a few credits.
 */
export function widgetLedger(): MemoryErpData {
  const int = prng(0x3d9);
  const data: MemoryErpData = { customers: [], invoices: [], credits: [] };
  for (const { id: customerId, invoices } of WIDGET_CUSTOMERS) {
    const tag = customerId.replace('cus_bench_', '');
    data.customers.push(customer(customerId, `Bench Widget ${invoices.toLocaleString('en-US')} Inc.`));
    for (let n = 0; n < invoices; n++) {
      const issued = int(0, 700);
      const amount = int(10_000, 5_000_000);
      const openAmount = int(0, 9) === 0 ? amount - int(1, Math.floor(amount / 2)) : amount;
      const id = `inv_bench_${tag}_${String(n).padStart(5, '0')}`;
      data.invoices.push({
        id,
        customerId,
        number: `INV-${tag.toUpperCase()}-${String(n).padStart(5, '0')}`,
        issueDate: day(issued),
        dueDate: day(issued + 30),
        currency: 'USD',
        amount,
        openAmount,
        documentUrl: n % 5 === 0 ? `https://erp.example.com/documents/${id}.pdf` : null,
        poNumber: int(0, 1) ? `PO-${int(4_500_000, 4_599_999)}` : null,
      });
    }
    for (let n = 0; n < WIDGET_CREDITS; n++) {
      const amount = int(1_000, 200_000);
      data.credits.push({
        id: `cm_bench_${tag}_${n}`,
        customerId,
        number: `CM-${tag.toUpperCase()}-${n}`,
        issueDate: day(int(0, 700)),
        currency: 'USD',
        amount,
        openAmount: amount,
        memo: 'Volume rebate',
      });
    }
  }
  return data;
}

/** The ERP's items as a session sees them (nothing reserved), the input of `computeQuote`. */
export function asSessionItems(data: MemoryErpData): { invoices: Invoice[]; credits: CreditMemo[] } {
  return {
    invoices: data.invoices.map(({ customerId: _, ...i }) => ({ ...i, pendingAmount: 0 })),
    credits: data.credits.map(({ customerId: _, ...c }) => ({ ...c, pendingAmount: 0 })),
  };
}

/**
 * Pays every invoice, every tenth one short by a tenth with a reason, and applies every credit
 * in full, unpinned (spread oldest-first by the quote). ACH, so no card limit gets in the way.
 */
export function payEverything(items: {
  invoices: ReadonlyArray<Pick<Invoice, 'id' | 'openAmount' | 'pendingAmount'>>;
  credits: ReadonlyArray<Pick<CreditMemo, 'id' | 'openAmount' | 'pendingAmount'>>;
}): PaymentProposal {
  return {
    method: 'ach_debit',
    allocations: items.invoices.map((inv, n) => {
      const payable = inv.openAmount - inv.pendingAmount;
      if (n % 10 !== 0) return { invoiceId: inv.id, amount: payable };
      const short = Math.max(1, Math.floor(payable / 10));
      return {
        invoiceId: inv.id,
        amount: payable - short,
        reasonCode: 'damaged_goods',
        note: 'Two pallets arrived crushed; photos sent to AR',
      };
    }),
    credits: items.credits.map((c) => ({ creditId: c.id, amount: c.openAmount - c.pendingAmount })),
  };
}
