// The hosted pay page's only script (no inline script: the page's CSP forbids it). The client
// token comes from the URL fragment, `#token=ct_...`, which is never sent to any server.
(() => {
  const main = document.getElementById('pay');
  if (!main) return;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');

  const notice = (text) => {
    const p = document.createElement('p');
    p.className = 'notice';
    p.setAttribute('role', 'alert');
    p.textContent = text;
    main.replaceChildren(p);
  };

  if (!token) {
    notice('This payment link is incomplete. Open the full link from your email, or ask for a new one.');
    return;
  }
  // settle.js runs before this deferred script: not defined means it failed to load or its integrity check.
  if (!customElements.get('settle-pay')) {
    notice('The payment page is not available right now. Please try again in a minute.');
    return;
  }
  const element = document.createElement('settle-pay');
  element.setAttribute('client-token', token);
  element.setAttribute('api-url', location.origin);
  main.replaceChildren(element);
  // Another link pasted into this tab must not keep paying with the first token.
  addEventListener('hashchange', () => location.reload());
})();
