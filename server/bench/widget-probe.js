// Installed by bench/widget.ts in every benchmarked page before the page's own scripts run
// (puppeteer's evaluateOnNewDocument, which the page's CSP does not apply to). Plain browser
// JavaScript: it adds no element, only a settle-ready listener on window and a
// requestAnimationFrame loop that looks into <settle-pay>'s shadow DOM once a frame until the
// widget is interactive (and, when asked, until the payment panel is ready after a selection).
//
// Times are performance.now(): milliseconds since the navigation started (performance.timeOrigin).
(() => {
  const marks = { ready: null, firstFrame: null, interactive: null };

  /** The element, its invoice list and the first invoice row's checkbox, as far as they exist. */
  function parts() {
    const pay = document.querySelector('settle-pay');
    const list = pay?.shadowRoot?.querySelector('settle-invoice-list') ?? null;
    const root = list?.shadowRoot ?? null;
    const checkbox = root?.querySelector('[role="row"][data-id] input[type="checkbox"]') ?? null;
    return { pay, list, root, checkbox };
  }

  /** Enabled, laid out inside the window, and what a click at its centre would hit (through both shadow roots). */
  function clickable({ pay, list, checkbox }) {
    if (!checkbox || checkbox.disabled || !checkbox.isConnected) return false;
    const box = checkbox.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
    return (
      document.elementFromPoint(x, y) === pay &&
      pay.shadowRoot.elementFromPoint(x, y) === list &&
      list.shadowRoot.elementFromPoint(x, y) === checkbox
    );
  }

  /** Runs after the frame being prepared has been rendered and the tasks queued before it ran. */
  function afterFrame(fn) {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => fn();
    channel.port2.postMessage(0);
  }

  addEventListener('settle-ready', () => {
    marks.ready ??= performance.now();
  });

  const interactive = new Promise((resolve) => {
    const tick = () => {
      if (!clickable(parts())) {
        requestAnimationFrame(tick);
        return;
      }
      // The first frame that draws the enabled checkbox is being prepared now.
      marks.firstFrame = performance.now();
      afterFrame(() => {
        marks.interactive = performance.now();
        resolve();
      });
    };
    requestAnimationFrame(tick);
  });

  /** What the benchmark reads once the widget is interactive. */
  async function result() {
    await interactive;
    const { root } = parts();
    const entry = (match) => performance.getEntriesByType('resource').find((e) => match(new URL(e.name).pathname));
    const script = entry((path) => path === '/settle.js');
    const session = entry((path) => path === '/v1/session');
    return {
      ...marks,
      rows: root.querySelectorAll('[role="row"][data-id]').length,
      rowCount: Number(root.querySelector('[role="table"]')?.getAttribute('aria-rowcount') ?? 0) - 1,
      script: script ? { end: script.responseEnd, transfer: script.transferSize, body: script.encodedBodySize } : null,
      session: session
        ? { end: session.responseEnd, transfer: session.transferSize, body: session.encodedBodySize }
        : null,
    };
  }

  /** Invoice rows in the list's DOM now (the list renders only those in view, plus a few). */
  function rows() {
    return parts().root?.querySelectorAll('[role="row"][data-id]').length ?? 0;
  }

  /**
   * Clicks "select all" and times it: the synchronous handlers (the list's selection, the local
   * quote), the element's and the list's re-render, and the next rendered frame after them.
   */
  async function selectAll() {
    const { pay, list, root } = parts();
    const box = root.querySelector('.select-all input[type="checkbox"]');
    if (!box || box.disabled) throw new Error('no enabled select-all checkbox');
    const start = performance.now();
    box.click();
    const handled = performance.now();
    await pay.updateComplete;
    await list.updateComplete;
    const rendered = performance.now();
    await new Promise((resolve) => requestAnimationFrame(() => afterFrame(resolve)));
    const painted = performance.now();
    const summary = pay.shadowRoot.querySelector('[part="summary"]');
    return {
      handler: handled - start,
      rendered: rendered - start,
      painted: painted - start,
      checked: box.checked,
      summaryRows: summary?.querySelectorAll('dl.rows > .row:not(.total):not(.subtotal):not(.credit-row)').length ?? 0,
      total: summary?.querySelector('[part="total"] dd')?.textContent?.trim() ?? null,
      rows: root.querySelectorAll('[role="row"][data-id]').length,
      selectedRows: root.querySelectorAll('[role="row"][data-id].selected').length,
    };
  }

  /**
   * Ticks the first invoice and times it to the payment panel being ready to pay: the Pay button
   * shows the total and the provider's fields are mounted (settle-checkout.js and the provider's
   * piece are fetched on the way), to the frame that draws them.
   */
  async function firstSelection() {
    const { pay, checkbox } = parts();
    if (!checkbox || checkbox.checked) throw new Error('no unticked invoice to select');
    const start = performance.now();
    checkbox.click();
    const drawn = await new Promise((resolve) => {
      const tick = () => {
        const button = pay.shadowRoot.querySelector('[part~="pay-button"]');
        const field = pay.querySelector('[slot="payment-fields"] input');
        if (button && field && /\d/.test(button.textContent)) resolve(performance.now());
        else requestAnimationFrame(tick);
      };
      tick();
    });
    await new Promise((resolve) => afterFrame(resolve));
    const ready = performance.now();
    const loaded = (file) =>
      performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === `/${file}`)?.responseEnd;
    const since = (t) => (t === undefined ? null : t - start);
    return {
      ready: ready - start,
      drawn: drawn - start,
      checkout: since(loaded('settle-checkout.js')),
      provider: since(loaded('settle-sandbox.js')),
    };
  }

  Object.defineProperty(window, '__settleBench', { value: { result, rows, selectAll, firstSelection, marks } });
})();
