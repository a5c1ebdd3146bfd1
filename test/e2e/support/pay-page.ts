import type { ElementHandle, Page } from 'puppeteer-core';

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Minor units of USD as the page shows them: `$1,234.56`, `-$100.00`. */
export const usd = (minor: number): string => USD.format(minor / 100);

/** What a customer types into an amount field: `1234.56`. */
export const typed = (minor: number): string => (minor / 100).toFixed(2);

/**
 * Puppeteer's ARIA query: the element with exactly this accessible name and role, found
 * through the accessibility tree and so through every shadow root, as a screen reader finds it.
 */
export const aria = (name: string, role: string): string =>
  `::-p-aria([name=${JSON.stringify(name)}][role=${JSON.stringify(role)}])`;

/** A `[part]` of <settle-pay> (its documented styling API), through its shadow root. */
export const part = (name: string): string => `settle-pay >>> [part~="${name}"]`;

/** A definition list's rows as `[term, value]`, whitespace collapsed. */
async function rows(container: ElementHandle<Element>, list = 'dl'): Promise<Array<[string, string]>> {
  return container.$$eval(`${list} > div`, (divs) =>
    divs.map((div) => {
      const text = (selector: string) => (div.querySelector(selector)?.textContent ?? '').replace(/\s+/g, ' ').trim();
      return [text('dt'), text('dd')] as [string, string];
    }),
  );
}

/**
 * <settle-pay> as a customer sees it: every control found by its role and accessible name (the
 * words on screen or read aloud), every state by the element's documented parts. The sandbox
 * card and bank fields live in the page's light DOM; the same queries reach them.
 */
export class PayPage {
  constructor(readonly page: Page) {}

  /**
   * Waits until the element is visible. Visibility makes Puppeteer poll every frame: its default,
   * a MutationObserver on the document, never sees changes inside a shadow root.
   */
  async find(selector: string, timeout = 10_000): Promise<ElementHandle<Element>> {
    const element = await this.page.waitForSelector(selector, { visible: true, timeout });
    if (!element) throw new Error(`${selector} is not on the page`);
    return element;
  }

  /**
   * The invoices are up (the heading shows). Found by `find`: until something is selected nothing
   * changes in the page's light DOM, so a wait that watches the document for mutations would not see it.
   */
  async ready(): Promise<void> {
    await this.find(aria('Pay your invoices', 'heading'));
  }

  async selectInvoice(number: string, open: number): Promise<void> {
    await this.page.locator(aria(`Pay invoice ${number}, ${usd(open)} open`, 'checkbox')).click();
  }

  /** Ticks the first invoice row, whatever the page's language (the row's own checkbox). */
  async selectFirstInvoice(): Promise<void> {
    await this.page.locator('settle-pay >>> settle-invoice-list >>> [part~="row"] input[type="checkbox"]').click();
  }

  async isSelected(number: string, open: number): Promise<boolean> {
    const box = await this.find(aria(`Pay invoice ${number}, ${usd(open)} open`, 'checkbox'));
    return box.evaluate((el) => (el as HTMLInputElement).checked);
  }

  /** Replaces the amount to pay on a selected invoice, then leaves the field. */
  async setAmount(number: string, minor: number): Promise<void> {
    const input = await this.find(aria(`Amount to pay on invoice ${number}`, 'textbox'));
    await input.click();
    await this.page.keyboard.down('Control');
    await this.page.keyboard.press('KeyA');
    await this.page.keyboard.up('Control');
    await this.page.keyboard.type(typed(minor));
    await this.page.keyboard.press('Tab');
  }

  /** Picks a reason for paying less by the label the customer reads. */
  async chooseReason(number: string, label: string): Promise<void> {
    const select = (await this.find(
      aria(`Reason for paying less on invoice ${number}`, 'combobox'),
    )) as ElementHandle<HTMLSelectElement>;
    const value = await select.evaluate(
      (el, wanted) => [...el.options].find((o) => o.text.trim() === wanted)?.value ?? null,
      label,
    );
    if (!value) throw new Error(`No reason "${label}" on invoice ${number}`);
    await select.select(value);
  }

  async typeNote(number: string, note: string): Promise<void> {
    await this.page.locator(aria(`Note for invoice ${number}`, 'textbox')).fill(note);
  }

  /**
   * Ticks a credit memo by its label (number, memo and what is left of it), which fills in what
   * it can take, then types `minor` as the amount to apply.
   */
  async applyCredit(credit: { number: string; memo: string | null; openAmount: number }, minor: number): Promise<void> {
    const memo = credit.memo ? `${credit.memo} · ` : '';
    const label = `Apply credit ${credit.number} ${memo}${usd(credit.openAmount)} available`;
    await this.page.locator(aria(label, 'checkbox')).click();
    await this.page.locator(aria(`Amount of credit ${credit.number} to apply`, 'textbox')).fill(typed(minor));
  }

  async chooseMethod(name: 'Card' | 'Bank (ACH) debit'): Promise<void> {
    await this.page.locator(aria(name, 'radio')).click();
  }

  /** Types into a sandbox field found by its label. */
  async type(label: string, text: string): Promise<void> {
    const input = await this.find(aria(label, 'textbox'));
    await input.click();
    await input.type(text);
  }

  async fillCard(number: string, expiry: string, cvc: string): Promise<void> {
    await this.type('Card number', number);
    await this.type('Expiry date (MM / YY)', expiry);
    await this.type('Security code (CVC)', cvc);
  }

  /** One of the sandbox's "fill in a test number" buttons, by the words on it. */
  async useTestNumber(text: string): Promise<void> {
    await this.page.locator(aria(text, 'button')).click();
  }

  /** What the payment fields (in the page's light DOM, slotted into the element) say. */
  async paymentFieldsText(): Promise<string> {
    const fields = await this.find('settle-pay > [slot="payment-fields"]');
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as the customer reads it.
    return fields.evaluate((el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim());
  }

  /** The summary's rows: each invoice, each credit, subtotal, fee, total. */
  async summary(): Promise<Array<[string, string]>> {
    return rows(await this.find(part('summary')));
  }

  /** The summary once it shows exactly `expected`, or what it shows after `ms` (it follows every edit). */
  async summarySettled(expected: Array<[string, string]>, ms = 5_000): Promise<Array<[string, string]>> {
    const deadline = Date.now() + ms;
    let shown = await this.summary();
    while (JSON.stringify(shown) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      shown = await this.summary();
    }
    return shown;
  }

  /** The invoice rows on screen, top to bottom, each as its checkbox reads it ("Pay invoice INV-1, $5.00 open"). */
  async invoiceRows(): Promise<string[]> {
    const row = 'settle-pay >>> settle-invoice-list >>> [part~="row"]';
    await this.find(row);
    return this.page.$$eval(`${row} input[type="checkbox"]`, (boxes) =>
      boxes.map((box) => box.getAttribute('aria-label') ?? ''),
    );
  }

  /** Presses the Pay button, which names the exact total, once it is enabled; `count: 2` is an impatient double-click. */
  async pay(total: number, { count = 1 } = {}): Promise<void> {
    await this.page.locator(aria(`Pay ${usd(total)}`, 'button')).click({ count });
  }

  /** The text of a part as rendered (what the customer reads), once it is shown, whitespace collapsed. */
  async textOf(name: string, timeout = 10_000): Promise<string> {
    const element = await this.find(part(name), timeout);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, with the breaks between blocks the customer sees.
    return element.evaluate((el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim());
  }

  /** The receipt: its heading, what was paid (rows) and the facts (method, reference, status). */
  async receipt(
    timeout = 10_000,
  ): Promise<{ title: string; rows: Array<[string, string]>; facts: Record<string, string> }> {
    const receipt = await this.find(part('receipt'), timeout);
    const title = await receipt.$eval('h2', (h) => h.textContent?.trim() ?? '');
    const [paid, facts] = await receipt.$$('dl');
    return {
      title,
      rows: await rows(paid!, ':scope'),
      facts: Object.fromEntries(await rows(facts!, ':scope')),
    };
  }
}
