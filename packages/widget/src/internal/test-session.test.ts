import { expect } from '@open-wc/testing';
import { erpOpenItems, mintSession } from './test-session.js';

describe('the test Settle server', () => {
  it('mints a session that the browser can read across origins', async () => {
    const { apiUrl, clientToken, customerId } = await mintSession();
    expect(customerId).to.equal('cus_acme');
    const response = await fetch(`${apiUrl}/v1/session`, { headers: { Authorization: `Bearer ${clientToken}` } });
    expect(response.status).to.equal(200);
    const session = await response.json();
    expect(session.customer.name).to.equal('Acme Industrial Supply');
    expect(session.currency).to.equal('USD');
    expect(session.invoices.length).to.be.greaterThan(2);
  });

  it('refuses a made-up client token', async () => {
    const { apiUrl } = await mintSession();
    const response = await fetch(`${apiUrl}/v1/session`, { headers: { Authorization: 'Bearer ct_not_a_real_token' } });
    expect(response.status).to.equal(401);
  });

  it('makes a customer with as many open invoices as asked', async () => {
    const { apiUrl, clientToken, customerId } = await mintSession(undefined, { invoices: 1200 });
    expect(customerId).to.equal('cus_bulk_1200');
    const response = await fetch(`${apiUrl}/v1/session`, { headers: { Authorization: `Bearer ${clientToken}` } });
    const session = await response.json();
    expect(session.invoices).to.have.length(1200);
  });

  it('gives a test its own copy of a customer to pay from', async () => {
    const first = await mintSession('cus_acme', { fresh: true });
    const second = await mintSession('cus_acme', { fresh: true });
    expect(first.customerId).to.not.equal(second.customerId);
    const items = await erpOpenItems(first.customerId);
    const demo = await erpOpenItems('cus_acme');
    expect(items.invoices.map((i) => i.number)).to.deep.equal(demo.invoices.map((i) => i.number));
    expect(items.invoices[0]?.id).to.not.equal(demo.invoices[0]?.id);
  });
});
