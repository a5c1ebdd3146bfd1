import { type MerchantRules, type Mode, ModeSchema } from '@settle/schema';

/** Everything the server reads from its environment, parsed once at start. */
export interface Config {
  port: number;
  host: string;
  mode: Mode;
  /** Where the embedded database lives when DATABASE_URL is not set. */
  dataDir: string;
  databaseUrl: string | null;
  /** The merchant's secret key; generated and kept in dataDir for the test-mode demo when unset. */
  secretKey: string | null;
  merchantName: string;
  publicUrl: string;
  allowedOrigins: string[];
  returnUrl: string | null;
  processor: 'sandbox';
  /** The longest any ERP call may take before it counts as unavailable. */
  erpTimeoutMs: number;
  /** Seconds the sandbox takes to settle or return an ACH debit. */
  sandboxAchSettleSeconds: number;
  outbox: { pollMs: number; baseDelayMs: number; maxDelayMs: number; leaseMs: number };
  rules: MerchantRules;
}

/** Reason codes from DOMAIN.md §4, each mapped to a JD Edwards-style ERP code. */
export const DEFAULT_REASON_CODES: MerchantRules['reasonCodes'] = [
  { code: 'pricing_dispute', label: 'Pricing dispute', requiresNote: false, erpCode: 'PD', leavesOpen: false },
  { code: 'short_shipment', label: 'Short shipment', requiresNote: false, erpCode: 'SS', leavesOpen: false },
  { code: 'damaged_goods', label: 'Damaged goods', requiresNote: false, erpCode: 'DG', leavesOpen: false },
  { code: 'returned_goods', label: 'Returned goods', requiresNote: false, erpCode: 'GR', leavesOpen: false },
  {
    code: 'promotional_allowance',
    label: 'Promotional allowance',
    requiresNote: false,
    erpCode: 'PA',
    leavesOpen: false,
  },
  { code: 'freight', label: 'Freight charge', requiresNote: false, erpCode: 'FR', leavesOpen: false },
  { code: 'tax', label: 'Tax difference', requiresNote: false, erpCode: 'TX', leavesOpen: false },
  { code: 'duplicate_billing', label: 'Duplicate billing', requiresNote: false, erpCode: 'DB', leavesOpen: false },
  {
    code: 'early_payment_discount',
    label: 'Early payment discount',
    requiresNote: false,
    erpCode: 'ED',
    leavesOpen: false,
  },
  { code: 'partial_payment', label: 'Paying the rest later', requiresNote: false, erpCode: null, leavesOpen: true },
  { code: 'other', label: 'Other', requiresNote: true, erpCode: 'UD', leavesOpen: false },
];

/**
 * The demo merchant's rules: cards up to $25,000, a 3% credit-card surcharge under the Visa
 * cap, off where states ban it (DOMAIN.md §1.2) and at most 2% in Colorado.
 */
export const DEFAULT_RULES: MerchantRules = {
  allowedMethods: ['card', 'ach_debit', 'wallet'],
  methodLimits: { card: { max: 2_500_000 }, wallet: { max: 2_500_000 }, ach_debit: { min: 100 } },
  surcharge: {
    enabled: true,
    rateBps: 300,
    maxRateBps: 300,
    maxAmount: null,
    regions: {
      'US-CT': { enabled: false },
      'US-MA': { enabled: false },
      'US-ME': { enabled: false },
      'US-OK': { enabled: false },
      PR: { enabled: false },
      'US-PR': { enabled: false },
      'US-CO': { maxRateBps: 200 },
    },
  },
  allowPartialPayment: true,
  allowOverpayment: false,
  reasonCodes: DEFAULT_REASON_CODES,
};

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = int(env.PORT, 8787, 'PORT');
  const host = env.HOST || '0.0.0.0';
  const mode = ModeSchema.parse(env.SETTLE_MODE || 'test');
  const publicUrl = (env.SETTLE_PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, '');
  const processor = env.SETTLE_PROCESSOR || 'sandbox';
  if (processor !== 'sandbox') throw new Error(`SETTLE_PROCESSOR must be "sandbox" (got "${processor}")`);
  return {
    port,
    host,
    mode,
    dataDir: env.SETTLE_DATA_DIR || '.settle/data',
    databaseUrl: env.DATABASE_URL || null,
    secretKey: env.SETTLE_SECRET_KEY || null,
    merchantName: env.SETTLE_MERCHANT_NAME || 'Northwind Supply Co.',
    publicUrl,
    allowedOrigins: (env.SETTLE_ALLOWED_ORIGINS || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    returnUrl: env.SETTLE_RETURN_URL || null,
    processor,
    erpTimeoutMs: int(env.SETTLE_ERP_TIMEOUT_MS, 15_000, 'SETTLE_ERP_TIMEOUT_MS'),
    sandboxAchSettleSeconds: int(env.SANDBOX_ACH_SETTLE_SECONDS, 5, 'SANDBOX_ACH_SETTLE_SECONDS'),
    outbox: {
      pollMs: int(env.SETTLE_OUTBOX_POLL_MS, 250, 'SETTLE_OUTBOX_POLL_MS'),
      baseDelayMs: int(env.SETTLE_OUTBOX_BASE_DELAY_MS, 1000, 'SETTLE_OUTBOX_BASE_DELAY_MS'),
      maxDelayMs: int(env.SETTLE_OUTBOX_MAX_DELAY_MS, 300_000, 'SETTLE_OUTBOX_MAX_DELAY_MS'),
      leaseMs: 30_000,
    },
    rules: DEFAULT_RULES,
    ...overrides,
  };
}
