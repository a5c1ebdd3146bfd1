// The merchant page's own reactions to <settle-pay>. A separate file, not an inline script, so the
// page's Content-Security-Policy needs no 'unsafe-inline'. `defer`: runs once the element is parsed.
const pay = document.querySelector('settle-pay');
const status = document.getElementById('payment-status');

pay.addEventListener('settle-ready', (event) => {
  status.textContent = `Signed in as ${event.detail.session.customer.name}. Select the invoices you want to pay.`;
});

// For a card payment `status` is `succeeded`; an ACH debit arrives `processing`, then again `succeeded`.
pay.addEventListener('settle-success', (event) => {
  const { payment } = event.detail;
  status.dataset.paymentId = payment.id;
  status.textContent =
    payment.status === 'succeeded'
      ? `Thank you: payment ${payment.id} received.`
      : `Payment ${payment.id} is processing.`;
});

// What the payer was told (a decline, an expired session): the widget shows it too.
pay.addEventListener('settle-error', (event) => {
  status.textContent = `Not paid: ${event.detail.message}`;
});
