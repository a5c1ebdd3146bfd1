import './style.css';
import '@settle/widget/define';
import type { SettleSuccessEvent } from '@settle/widget';
import { fetchSession } from './session.js';

const status = document.querySelector<HTMLParagraphElement>('#payment-status')!;

/** What the page does when a payment goes through: typed, `detail.payment` is a `Payment`. */
function showPaid(event: SettleSuccessEvent): void {
  const { payment } = event.detail;
  status.dataset.paymentId = payment.id;
  status.textContent =
    payment.status === 'succeeded'
      ? `Thank you: payment ${payment.id} received.`
      : `Payment ${payment.id} is processing.`;
}

async function start(): Promise<void> {
  const { clientToken, apiUrl } = await fetchSession();
  // A `SettlePay`: HTMLElementTagNameMap knows the tag, so its properties are typed too.
  const pay = document.createElement('settle-pay');
  pay.clientToken = clientToken;
  pay.apiUrl = apiUrl;
  // Each `settle-*` event is in GlobalEventHandlersEventMap: `event` is typed without a cast.
  pay.addEventListener('settle-ready', (event) => {
    status.textContent = `Signed in as ${event.detail.session.customer.name}. Select the invoices you want to pay.`;
  });
  pay.addEventListener('settle-success', showPaid);
  pay.addEventListener('settle-error', (event) => {
    if (event.detail.code === 'session_expired') {
      // A token works for an hour: get a new one from the backend; the widget loads the invoices again.
      status.textContent = 'Your session timed out. Starting a new one…';
      fetchSession().then(
        (session) => {
          pay.clientToken = session.clientToken;
        },
        () => {
          status.textContent = 'Your session timed out. Reload the page to pay.';
        },
      );
      return;
    }
    status.textContent = `Not paid: ${event.detail.message}`;
  });
  document.querySelector('#pay')!.append(pay);
}

start().catch((error: unknown) => {
  status.textContent = `Could not start the payment: ${error instanceof Error ? error.message : String(error)}`;
});
