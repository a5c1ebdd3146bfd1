import type { Currency } from '@settle/schema';
import { MemoryErp, type MemoryErpData } from './memory.js';
import type { ErpCredit, ErpCustomer, ErpInvoice } from './port.js';

/** The demo's main customer: stable id, at least two open USD invoices and an open credit memo. */
export const demoCustomerId = 'cus_acme';

interface CustomerPlan {
  customer: ErpCustomer;
  /** How many invoices to generate beyond the fixed ones. */
  invoices: number;
  credits: number;
  termsDays: number;
  /** Extra invoices in a second currency, as a customer billed from two entities would have. */
  foreign?: { currency: Currency; count: number };
}

const PLANS: CustomerPlan[] = [
  {
    customer: customer('cus_acme', 'Acme Industrial Supply', 'ap@acme-industrial.example.com', 'USD', 'US-NY'),
    invoices: 8,
    credits: 1,
    termsDays: 30,
  },
  {
    customer: customer('cus_pinnacle', 'Pinnacle Freight & Logistics', 'payables@pinnacle.example.com', 'USD', 'US-CA'),
    invoices: 11,
    credits: 2,
    termsDays: 30,
    foreign: { currency: 'EUR', count: 2 },
  },
  {
    customer: customer('cus_summit', 'Summit Ridge Builders', 'accounts@summit-ridge.example.com', 'USD', 'US-CO'),
    invoices: 9,
    credits: 3,
    termsDays: 45,
  },
  {
    customer: customer('cus_harbor', 'Harborview Medical Supply', 'ap@harborview.example.com', 'USD', 'US-CT'),
    invoices: 12,
    credits: 1,
    termsDays: 30,
  },
  {
    customer: customer(
      'cus_rheinwerk',
      'Rheinwerk Maschinenbau GmbH',
      'buchhaltung@rheinwerk.example.com',
      'EUR',
      'DE-BY',
    ),
    invoices: 10,
    credits: 2,
    termsDays: 30,
  },
  {
    customer: customer(
      'cus_bluewater',
      'Bluewater Foods Distribution',
      'ap@bluewater-foods.example.com',
      'USD',
      'US-TX',
    ),
    invoices: 13,
    credits: 0,
    termsDays: 15,
  },
];

const CREDIT_MEMOS = [
  'Pricing adjustment',
  'Volume rebate',
  'Freight overcharge refund',
  'Damaged in transit',
  'Returned goods',
];

/**
 * Deterministic demo ledger: the same `today` always yields the same data, and every date is
 * relative to it, so overdue stays overdue whatever day the demo runs. Amounts are integer
 * minor units between 120.00 and 48,000.00.
 */
export function demoErpData(today = new Date()): MemoryErpData {
  const base = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const day = (offset: number) => new Date(base + offset * 86_400_000).toISOString().slice(0, 10);
  const invoices: Array<Omit<ErpInvoice, 'id' | 'number' | 'issueDate' | 'dueDate'> & { due: number; terms: number }> =
    [];
  const credits: Array<Omit<ErpCredit, 'id' | 'number' | 'issueDate'> & { issued: number }> = [];

  // The invoices the demo script and the docs walk through.
  const acme = { customerId: demoCustomerId, currency: 'USD', documentUrl: null, terms: 30 };
  invoices.push(
    { ...acme, due: -12, amount: 482_550, openAmount: 482_550, poNumber: 'PO-4500123' },
    { ...acme, due: 18, amount: 1_275_000, openAmount: 1_275_000, poNumber: 'PO-4500187' },
    { ...acme, due: -41, amount: 236_040, openAmount: 136_040, poNumber: null },
  );
  credits.push({
    customerId: demoCustomerId,
    currency: 'USD',
    issued: -20,
    amount: 35_000,
    openAmount: 35_000,
    memo: 'Returned goods, RMA 88213',
  });

  PLANS.forEach((p, index) => {
    const rand = mulberry32(0x5e771e + index * 7919);
    const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
    const invoice = (k: number, currency: Currency) => {
      // The first is always overdue and the second always due later, so every customer has both.
      const overdue = k === 0 || (k !== 1 && rand() < 0.6);
      const due = overdue ? -int(5, 120) : int(1, 45);
      const bucket = rand();
      let amount =
        bucket < 0.45 ? int(12_000, 99_999) : bucket < 0.85 ? int(100_000, 999_999) : int(1_000_000, 4_800_000);
      if (rand() < 0.3) amount -= amount % 100;
      const state = rand();
      const openAmount = state < 0.08 ? 0 : state < 0.22 ? amount - int(1, Math.floor(amount / 2)) : amount;
      const poNumber = rand() < 0.6 ? `PO-${int(4_500_200, 4_599_999)}` : null;
      const { id: customerId } = p.customer;
      invoices.push({ customerId, currency, due, terms: p.termsDays, amount, openAmount, poNumber, documentUrl: null });
    };
    for (let k = 0; k < p.invoices; k++) invoice(k, p.customer.currency);
    for (let k = 0; k < (p.foreign?.count ?? 0); k++) invoice(k + 2, p.foreign!.currency);
    for (let k = 0; k < p.credits; k++) {
      const amount = int(5_000, 250_000);
      const openAmount = rand() < 0.25 ? amount - int(1, Math.floor(amount / 2)) : amount;
      const memo = CREDIT_MEMOS[int(0, CREDIT_MEMOS.length - 1)] ?? null;
      credits.push({
        customerId: p.customer.id,
        currency: p.customer.currency,
        issued: -int(5, 90),
        amount,
        openAmount,
        memo,
      });
    }
  });

  // Numbers follow issue order, as an ERP's numbering series would; ties keep generation order.
  const byIssue = invoices
    .map((inv, i) => ({ inv, i, issued: inv.due - inv.terms }))
    .sort((a, b) => a.issued - b.issued || a.i - b.i);
  const creditsByIssue = credits.map((c, i) => ({ c, i })).sort((a, b) => a.c.issued - b.c.issued || a.i - b.i);
  return {
    customers: PLANS.map((p) => ({ ...p.customer })),
    invoices: byIssue.map(({ inv: { due, terms, ...rest }, issued }, n) => ({
      ...rest,
      id: `inv_${10_231 + n}`,
      number: `INV-${10_231 + n}`,
      issueDate: day(issued),
      dueDate: day(due),
    })),
    credits: creditsByIssue.map(({ c: { issued, ...rest } }, n) => ({
      ...rest,
      id: `cm_${2041 + n}`,
      number: `CM-${2041 + n}`,
      issueDate: day(issued),
    })),
  };
}

/** A MemoryErp holding the demo ledger. */
export function createDemoErp(today?: Date): MemoryErp {
  return new MemoryErp(demoErpData(today));
}

function customer(id: string, name: string, email: string, currency: Currency, region: string): ErpCustomer {
  return { id, name, email, currency, region };
}

/** A small seeded PRNG (mulberry32): reproducible variety without Math.random. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
