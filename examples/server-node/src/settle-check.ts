/**
 * Asks Settle, as a browser would before calling its API from `origin` (a CORS preflight),
 * whether it answers pages of that origin. Settle answers only the origins in its
 * SETTLE_ALLOWED_ORIGINS; a page from any other cannot load the customer's invoices.
 */
export async function settleAllowsOrigin(settleUrl: string, origin: string): Promise<boolean> {
  const res = await fetch(`${settleUrl}/v1/session`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization',
    },
  });
  return res.headers.get('access-control-allow-origin') === origin;
}
