/**
 * Confirmation emails (docs/emails.md): a card payment, and an ACH debit that is pending, settles,
 * fails or is returned, each mail the payer and the merchant's AR mailbox once, through a real
 * SMTP server on loopback, also when that server was down or refusing at first. A declined card
 * sends nothing. Then the templates' escaping, and the demo's mailbox at /demo/mail.
 */
import type { Payment, Problem } from '@settle/schema';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryErp } from '../src/erp/memory.js';
import { html } from '../src/mail/html.js';
import { loadMailConfig } from '../src/mail/mail-config.js';
import { MAIL_JOB, type MailJobPayload, mailKindOf } from '../src/mail/mail-jobs.js';
import { buildReceipt } from '../src/mail/receipt.js';
import { renderHtml, renderText } from '../src/mail/render.js';
import { enqueue, OutboxWorker } from '../src/outbox/outbox.js';
import { PROCESSOR_EVENT_JOB } from '../src/processors/sandbox.js';
import { jobHandlers } from '../src/services/erp-sync.js';
import { EVENT_FANOUT_JOB } from '../src/services/events.js';
import { fromJson } from '../src/store/db.js';
import { call, STORES, startTestServer, type TestServer, waitFor } from './harness.js';
import {
  AR,
  FROM,
  type Inbox,
  outboxSettled,
  recipient,
  settledMails,
  smtpConfig,
  startMailingServer,
} from './smtp-inbox.js';

const NAMES = ['card', 'achok', 'achfail', 'achreturn', 'decline', 'refused', 'down'] as const;
type Name = (typeof NAMES)[number];
const payer = (n: Name) => `payer-${n}@customer.example.com`;

/**
 * Each customer has two open invoices and a credit memo, in US-NY (a 3% credit-card surcharge).
 * The names carry markup: mail must show it as text.
 */
function ledger(): MemoryErp {
  return new MemoryErp({
    customers: NAMES.map((n) => ({
      id: `cus_${n}`,
      name: `Smith & <b>Sons</b> ${n}`,
      email: payer(n),
      currency: 'USD',
      region: 'US-NY',
    })),
    invoices: NAMES.flatMap((n) =>
      (['a', 'b'] as const).map((x, i) => ({
        id: `inv_${n}_${x}`,
        customerId: `cus_${n}`,
        number: `INV-${n.toUpperCase()}-${i + 1}`,
        issueDate: '2026-01-05',
        dueDate: '2026-02-04',
        currency: 'USD',
        amount: x === 'a' ? 100_000 : 50_000,
        openAmount: x === 'a' ? 100_000 : 50_000,
        documentUrl: null,
        poNumber: null,
      })),
    ),
    credits: NAMES.map((n) => ({
      id: `cm_${n}`,
      customerId: `cus_${n}`,
      number: `CM-${n.toUpperCase()}`,
      issueDate: '2026-01-10',
      currency: 'USD',
      amount: 15_000,
      openAmount: 15_000,
      memo: null,
    })),
  });
}

const CARD = { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' };
const DECLINED = { ...CARD, number: '4000000000000002' };
const bank = (accountNumber: string) => ({
  type: 'us_bank_account',
  routingNumber: '110000000',
  accountNumber,
  accountHolderName: 'Mail Test Co',
  accountHolderType: 'company',
});

/**
 * Pays invoice A in full with the credit memo, and short-pays invoice B by $100.00 for damaged
 * goods with a note: $1,400 of invoices, $150 of credit, $1,250 before a card's $37.50 surcharge.
 */
async function pay(server: TestServer, name: Name, method: 'card' | 'ach_debit', instrument: object) {
  const session = await call<{ clientToken: string }>(server, 'POST', '/v1/sessions', server.secretKey, {
    customerId: `cus_${name}`,
  });
  expect(session.status).toBe(201);
  const ct = session.body.clientToken;
  const token = await call<{ id: string }>(server, 'POST', '/v1/sandbox/tokens', ct, instrument);
  expect(token.status).toBe(201);
  const res = await call<Payment | Problem>(
    server,
    'POST',
    '/v1/session/payments',
    ct,
    {
      method,
      allocations: [
        { invoiceId: `inv_${name}_a`, amount: 100_000 },
        { invoiceId: `inv_${name}_b`, amount: 40_000, reasonCode: 'damaged_goods', note: 'Crate <3> was "wet" & torn' },
      ],
      credits: [{ creditId: `cm_${name}`, amount: 15_000, invoiceId: `inv_${name}_a` }],
      paymentMethodToken: token.body.id,
      expectedTotal: method === 'card' ? 128_750 : 125_000,
    },
    { 'idempotency-key': `mail-${name}-${Date.now()}` },
  );
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body as Payment;
}

async function paymentWhere(server: TestServer, id: string, ok: (p: Payment) => boolean): Promise<Payment> {
  return waitFor(`payment ${id}`, async () => {
    const res = await call<Payment>(server, 'GET', `/v1/payments/${id}`, server.secretKey);
    return ok(res.body) ? res.body : undefined;
  });
}

/** The jobs that could still send mail. */
const MAIL_KINDS = [MAIL_JOB, EVENT_FANOUT_JOB, PROCESSOR_EVENT_JOB];

/** Waits for `count` messages about `paymentId`, lets the outbox finish, and checks no more came. */
const mailOf = (server: TestServer, inbox: Inbox, paymentId: string, count: number) =>
  settledMails(server, inbox, {
    what: `${count} mails about ${paymentId}`,
    pick: (m) => m.headers.get('x-settle-payment') === paymentId,
    count,
    kinds: MAIL_KINDS,
  });

const one = (mails: ParsedMail[], address: string, subject: string) => {
  const found = mails.filter((m) => recipient(m) === address && (m.subject ?? '').startsWith(subject));
  expect(found, `${subject} to ${address}`).toHaveLength(1);
  return found[0] as ParsedMail;
};

describe.each(STORES)('confirmation emails on %s', (store) => {
  let inbox: Inbox;
  let server: TestServer;

  beforeAll(async () => {
    const started = await startMailingServer({ store, erp: ledger() });
    ({ server, inbox } = started);
    return started.close;
  });

  it('mails the payer and AR a receipt, once each, when a card payment succeeds', async () => {
    const payment = await pay(server, 'card', 'card', CARD);
    expect(payment.status).toBe('succeeded');
    const mails = await mailOf(server, inbox, payment.id, 2);
    const forPayer = one(mails, payer('card'), 'Payment received: $1,287.50 to Northwind Supply Co.');
    const forAr = one(mails, AR, 'Payment received: $1,287.50 from Smith & <b>Sons</b> card');
    for (const m of [forPayer, forAr]) {
      const text = m.text ?? '';
      const html = typeof m.html === 'string' ? m.html : '';
      for (const part of [text, html]) {
        expect(part).toContain('INV-CARD-1');
        expect(part).toContain('INV-CARD-2');
        expect(part).toContain('$1,000.00');
        expect(part).toContain('$400.00');
        expect(part).toContain('CM-CARD');
        expect(part).toContain('$150.00');
        expect(part).toContain('Credit card surcharge (3%)');
        expect(part).toContain('$37.50');
        expect(part).toContain('$1,287.50');
        expect(part).toContain('Visa •4242');
        expect(part).toContain(payment.id);
        expect(part).toContain('Northwind Supply Co.');
        expect(part).toContain('Damaged goods');
      }
      expect(text).toContain('Crate <3> was "wet" & torn');
      expect(html).toContain('Crate &lt;3&gt; was &quot;wet&quot; &amp; torn');
      expect(html).not.toContain('<b>Sons</b>');
      expect(m.from?.value).toEqual([{ name: 'Northwind Supply Co.', address: 'billing@northwind.example.com' }]);
      expect(m.headers.get('auto-submitted')).toBe('auto-generated');
    }
    expect(forAr.text).toContain('Smith & <b>Sons</b> card (cus_card)');
    expect(forAr.html).toContain('Smith &amp; &lt;b&gt;Sons&lt;/b&gt; card (cus_card)');
    expect(forPayer.messageId).toBe(`<${payment.id}.succeeded.payer@northwind.example.com>`);
    expect(forAr.messageId).toBe(`<${payment.id}.succeeded.ar@northwind.example.com>`);
    expect(forPayer.replyTo?.text).toBe(AR);
    // Dated when the payment succeeded, not when the outbox got to it.
    const succeededAt = payment.events.find((e) => e.to === 'succeeded')?.at;
    expect(forPayer.date?.toISOString().slice(0, 19)).toBe(succeededAt?.slice(0, 19));
  });

  it('mails "pending" when an ACH debit starts and a receipt when it settles', async () => {
    const payment = await pay(server, 'achok', 'ach_debit', bank('000123456789'));
    expect(payment.status).toBe('processing');
    await paymentWhere(server, payment.id, (p) => p.status === 'succeeded');
    const mails = await mailOf(server, inbox, payment.id, 4);
    const pending = one(mails, payer('achok'), 'Bank payment pending: $1,250.00 to Northwind Supply Co.');
    one(mails, AR, 'Bank payment pending: $1,250.00 from Smith');
    const paid = one(mails, payer('achok'), 'Payment received: $1,250.00');
    one(mails, AR, 'Payment received: $1,250.00');
    expect(pending.text).toContain('STRIPE TEST BANK •6789');
    expect(pending.text).toContain('a few business days');
    expect(paid.text).not.toContain('surcharge');
    expect(paid.html).toContain('STRIPE TEST BANK •6789');
  });

  it('mails a failure with its reason when an ACH debit fails', async () => {
    const payment = await pay(server, 'achfail', 'ach_debit', bank('000111111113'));
    const failed = await paymentWhere(server, payment.id, (p) => p.status === 'failed');
    const mails = await mailOf(server, inbox, payment.id, 4);
    one(mails, payer('achfail'), 'Bank payment pending');
    const forPayer = one(mails, payer('achfail'), 'Bank payment failed: $1,250.00 to Northwind Supply Co.');
    const forAr = one(mails, AR, 'Bank payment failed: $1,250.00 from Smith');
    const reason = failed.failure?.message ?? '';
    expect(reason).not.toBe('');
    expect(forPayer.text).toContain(reason);
    expect(forPayer.text).toContain('still open');
    expect(forAr.text).toContain(reason);
  });

  it('mails "returned" when the bank returns a settled ACH debit', async () => {
    const payment = await pay(server, 'achreturn', 'ach_debit', bank('000555555559'));
    await paymentWhere(server, payment.id, (p) => p.status === 'reversed');
    const mails = await mailOf(server, inbox, payment.id, 6);
    one(mails, payer('achreturn'), 'Bank payment pending');
    one(mails, payer('achreturn'), 'Payment received');
    const returned = one(mails, payer('achreturn'), 'Bank payment returned: $1,250.00 to Northwind Supply Co.');
    one(mails, AR, 'Bank payment returned: $1,250.00 from Smith');
    expect(returned.text).toContain('open again');
    expect(returned.messageId).toBe(`<${payment.id}.returned.payer@northwind.example.com>`);
  });

  it('sends no mail for a declined card: the payer sees it in the widget', async () => {
    const payment = await pay(server, 'decline', 'card', DECLINED);
    expect(payment.status).toBe('failed');
    await outboxSettled(server, MAIL_KINDS, 'the outbox to settle');
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.of(payment.id)).toHaveLength(0);
    const fanOuts = await server.settle.deps.db
      .selectFrom('outbox')
      .select(['payload', 'status'])
      .where('kind', '=', EVENT_FANOUT_JOB)
      .execute();
    // The failure was an event, handed to every subscriber (webhooks hear of it); mail has nothing to say.
    const failedEvent = fanOuts.find((j) => {
      const event = (fromJson(j.payload) as { event: { paymentId: string; type: string } }).event;
      return event.paymentId === payment.id && event.type === 'payment.failed';
    });
    expect(failedEvent?.status).toBe('done');
  });

  it('retries a mail the SMTP server refuses for a while (4xx, then 5xx) and delivers it once', async () => {
    inbox.refusals.set(payer('refused'), [451, 421, 554]);
    const payment = await pay(server, 'refused', 'card', CARD);
    const mails = await mailOf(server, inbox, payment.id, 2);
    one(mails, payer('refused'), 'Payment received');
    one(mails, AR, 'Payment received');
    expect(inbox.refused.filter((r) => r.to === payer('refused')).map((r) => r.code)).toEqual([451, 421, 554]);
    const job = await server.settle.deps.db
      .selectFrom('outbox')
      .select(['status', 'attempts'])
      .where('dedupe_key', '=', `mail:${payment.id}:succeeded:payer`)
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'done', attempts: 3 });
  });
});

describe.each(STORES)('confirmation emails while the SMTP server is down, on %s', (store) => {
  it('sends each mail exactly once after the SMTP server comes up', async () => {
    const { server, inbox, port, close } = await startMailingServer({ store, erp: ledger(), smtpDown: true });
    try {
      const card = await pay(server, 'down', 'card', CARD);
      const ach = await pay(server, 'achok', 'ach_debit', bank('000123456789'));
      await paymentWhere(server, ach.id, (p) => p.status === 'succeeded');
      // Every mail job has failed a few times against the closed port.
      await waitFor('mail jobs to fail a few times', async () => {
        const jobs = await server.settle.deps.db
          .selectFrom('outbox')
          .select(['attempts', 'status', 'last_error'])
          .where('kind', '=', MAIL_JOB)
          .execute();
        return jobs.length === 6 && jobs.every((j) => j.attempts >= 3 && j.status === 'pending') ? jobs : undefined;
      });
      const lastError = await server.settle.deps.db
        .selectFrom('outbox')
        .select('last_error')
        .where('kind', '=', MAIL_JOB)
        .executeTakeFirstOrThrow();
      expect(lastError.last_error).toMatch(/ECONNREFUSED/);
      expect(inbox.messages).toHaveLength(0);

      await inbox.listen(port);
      const cardMails = await mailOf(server, inbox, card.id, 2);
      one(cardMails, payer('down'), 'Payment received');
      one(cardMails, AR, 'Payment received');
      const achMails = await mailOf(server, inbox, ach.id, 4);
      one(achMails, payer('achok'), 'Bank payment pending');
      one(achMails, AR, 'Bank payment pending');
      one(achMails, payer('achok'), 'Payment received');
      one(achMails, AR, 'Payment received');
      expect(inbox.messages).toHaveLength(6);
    } finally {
      await close();
    }
  });
});

describe('the demo mailbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      erp: ledger(),
      config: { mail: { transport: 'catcher', smtpUrl: null, from: FROM, arEmail: AR, catcherPort: 0 } },
    });
  });
  afterAll(() => server?.close());

  it('catches what Settle sends on loopback and shows it at /demo/mail under a strict CSP', async () => {
    const catcher = server.settle.deps.mail?.catcher;
    expect(catcher?.port).toBeGreaterThan(0);
    const payment = await pay(server, 'card', 'card', CARD);
    await waitFor('two caught mails', async () => ((catcher?.list().length ?? 0) >= 2 ? true : undefined));

    const list = await fetch(`${server.url}/demo/mail`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await list.text();
    expect(page).toContain('Payment received: $1,287.50 to Northwind Supply Co.');
    expect(page).toContain('Smith &amp; &lt;b&gt;Sons&lt;/b&gt; card');
    expect(page).toContain(payer('card'));

    const forPayer = catcher?.list().find((m) => m.to === payer('card'));
    const message = await fetch(`${server.url}/demo/mail/${forPayer?.seq}`);
    const body = await message.text();
    expect(body).toContain(
      `<iframe class="mail-html" title="The HTML part of the message" sandbox src="/demo/mail/${forPayer?.seq}/html">`,
    );
    expect(body).toContain(payment.id);
    expect(body).toContain('Crate &lt;3&gt; was &quot;wet&quot; &amp; torn');

    const part = await fetch(`${server.url}/demo/mail/${forPayer?.seq}/html`);
    expect(part.headers.get('content-security-policy')).toMatch(/(^|; )sandbox(;|$)/);
    expect(await part.text()).toContain('Visa •4242');
    expect((await fetch(`${server.url}/demo/mail/9999`)).status).toBe(404);
  });

  it('is not there when mail goes to a real SMTP server', async () => {
    const other = await startMailingServer({ erp: ledger() });
    try {
      expect((await fetch(`${other.server.url}/demo/mail`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe('mail templates', () => {
  const payment = {
    id: 'pay_tpl',
    method: 'card',
    currency: 'USD',
    amount: 10_300,
    invoiceTotal: 10_000,
    creditTotal: 0,
    onAccountAmount: 0,
    subtotal: 10_000,
    surcharge: { status: 'applied', rateBps: 300, amount: 300 },
    lines: [
      {
        invoiceId: 'inv_1',
        invoiceNumber: 'INV-<1>',
        payableAmount: 12_000,
        amount: 10_000,
        creditApplied: 0,
        cashApplied: 10_000,
        shortAmount: 2_000,
        deductionAmount: 2_000,
        reasonCode: 'other',
        note: '<script>alert("x")</script>',
      },
    ],
    credits: [],
    paymentMethod: {
      type: 'card',
      brand: 'visa',
      last4: '4242',
      funding: 'credit',
      bankName: null,
      accountHolderType: null,
    },
    failure: { code: 'x', message: 'Bank said <no> & "never"', declineCode: null },
  } as unknown as Payment;
  const input = {
    kind: 'returned' as const,
    audience: 'ar' as const,
    merchantName: 'Fish & <Chips> "Ltd"',
    customer: { id: 'cus_x', name: '<img src=x onerror=alert(1)>' },
    payment,
    at: '2026-11-22T05:00:00.000Z',
    reasonLabels: new Map([['other', 'Other <reason>']]),
  };

  it('escapes names, notes, reasons and failure text in the HTML part and keeps them verbatim in the text part', () => {
    const receipt = buildReceipt(input);
    const htmlPart = renderHtml(receipt);
    const textPart = renderText(receipt);
    for (const raw of ['<script>', '<img src=x', '<Chips>', '<no>', 'INV-<1>', 'Other <reason>']) {
      expect(htmlPart).not.toContain(raw);
      expect(textPart).toContain(raw);
    }
    expect(htmlPart).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(htmlPart).toContain('Fish &amp; &lt;Chips&gt; &quot;Ltd&quot;');
    expect(htmlPart).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(htmlPart).toContain('Bank said &lt;no&gt; &amp; &quot;never&quot;');
    expect(textPart).toContain('Short-paid $20.00: Other <reason> (“<script>alert("x")</script>”)');
    expect(receipt.subject).toBe('Bank payment returned: $103.00 from <img src=x onerror=alert(1)> (pay_tpl)');
  });

  it('lines up amounts in the text part', () => {
    const text = renderText(buildReceipt({ ...input, kind: 'succeeded', audience: 'payer' }));
    const rows = text.split('\n').filter((l) => /\$\d/.test(l) && !l.startsWith(' ') && !l.startsWith('Thank'));
    expect(rows.map((r) => r.length)).toEqual(rows.map(() => rows[0]?.length));
    expect(text).toContain('Credit card surcharge (3%)');
    expect(text).toMatch(/Total paid\s+\$103\.00/);
  });

  it('escapes quotes in attributes, and nests safely', () => {
    const title = '"><script>';
    expect(html`<a title="${title}">${html`<b>${'<i>'}</b>`}</a>`.value).toBe(
      '<a title="&quot;&gt;&lt;script&gt;"><b>&lt;i&gt;</b></a>',
    );
  });

  it('mails ACH steps only: a card that fails or is reversed gets no mail', () => {
    expect(mailKindOf('payment.succeeded', 'card')).toBe('succeeded');
    expect(mailKindOf('payment.failed', 'card')).toBeNull();
    expect(mailKindOf('payment.processing', 'card')).toBeNull();
    expect(mailKindOf('payment.reversed', 'card')).toBeNull();
    expect(mailKindOf('payment.processing', 'ach_debit')).toBe('pending');
    expect(mailKindOf('payment.failed', 'ach_debit')).toBe('failed');
    expect(mailKindOf('payment.reversed', 'ach_debit')).toBe('returned');
    expect(mailKindOf('payment.posted_to_erp', 'ach_debit')).toBeNull();
  });
});

describe('mail configuration', () => {
  it('uses the demo catcher in test mode and sends nothing in live mode without SMTP_URL', () => {
    expect(loadMailConfig({}, 'test', 'Northwind Supply Co.')).toMatchObject({
      transport: 'catcher',
      arEmail: 'ar@northwind.example.com',
      catcherPort: 2525,
    });
    expect(loadMailConfig({}, 'live', 'Northwind Supply Co.')).toMatchObject({ transport: 'off', arEmail: null });
  });

  it('refuses a live SMTP_URL without a From address, and a URL that is not SMTP', () => {
    expect(() => loadMailConfig({ SMTP_URL: 'smtp://mail.example.com:587' }, 'live', 'N')).toThrow(/SETTLE_MAIL_FROM/);
    expect(() => loadMailConfig({ SMTP_URL: 'https://mail.example.com' }, 'test', 'N')).toThrow(/smtp:\/\//);
    expect(() => loadMailConfig({ SETTLE_MAIL_CATCHER_PORT: 'x' }, 'test', 'N')).toThrow(/SETTLE_MAIL_CATCHER_PORT/);
    expect(
      loadMailConfig({ SMTP_URL: 'smtps://u:p@mail.example.com', SETTLE_MAIL_FROM: 'A <a@b.example>' }, 'live', 'N'),
    ).toMatchObject({ transport: 'smtp', from: 'A <a@b.example>', arEmail: null });
  });
});

/**
 * A real SMTP server that answers the first RCPT TO it gets only after `stallMs`: a server that
 * hangs mid-send. It keeps what it accepted and when the stalled connection ended.
 */
class StallingSmtp {
  readonly accepted: string[] = [];
  stalledClosedAfterMs: number | null = null;
  #stalledSession: string | null = null;
  #stalledAt = 0;
  readonly #server: SMTPServer;

  constructor(stallMs: number) {
    this.#server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onRcptTo: (_address, session, callback) => {
        if (this.#stalledSession !== null) return callback();
        this.#stalledSession = session.id;
        this.#stalledAt = Date.now();
        setTimeout(() => callback(), stallMs);
      },
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.accepted.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
      onClose: (session) => {
        if (session.id === this.#stalledSession && this.stalledClosedAfterMs === null) {
          this.stalledClosedAfterMs = Date.now() - this.#stalledAt;
        }
      },
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) =>
      this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.server.address() as { port: number }).port)),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(STORES)('an SMTP server that stalls mid-send, on %s', (store) => {
  it('fails the send at its deadline (half the lease), before another worker takes the job, and mails once', async () => {
    const STALL_MS = 4_000;
    const outbox = { pollMs: 25, baseDelayMs: 50, maxDelayMs: 500, leaseMs: 2_000 };
    const smtp = new StallingSmtp(STALL_MS);
    const port = await smtp.listen();
    const server = await startTestServer({
      store,
      erp: ledger(),
      config: { mail: { ...smtpConfig(port), arEmail: null }, outbox },
    });
    // A second instance's worker on the same database: it takes over any job whose lease ran out.
    const other = new OutboxWorker(server.settle.deps.db, jobHandlers(server.settle.deps), {
      ...outbox,
      workerId: 'w_other_instance',
    });
    other.start();
    try {
      const payment = await pay(server, 'card', 'card', CARD);
      await waitFor('the receipt', async () => (smtp.accepted.length > 0 ? true : undefined));
      // The stalled send was abandoned at its 1 s deadline, not when the server answered.
      expect(smtp.stalledClosedAfterMs).not.toBeNull();
      expect(smtp.stalledClosedAfterMs).toBeLessThan(outbox.leaseMs);
      // Past the stalled answer: still exactly one copy.
      await sleep(STALL_MS + 500);
      expect(smtp.accepted.filter((raw) => raw.includes(payment.id))).toHaveLength(1);
      const job = await server.settle.deps.db
        .selectFrom('outbox')
        .select(['status', 'attempts'])
        .where('dedupe_key', '=', `mail:${payment.id}:succeeded:payer`)
        .executeTakeFirstOrThrow();
      expect(job).toEqual({ status: 'done', attempts: 1 });
    } finally {
      await other.stop();
      await server.close();
      await smtp.close();
    }
  }, 30_000);
});

describe.each(STORES)('a mail job on an instance where mail is off, on %s', (store) => {
  it('stays queued and logged, never done unsent, until an instance with mail sends it once', async () => {
    const { server, inbox, close } = await startMailingServer({
      store,
      erp: ledger(),
      worker: false,
      mail: { arEmail: null },
    });
    const db = server.settle.deps.db;
    const warnings: string[] = [];
    const mailOff = new OutboxWorker(
      db,
      jobHandlers({
        ...server.settle.deps,
        mail: null,
        log: { info() {}, warn: (m: string) => warnings.push(m), error() {} },
      }),
      { pollMs: 25, baseDelayMs: 20, maxDelayMs: 50, leaseMs: 5_000, workerId: 'w_mail_off' },
    );
    try {
      const payment = await pay(server, 'card', 'card', CARD);
      const { merchant_id } = await db
        .selectFrom('payments')
        .select('merchant_id')
        .where('id', '=', payment.id)
        .executeTakeFirstOrThrow();
      const dedupeKey = `mail:${payment.id}:succeeded:payer`;
      const payload: MailJobPayload = {
        paymentId: payment.id,
        merchantId: merchant_id,
        customerId: 'cus_card',
        kind: 'succeeded',
        audience: 'payer',
        eventId: 'evt_mail_off_test',
        at: new Date().toISOString(),
      };
      await enqueue(db, { kind: MAIL_JOB, dedupeKey, payload });

      mailOff.start();
      const tried = await waitFor('the mail-off instance to try the job a few times', async () => {
        const job = await db
          .selectFrom('outbox')
          .select(['status', 'attempts', 'last_error'])
          .where('dedupe_key', '=', dedupeKey)
          .executeTakeFirstOrThrow();
        return job.attempts >= 3 || job.status !== 'pending' ? job : undefined;
      });
      await mailOff.stop();
      expect(tried.status).toBe('pending');
      expect(tried.last_error).toMatch(/mail is off on this instance \(set SMTP_URL\)/);
      expect(warnings.some((w) => w.includes(payment.id) && /mail is off/.test(w))).toBe(true);
      expect(inbox.messages).toHaveLength(0);

      server.settle.worker.start();
      const mails = await mailOf(server, inbox, payment.id, 1);
      one(mails, payer('card'), 'Payment received');
      const done = await db
        .selectFrom('outbox')
        .select('status')
        .where('dedupe_key', '=', dedupeKey)
        .executeTakeFirstOrThrow();
      expect(done.status).toBe('done');
    } finally {
      await mailOff.stop();
      await close();
    }
  });
});
