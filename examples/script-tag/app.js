// The merchant page's own reactions to <settle-pay>. A separate file, not an inline script, so the
// page's Content-Security-Policy needs no 'unsafe-inline'. It runs in <head>, before the element is
// parsed, and listens on the document (the widget's events bubble): a listener added later, by a
// deferred script, could miss a `settle-ready` that came first.
const status = () => document.getElementById('payment-status');

document.addEventListener('settle-ready', (event) => {
  status().textContent = `Signed in as ${event.detail.session.customer.name}. Select the invoices you want to pay.`;
});

// For a card payment `status` is `succeeded`; an ACH debit arrives `processing`, then again `succeeded`.
document.addEventListener('settle-success', (event) => {
  const { payment } = event.detail;
  status().dataset.paymentId = payment.id;
  status().textContent =
    payment.status === 'succeeded'
      ? `Thank you: payment ${payment.id} received.`
      : `Payment ${payment.id} is processing.`;
});

// What the payer was told (a decline, a network failure): the widget shows it too.
document.addEventListener('settle-error', (event) => {
  if (event.detail.code === 'session_expired') {
    renewSession();
    return;
  }
  status().textContent = `Not paid: ${event.detail.message}`;
});

// A session's token works for an hour. When it has run out, ask this site's backend for a new one
// (examples/server-node's POST /session) and hand it to the widget, which loads the invoices again.
async function renewSession() {
  status().textContent = 'Your session timed out. Starting a new one…';
  try {
    const res = await fetch('/session', { method: 'POST' });
    if (!res.ok) throw new Error(`POST /session answered ${res.status}`);
    const { clientToken } = await res.json();
    document.querySelector('settle-pay').setAttribute('client-token', clientToken);
  } catch {
    status().textContent = 'Your session timed out. Reload the page to pay.';
  }
}
