import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { CreatePaymentRequestSchema } from './allocation.js';
import { PaymentSchema } from './payment.js';
import { formatPath } from './problem.js';
import { SandboxTokenRequestSchema } from './sandbox.js';
import { CreateSessionRequestSchema, SessionViewSchema } from './session.js';

/** The failed parse's issues as `path: code [keys]`, the way a person reads them. */
function problems(schema: z.ZodMiniType, input: unknown): string[] {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((i) => {
    const keys = 'keys' in i && Array.isArray(i.keys) ? ` [${i.keys.join(',')}]` : '';
    return `${formatPath(i.path)}: ${i.code}${keys}`;
  });
}

const rules = {
  allowedMethods: ['card', 'ach_debit'],
  methodLimits: { card: { max: 500_000 } },
  surcharge: {
    enabled: true,
    rateBps: 300,
    maxRateBps: 300,
    maxAmount: null,
    regions: { 'US-CT': { enabled: false }, 'US-CO': { maxRateBps: 200 } },
  },
  allowPartialPayment: true,
  allowOverpayment: false,
  reasonCodes: [
    { code: 'pricing_dispute', label: 'Pricing dispute', requiresNote: false, erpCode: 'PD', leavesOpen: false },
  ],
};

const sessionView = {
  id: 'ses_123',
  mode: 'test',
  expiresAt: '2026-01-10T12:00:00Z',
  merchant: { name: 'Acme Supply', returnUrl: null },
  customer: { id: 'C-1001', name: 'Globex', email: 'ap@globex.example', currency: 'USD', region: 'US-CO' },
  currency: 'USD',
  invoices: [
    {
      id: 'INV-1',
      number: 'INV-1',
      issueDate: '2025-12-01',
      dueDate: '2025-12-31',
      currency: 'USD',
      amount: 10_000,
      openAmount: 10_000,
      pendingAmount: 0,
      documentUrl: null,
      poNumber: 'PO-7',
    },
  ],
  credits: [
    {
      id: 'CM-1',
      number: 'CM-1',
      issueDate: '2025-11-01',
      currency: 'USD',
      amount: 2_000,
      openAmount: 2_000,
      pendingAmount: 0,
      memo: null,
    },
  ],
  preselectedInvoiceIds: ['INV-1'],
  rules,
  processor: { name: 'sandbox', publishableKey: null },
};

const payment = {
  id: 'pay_1',
  sessionId: 'ses_123',
  customerId: 'C-1001',
  status: 'processing',
  currency: 'USD',
  method: 'card',
  amount: 8_240,
  invoiceTotal: 10_000,
  creditTotal: 2_000,
  onAccountAmount: 0,
  subtotal: 8_000,
  surcharge: { status: 'applied', rateBps: 300, amount: 240 },
  lines: [
    {
      invoiceId: 'INV-1',
      invoiceNumber: 'INV-1',
      payableAmount: 10_000,
      amount: 10_000,
      creditApplied: 2_000,
      cashApplied: 8_000,
      shortAmount: 0,
      deductionAmount: 0,
      reasonCode: null,
      note: null,
    },
  ],
  credits: [
    { creditId: 'CM-1', creditNumber: 'CM-1', amount: 2_000, applications: [{ invoiceId: 'INV-1', amount: 2_000 }] },
  ],
  paymentMethod: {
    type: 'card',
    brand: 'visa',
    last4: '4242',
    funding: 'credit',
    bankName: null,
    accountHolderType: null,
  },
  failure: null,
  erpStatus: 'none',
  erpReference: null,
  processor: { name: 'sandbox', intentId: 'pi_1' },
  events: [
    {
      at: '2026-01-10T12:00:00.000Z',
      kind: 'status',
      from: 'requires_confirmation',
      to: 'processing',
      cause: 'confirmed',
    },
  ],
  createdAt: '2026-01-10T11:59:00+00:00',
  updatedAt: '2026-01-10T12:00:00Z',
};

const createPayment = {
  method: 'card',
  allocations: [{ invoiceId: 'INV-1', amount: 10_000 }],
  credits: [{ creditId: 'CM-1', amount: 2_000, invoiceId: 'INV-1' }],
  paymentMethodToken: 'pm_sandbox_123',
  expectedTotal: 8_240,
};

describe('SessionViewSchema', () => {
  it('accepts a session as the server sends it', () => {
    expect(SessionViewSchema.safeParse(sessionView).success).toBe(true);
  });

  it('names the field that is wrong', () => {
    const bad = { ...sessionView, invoices: [{ ...sessionView.invoices[0], openAmount: -1 }] };
    expect(problems(SessionViewSchema, bad)).toEqual(['invoices.0.openAmount: too_small']);
    const badRegion = { ...sessionView, customer: { ...sessionView.customer, region: 'Colorado' } };
    expect(problems(SessionViewSchema, badRegion)).toEqual(['customer.region: invalid_format']);
  });
});

describe('PaymentSchema', () => {
  it('accepts a payment as the server sends it', () => {
    expect(PaymentSchema.safeParse(payment).success).toBe(true);
  });

  it('refuses a fractional amount and an unknown status', () => {
    expect(problems(PaymentSchema, { ...payment, amount: 82.4, status: 'done' })).toEqual([
      'status: invalid_value',
      'amount: invalid_type',
    ]);
  });

  it('requires the deduction amount on every line', () => {
    const { deductionAmount: _, ...line } = payment.lines[0]!;
    expect(problems(PaymentSchema, { ...payment, lines: [line] })).toEqual(['lines.0.deductionAmount: invalid_type']);
    expect(problems(PaymentSchema, { ...payment, lines: [{ ...line, deductionAmount: -1 }] })).toEqual([
      'lines.0.deductionAmount: too_small',
    ]);
  });
});

describe('CreatePaymentRequestSchema', () => {
  it('accepts a valid request', () => {
    expect(CreatePaymentRequestSchema.safeParse(createPayment).success).toBe(true);
  });

  it('refuses unknown keys, at the top and inside allocations and credits', () => {
    expect(problems(CreatePaymentRequestSchema, { ...createPayment, total: 1 })).toEqual([
      ': unrecognized_keys [total]',
    ]);
    const nested = {
      ...createPayment,
      allocations: [{ invoiceId: 'INV-1', amount: 10_000, discount: 100 }],
      credits: [{ creditId: 'CM-1', amount: 2_000, pinned: true }],
    };
    expect(problems(CreatePaymentRequestSchema, nested)).toEqual([
      'allocations.0: unrecognized_keys [discount]',
      'credits.0: unrecognized_keys [pinned]',
    ]);
  });

  it('accepts a note with line breaks, tabs and emoji', () => {
    const note = 'pallet 3\r\nmissing\t🚚 – ½ crate';
    const request = { ...createPayment, allocations: [{ invoiceId: 'INV-1', amount: 10_000, note }] };
    expect(CreatePaymentRequestSchema.safeParse(request).success).toBe(true);
  });

  it('refuses a note with control characters or lone surrogates', () => {
    for (const note of ['a\u0000b', 'a\u0007b', 'a\u001bb', 'a\u007fb', 'a\ud800b', 'a\udc00b', 'a\ud83d']) {
      const request = { ...createPayment, allocations: [{ invoiceId: 'INV-1', amount: 10_000, note }] };
      expect(problems(CreatePaymentRequestSchema, request), JSON.stringify(note)).toEqual([
        'allocations.0.note: custom',
      ]);
    }
  });

  it('requires a payment method token and at least one allocation', () => {
    const { paymentMethodToken: _, ...noToken } = createPayment;
    expect(problems(CreatePaymentRequestSchema, { ...noToken, allocations: [] })).toEqual([
      'allocations: too_small',
      'paymentMethodToken: invalid_type',
    ]);
  });
});

describe('SandboxTokenRequestSchema', () => {
  const card = { type: 'card', number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' };
  const bank = {
    type: 'us_bank_account',
    routingNumber: '110000000',
    accountNumber: '000123456789',
    accountHolderName: 'Globex Inc.',
    accountHolderType: 'company',
  };

  it('accepts a test card and a test bank account', () => {
    expect(SandboxTokenRequestSchema.safeParse(card).success).toBe(true);
    expect(SandboxTokenRequestSchema.safeParse({ ...card, wallet: 'apple_pay' }).success).toBe(true);
    expect(SandboxTokenRequestSchema.safeParse(bank).success).toBe(true);
  });

  it('refuses unknown keys on either kind', () => {
    expect(problems(SandboxTokenRequestSchema, { ...card, holder: 'x' })).toEqual([': unrecognized_keys [holder]']);
    expect(problems(SandboxTokenRequestSchema, { ...bank, iban: 'x' })).toEqual([': unrecognized_keys [iban]']);
  });

  it('names the malformed field', () => {
    expect(problems(SandboxTokenRequestSchema, { ...card, cvc: '12' })).toEqual(['cvc: invalid_format']);
    expect(problems(SandboxTokenRequestSchema, { ...bank, routingNumber: '1234' })).toEqual([
      'routingNumber: invalid_format',
    ]);
  });
});

describe('CreateSessionRequestSchema', () => {
  it('accepts a customer id with optional invoices, currency and lifetime', () => {
    expect(CreateSessionRequestSchema.safeParse({ customerId: 'C-1001' }).success).toBe(true);
    const full = { customerId: 'C-1001', invoiceIds: ['INV-1'], currency: 'USD', expiresInSeconds: 900 };
    expect(CreateSessionRequestSchema.safeParse(full).success).toBe(true);
  });

  it('refuses unknown keys and names bad fields', () => {
    expect(problems(CreateSessionRequestSchema, { customerId: 'C-1001', amount: 5 })).toEqual([
      ': unrecognized_keys [amount]',
    ]);
    expect(problems(CreateSessionRequestSchema, { customerId: 'C 1001', expiresInSeconds: 30 })).toEqual([
      'customerId: invalid_format',
      'expiresInSeconds: too_small',
    ]);
  });
});
