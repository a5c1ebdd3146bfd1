/** What the merchant's backend (examples/server-node) answers to `POST /session`. */
export interface PaymentSession {
  clientToken: string;
  apiUrl: string;
}

/**
 * Asks the merchant's own backend for a session for the signed-in customer. Same origin: Vite
 * forwards /session to the backend (vite.config.ts), as your production server or proxy would.
 */
export async function fetchSession(): Promise<PaymentSession> {
  const res = await fetch('/session', { method: 'POST' });
  if (!res.ok) throw new Error(`POST /session answered ${res.status}`);
  return (await res.json()) as PaymentSession;
}
