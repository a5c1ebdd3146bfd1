import { type MerchantRules, type Mode, ModeSchema } from '@settle/schema';
import { SURCHARGE_ACCOUNT, type TrytonConfig } from './erp/tryton/rpc.js';
import { loadMailConfig, type MailConfig } from './mail/mail-config.js';

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
  /**
   * SETTLE_TRUST_PROXY: the payer's address (ACH mandate evidence) is the first X-Forwarded-For
   * hop, set by a proxy in front of Settle. Off (default): the socket's peer address.
   */
  trustProxy: boolean;
  processor: 'sandbox' | 'stripe';
  /** Set when processor is `stripe`. */
  stripe: StripeConfig | null;
  /** SETTLE_ERP: which ERP adapter the server talks to (server/src/erp/select.ts, docs/erp-adapters.md). */
  erp: { kind: ErpKind };
  /** SETTLE_TRYTON_*: where the Tryton adapter logs in; set when SETTLE_ERP=tryton (docs/tryton.md). */
  tryton: TrytonConfig | null;
  /** The longest any ERP call may take before it counts as unavailable. */
  erpTimeoutMs: number;
  /** Seconds the sandbox takes to settle or return an ACH debit. */
  sandboxAchSettleSeconds: number;
  outbox: { pollMs: number; baseDelayMs: number; maxDelayMs: number; leaseMs: number; maxAttempts?: number };
  /** How long a merchant's webhook endpoint may take to answer (default 10 s); tests shorten it. */
  webhookTimeoutMs?: number;
  /**
   * SETTLE_WEBHOOK_ALLOW_PRIVATE: deliver webhooks to loopback and private addresses too (a
   * merchant testing a receiver on their own machine). Off (default, in test mode too): such
   * deliveries are refused, so an endpoint URL cannot reach this host's or its network's services.
   */
  webhookAllowPrivate: boolean;
  /** Confirmation emails (docs/emails.md). */
  mail: MailConfig;
  rules: MerchantRules;
}

/** The ERP adapters SETTLE_ERP can name: the seeded demo, the SQL ledger in Settle's own store, Tryton. */
export const ERP_KINDS = ['memory', 'sql', 'tryton'] as const;
export type ErpKind = (typeof ERP_KINDS)[number];

/** SETTLE_ERP, validated: unset means the seeded in-memory demo ERP. */
export function parseErpKind(value: string | undefined): ErpKind {
  if (value === undefined || value === '') return 'memory';
  if ((ERP_KINDS as readonly string[]).includes(value)) return value as ErpKind;
  throw new Error(`SETTLE_ERP must be one of ${ERP_KINDS.map((k) => `"${k}"`).join(', ')} (got "${value}")`);
}

/**
 * The Tryton adapter's settings. SETTLE_TRYTON_URL is the database's JSON-RPC root
 * (http://127.0.0.1:8000/settle/); the payment method defaults to "Settle", the one
 * server/tryton/seed.py creates, and so does the card surcharge's revenue account. Asked for only
 * when SETTLE_ERP=tryton.
 */
export function loadTrytonConfig(env: NodeJS.ProcessEnv): TrytonConfig {
  const missing = ['SETTLE_TRYTON_URL', 'SETTLE_TRYTON_USER', 'SETTLE_TRYTON_PASSWORD'].filter((k) => !env[k]);
  if (missing.length) throw new Error(`SETTLE_ERP=tryton needs ${missing.join(', ')} (see docs/tryton.md)`);
  const url = env.SETTLE_TRYTON_URL as string;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`SETTLE_TRYTON_URL must be a URL such as http://127.0.0.1:8000/settle/ (got "${url}")`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error('SETTLE_TRYTON_URL must be http or https');
  }
  if (parsed.pathname.replace(/\//g, '') === '') {
    throw new Error(
      `SETTLE_TRYTON_URL must end in the database name, e.g. http://127.0.0.1:8000/settle/ (got "${url}")`,
    );
  }
  return {
    url,
    user: env.SETTLE_TRYTON_USER as string,
    password: env.SETTLE_TRYTON_PASSWORD as string,
    journal: env.SETTLE_TRYTON_JOURNAL?.trim() || 'Settle',
    surchargeAccount: env.SETTLE_TRYTON_SURCHARGE_ACCOUNT?.trim() || SURCHARGE_ACCOUNT,
    timeoutMs: int(env.SETTLE_ERP_TIMEOUT_MS, 15_000, 'SETTLE_ERP_TIMEOUT_MS'),
  };
}

export interface StripeConfig {
  secretKey: string;
  publishableKey: string;
  webhookSecret: string;
  /** Another Stripe-compatible API (e.g. http://127.0.0.1:12111, the offline double); null for Stripe's. */
  apiUrl: string | null;
}

/**
 * Stripe's keys from the environment. Live keys only in live mode and test keys only in test
 * mode, so a test server can never charge a real card and a live one never runs on test keys.
 */
export function loadStripeConfig(env: NodeJS.ProcessEnv, mode: Mode): StripeConfig {
  const missing = ['STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET'].filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(`SETTLE_PROCESSOR=stripe needs ${missing.join(', ')} (see docs/going-live.md)`);
  }
  const secretKey = env.STRIPE_SECRET_KEY as string;
  const publishableKey = env.STRIPE_PUBLISHABLE_KEY as string;
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET as string;
  const keyMode = (key: string, kind: 'sk' | 'pk') =>
    key.startsWith(`${kind}_live_`) || (kind === 'sk' && key.startsWith('rk_live_'))
      ? 'live'
      : key.startsWith(`${kind}_test_`) || (kind === 'sk' && key.startsWith('rk_test_'))
        ? 'test'
        : null;
  for (const [name, key, kind] of [
    ['STRIPE_SECRET_KEY', secretKey, 'sk'],
    ['STRIPE_PUBLISHABLE_KEY', publishableKey, 'pk'],
  ] as const) {
    const m = keyMode(key, kind);
    if (!m) throw new Error(`${name} must be a Stripe ${kind}_test_… or ${kind}_live_… key`);
    if (m !== mode) {
      throw new Error(
        `${name} is a ${m} key but SETTLE_MODE is ${mode}: use ${mode} keys (${kind}_${mode}_…) or set SETTLE_MODE=${m}`,
      );
    }
  }
  if (!webhookSecret.startsWith('whsec_'))
    throw new Error("STRIPE_WEBHOOK_SECRET must be the endpoint's whsec_… secret");
  const apiUrl = env.STRIPE_API_URL || null;
  if (apiUrl) {
    let url: URL;
    try {
      url = new URL(apiUrl);
    } catch {
      throw new Error(`STRIPE_API_URL must be a URL such as http://127.0.0.1:12111 (got "${apiUrl}")`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('STRIPE_API_URL must be http or https');
    if (mode === 'live') throw new Error('STRIPE_API_URL is for test servers; unset it in live mode');
  }
  return { secretKey, publishableKey, webhookSecret, apiUrl };
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

function bool(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new Error(`${name} must be "true" or "false", got "${value}"`);
}

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
  if (processor !== 'sandbox' && processor !== 'stripe') {
    throw new Error(`SETTLE_PROCESSOR must be "sandbox" or "stripe" (got "${processor}")`);
  }
  const stripe = processor === 'stripe' ? loadStripeConfig(env, mode) : null;
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
    trustProxy: bool(env.SETTLE_TRUST_PROXY, 'SETTLE_TRUST_PROXY'),
    webhookAllowPrivate: bool(env.SETTLE_WEBHOOK_ALLOW_PRIVATE, 'SETTLE_WEBHOOK_ALLOW_PRIVATE'),
    processor,
    stripe,
    erp: { kind: parseErpKind(env.SETTLE_ERP) },
    tryton: parseErpKind(env.SETTLE_ERP) === 'tryton' ? loadTrytonConfig(env) : null,
    erpTimeoutMs: int(env.SETTLE_ERP_TIMEOUT_MS, 15_000, 'SETTLE_ERP_TIMEOUT_MS'),
    sandboxAchSettleSeconds: int(env.SANDBOX_ACH_SETTLE_SECONDS, 5, 'SANDBOX_ACH_SETTLE_SECONDS'),
    outbox: {
      pollMs: int(env.SETTLE_OUTBOX_POLL_MS, 250, 'SETTLE_OUTBOX_POLL_MS'),
      baseDelayMs: int(env.SETTLE_OUTBOX_BASE_DELAY_MS, 1000, 'SETTLE_OUTBOX_BASE_DELAY_MS'),
      maxDelayMs: int(env.SETTLE_OUTBOX_MAX_DELAY_MS, 300_000, 'SETTLE_OUTBOX_MAX_DELAY_MS'),
      leaseMs: 30_000,
      maxAttempts: int(env.SETTLE_OUTBOX_MAX_ATTEMPTS, 200, 'SETTLE_OUTBOX_MAX_ATTEMPTS'),
    },
    mail: loadMailConfig(env, mode, env.SETTLE_MERCHANT_NAME || 'Northwind Supply Co.'),
    rules: DEFAULT_RULES,
    ...overrides,
  };
}
