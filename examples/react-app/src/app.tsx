import type { SettleErrorEvent, SettleSuccessEvent } from '@settle/widget';
import { SettlePay } from '@settle/widget/react';
import { useEffect, useState } from 'react';
import { fetchSession, type PaymentSession } from './session.js';

export function App() {
  const [session, setSession] = useState<PaymentSession | null>(null);
  const [status, setStatus] = useState('Loading your invoices…');
  const [paymentId, setPaymentId] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    fetchSession(abort.signal).then(setSession, (error: unknown) => {
      if (!abort.signal.aborted) setStatus(`Could not start the payment: ${String(error)}`);
    });
    return () => abort.abort();
  }, []);

  // Typed by the wrapper: `event.detail.payment` is a `Payment`.
  const handleSuccess = (event: SettleSuccessEvent) => {
    const { payment } = event.detail;
    setPaymentId(payment.id);
    setStatus(
      payment.status === 'succeeded'
        ? `Thank you: payment ${payment.id} received.`
        : `Payment ${payment.id} is processing.`,
    );
  };

  const handleError = (event: SettleErrorEvent) => {
    if (event.detail.code !== 'session_expired') {
      setStatus(`Not paid: ${event.detail.message}`);
      return;
    }
    // A token works for an hour: get a new one from the backend; the widget loads the invoices again.
    setStatus('Your session timed out. Starting a new one…');
    fetchSession().then(setSession, () => setStatus('Your session timed out. Reload the page to pay.'));
  };

  return (
    <main>
      <h1>Pay invoices</h1>
      <p id="payment-status" role="status" data-payment-id={paymentId ?? undefined}>
        {status}
      </p>
      {session && (
        <SettlePay
          clientToken={session.clientToken}
          apiUrl={session.apiUrl}
          onSettleReady={(event) =>
            setStatus(`Signed in as ${event.detail.session.customer.name}. Select the invoices you want to pay.`)
          }
          onSettleSuccess={handleSuccess}
          onSettleError={handleError}
        />
      )}
    </main>
  );
}
