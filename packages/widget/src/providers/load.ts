import type { PaymentMethodToken, SandboxTokenRequest } from '@settle/schema';
import { loadPiece } from '../pieces/load-piece.js';
import type { PaymentProvider } from './provider.js';

/** What <settle-pay> knows from its session and hands to whichever provider it loads. */
export interface ProviderDeps {
  /** The session client's `createPaymentMethodToken`: the sandbox's one request that carries a number. */
  tokenize(input: SandboxTokenRequest): Promise<PaymentMethodToken>;
  /** The session's `merchant.name`, named in the ACH authorization. */
  merchantName: string;
  /** The session's `processor.publishableKey`: Stripe's, null for the sandbox. */
  publishableKey?: string | null;
}

/**
 * The provider the session names (`processor.name`), loaded on first use so its code (and, for
 * Stripe, Stripe.js) is fetched only by pages that pay through it.
 */
export async function loadProvider(name: 'sandbox' | 'stripe', deps: ProviderDeps): Promise<PaymentProvider> {
  if (name === 'sandbox') {
    const { createSandboxProvider } = await loadPiece('sandbox');
    return createSandboxProvider({ tokenize: deps.tokenize, merchantName: deps.merchantName });
  }
  if (!deps.publishableKey) throw new Error('The session names Stripe but carries no publishable key');
  const { createStripeProvider } = await loadPiece('stripe');
  return createStripeProvider({ publishableKey: deps.publishableKey });
}
