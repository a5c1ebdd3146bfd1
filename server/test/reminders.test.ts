/**
 * Past-due reminders (docs/pay-links.md, docs/emails.md) over real HTTP, on PGlite and PostgreSQL,
 * mailed through a real SMTP server on loopback: the mail lists exactly the past-due invoices and
 * carries a pay link that opens a session with exactly those selected; a replayed request sends
 * nothing new; bad requests name their field; a mail queued while the SMTP server is down
 * arrives once when it comes up.
 */
import { type Problem, type Reminder, ReminderListSchema, ReminderSchema, SessionViewSchema } from '@settle/schema';
import type { ParsedMail } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryErp } from '../src/erp/memory.js';
import type { ErpInvoice } from '../src/erp/port.js';
import { REMINDER_MAIL_JOB } from '../src/mail/reminder-mail.js';
import { call, STORES, type TestServer, waitFor } from './harness.js';
import { AR, htmlOf, type Inbox, outboxSettled, recipient, settledMails, startMailingServer } from './smtp-inbox.js';

const MERCHANT = 'Northwind Supply Co.';
const DAY_MS = 24 * 60 * 60 * 1000;
/** A due date `offset` days from today (UTC), as the ERP writes it. */
const day = (offset: number) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);
const email = (id: string) => `${id}@customer.example.com`;

function invoice(id: string, customerId: string, number: string, due: number, openAmount: number, currency = 'USD') {
  return {
    id,
    customerId,
    number,
    issueDate: day(due - 30),
    dueDate: day(due),
    currency,
    amount: openAmount + 5_000,
    openAmount,
    documentUrl: null,
    poNumber: null,
  } satisfies ErpInvoice;
}

/**
 * cus_late owes two past-due invoices ($1,234.56 40 days over, $99.01 5 days over) and two that
 * are not past due (one due today, one next week): a reminder must list the first two only.
 */
function ledger(): MemoryErp {
  const customer = (id: string, mail: string | null = email(id)) => ({
    id,
    name: id === 'cus_late' ? "O'Brien & <i>Co</i>" : `Customer ${id}`,
    email: mail,
    currency: 'USD',
    region: 'US-CT',
  });
  return new MemoryErp({
    customers: [
      customer('cus_late'),
      customer('cus_pick'),
      customer('cus_current'),
      customer('cus_mixed'),
      customer('cus_down'),
      customer('cus_noemail', null),
    ],
    invoices: [
      invoice('inv_late_old', 'cus_late', 'INV-L-1', -40, 123_456),
      invoice('inv_late_recent', 'cus_late', 'INV-L-2', -5, 9_901),
      invoice('inv_late_today', 'cus_late', 'INV-L-3', 0, 30_000),
      invoice('inv_late_future', 'cus_late', 'INV-L-4', 7, 50_000),
      invoice('inv_pick_a', 'cus_pick', 'INV-P-1', -20, 1_010),
      invoice('inv_pick_b', 'cus_pick', 'INV-P-2', -3, 2_020),
      invoice('inv_pick_c', 'cus_pick', 'INV-P-3', 3, 4_040),
      invoice('inv_current', 'cus_current', 'INV-C-1', 30, 10_000),
      invoice('inv_mixed_usd', 'cus_mixed', 'INV-M-1', -10, 10_000),
      invoice('inv_mixed_eur', 'cus_mixed', 'INV-M-2', -10, 10_000, 'EUR'),
      invoice('inv_down', 'cus_down', 'INV-D-1', -1, 77_777),
      invoice('inv_noemail', 'cus_noemail', 'INV-N-1', -10, 10_000),
    ],
    credits: [],
  });
}

const remind = (server: TestServer, customerId: string, body: unknown, key?: string) =>
  call<Reminder | Problem>(
    server,
    'POST',
    `/v1/customers/${customerId}/reminders`,
    server.secretKey,
    body,
    key === undefined ? {} : { 'idempotency-key': key },
  );

async function sent(server: TestServer, customerId: string, body: unknown, key: string): Promise<Reminder> {
  const reply = await remind(server, customerId, body, key);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return ReminderSchema.parse(reply.body);
}

const mailsOf = (inbox: Inbox, reminderId: string) =>
  inbox.messages.filter((m) => m.headers.get('x-settle-reminder') === reminderId);

/** Waits for the reminder's mail, lets the outbox finish, and checks that exactly one came. */
async function theMail(server: TestServer, inbox: Inbox, reminderId: string): Promise<ParsedMail> {
  const [mail] = await settledMails(server, inbox, {
    what: `the mail of ${reminderId}`,
    pick: (m) => m.headers.get('x-settle-reminder') === reminderId,
    count: 1,
    kinds: [REMINDER_MAIL_JOB],
  });
  return mail as ParsedMail;
}

const remindersSettled = (server: TestServer) =>
  outboxSettled(server, [REMINDER_MAIL_JOB], 'the reminder mails to settle');

/** Opens a mailed link as a browser would and returns the invoices its session preselects. */
async function preselectedBy(server: TestServer, url: string): Promise<string[]> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const location = res.headers.get('location') ?? '';
  expect(location.startsWith(`${server.url}/pay#token=`)).toBe(true);
  const token = decodeURIComponent(location.slice(location.indexOf('#token=') + 7));
  const view = await call(server, 'GET', '/v1/session', token);
  expect(view.status, JSON.stringify(view.body)).toBe(200);
  return SessionViewSchema.parse(view.body).preselectedInvoiceIds;
}

const issues = (reply: { body: unknown }) => (reply.body as Problem).details?.map((d) => [d.path, d.code]) ?? [];

describe.each(STORES)('past-due reminders on %s', (store) => {
  let inbox: Inbox;
  let server: TestServer;

  beforeAll(async () => {
    const started = await startMailingServer({ store, erp: ledger() });
    ({ server, inbox } = started);
    return started.close;
  });

  it('mails the past-due invoices once, with a link that opens a session with exactly those selected', async () => {
    const message = 'Hi <b>Pat</b> & team,\nplease settle these by Friday.';
    const reminder = await sent(server, 'cus_late', { message, expiresInDays: 10 }, 'rem-late-1');
    expect(reminder).toMatchObject({
      customerId: 'cus_late',
      invoiceIds: ['inv_late_old', 'inv_late_recent'],
      status: 'queued',
    });
    expect(reminder.id).toMatch(/^rem_/);
    const days = (Date.parse(reminder.payLink.expiresAt) - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(9.99);
    expect(days).toBeLessThanOrEqual(10);

    const mail = await theMail(server, inbox, reminder.id);
    expect(mail.subject).toBe(`Past-due invoices from ${MERCHANT}: $1,333.57`);
    expect(recipient(mail)).toBe(email('cus_late'));
    expect(mail.replyTo?.text).toBe(AR);
    expect(mail.messageId).toBe(`<${reminder.id}.reminder@northwind.example.com>`);
    const text = mail.text ?? '';
    const html = htmlOf(mail);
    for (const part of [text, html]) {
      expect(part).toContain('INV-L-1');
      expect(part).toContain('$1,234.56');
      expect(part).toContain('40 days overdue');
      expect(part).toContain('INV-L-2');
      expect(part).toContain('$99.01');
      expect(part).toContain('5 days overdue');
      expect(part).toContain('$1,333.57');
      expect(part).toContain('Pay now');
      // Not past due: due today, and due next week.
      expect(part).not.toContain('INV-L-3');
      expect(part).not.toContain('$300.00');
      expect(part).not.toContain('INV-L-4');
      expect(part).not.toContain('$500.00');
    }
    // The collector's words, as text in both parts.
    expect(text).toContain('> Hi <b>Pat</b> & team,\n> please settle these by Friday.');
    expect(html).toContain('Hi &lt;b&gt;Pat&lt;/b&gt; &amp; team,\nplease settle these by Friday.');
    expect(html).toContain('O&#39;Brien &amp; &lt;i&gt;Co&lt;/i&gt; (cus_late)');
    expect(html).not.toContain('<b>Pat</b>');
    expect(html).not.toContain('<i>Co</i>');

    // The link in the mail is the one the API returned, in both parts, and it pins exactly these invoices.
    const url = /Pay now: (\S+)/.exec(text)?.[1];
    expect(url).toBe(reminder.payLink.url);
    expect(html).toContain(`href="${reminder.payLink.url}"`);
    expect(await preselectedBy(server, url as string)).toEqual(['inv_late_old', 'inv_late_recent']);

    const listed = ReminderListSchema.parse(
      (await call(server, 'GET', '/v1/customers/cus_late/reminders', server.secretKey)).body,
    );
    expect(listed.data[0]).toEqual({ ...reminder, status: 'sent' });
  });

  it('answers a replay with the same reminder and sends no second mail; another body is refused', async () => {
    const body = { invoiceIds: ['inv_pick_b'] };
    const first = await sent(server, 'cus_pick', body, 'rem-pick-1');
    expect(first.invoiceIds).toEqual(['inv_pick_b']);
    const mail = await theMail(server, inbox, first.id);
    // Only the invoice asked for, though INV-P-1 is past due too.
    expect(mail.text).toContain('INV-P-2');
    expect(mail.text).toContain('$20.20');
    expect(mail.text).not.toContain('INV-P-1');
    expect(htmlOf(mail)).not.toContain('INV-P-1');
    expect(await preselectedBy(server, first.payLink.url)).toEqual(['inv_pick_b']);

    const again = await sent(server, 'cus_pick', body, 'rem-pick-1');
    expect(again).toEqual({ ...first, status: 'sent' });
    const other = await remind(server, 'cus_pick', { invoiceIds: ['inv_pick_a'] }, 'rem-pick-1');
    expect(other.status).toBe(422);
    expect(issues(other)).toEqual([['Idempotency-Key', 'idempotency_key_reused']]);
    await remindersSettled(server);
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.messages.filter((m) => m.text?.includes('INV-P-'))).toHaveLength(1);

    // A new key is a new reminder, and a new mail.
    const second = await sent(server, 'cus_pick', body, 'rem-pick-2');
    expect(second.id).not.toBe(first.id);
    await theMail(server, inbox, second.id);
    const listed = ReminderListSchema.parse(
      (await call(server, 'GET', '/v1/customers/cus_pick/reminders', server.secretKey)).body,
    );
    expect(listed.data.map((r) => r.id)).toEqual([second.id, first.id]);
  });

  it('refuses bad requests with a 4xx naming the field, and sends nothing', async () => {
    const before = inbox.messages.length;
    const missingKey = await remind(server, 'cus_late', {});
    expect(missingKey.status).toBe(400);
    expect(issues(missingKey)).toEqual([['Idempotency-Key', 'idempotency_key_required']]);

    const ghost = await remind(server, 'cus_ghost', {}, 'rem-bad-1');
    expect(ghost.status).toBe(404);
    expect((ghost.body as Problem).message).toContain('cus_ghost');

    const noEmail = await remind(server, 'cus_noemail', {}, 'rem-bad-2');
    expect(noEmail.status).toBe(422);
    expect(issues(noEmail)).toEqual([['customerId', 'no_email']]);
    expect(JSON.stringify(noEmail.body)).toContain('cus_noemail');

    const nothing = await remind(server, 'cus_current', {}, 'rem-bad-3');
    expect(nothing.status).toBe(422);
    expect(issues(nothing)).toEqual([['invoiceIds', 'nothing_past_due']]);
    expect(JSON.stringify(nothing.body)).toContain('no past-due invoices');

    const notDue = await remind(server, 'cus_pick', { invoiceIds: ['inv_pick_a', 'inv_pick_c'] }, 'rem-bad-4');
    expect(notDue.status).toBe(422);
    expect(issues(notDue)).toEqual([['invoiceIds.1', 'not_past_due']]);

    const unknown = await remind(server, 'cus_pick', { invoiceIds: ['inv_late_old'] }, 'rem-bad-5');
    expect(unknown.status).toBe(422);
    expect(issues(unknown)).toEqual([['invoiceIds.0', 'invoice_not_found']]);

    const mixed = await remind(server, 'cus_mixed', {}, 'rem-bad-6');
    expect(mixed.status).toBe(422);
    expect(issues(mixed)).toEqual([['invoiceIds', 'currency_mismatch']]);

    const long = await remind(server, 'cus_late', { message: 'x'.repeat(1001) }, 'rem-bad-7');
    expect(long.status).toBe(422);
    expect(issues(long).map(([path]) => path)).toEqual(['message']);

    const days = await remind(server, 'cus_late', { expiresInDays: 0 }, 'rem-bad-8');
    expect(days.status).toBe(422);
    expect(issues(days).map(([path]) => path)).toEqual(['expiresInDays']);

    const extra = await remind(server, 'cus_late', { invoiceIds: [] }, 'rem-bad-9');
    expect(extra.status).toBe(422);
    expect(issues(extra).map(([path]) => path)).toEqual(['invoiceIds']);

    // None of them made a reminder or a mail.
    const rows = await server.settle.deps.db
      .selectFrom('reminders')
      .select('id')
      .where('idempotency_key', 'like', 'rem-bad-%')
      .execute();
    expect(rows).toEqual([]);
    await remindersSettled(server);
    expect(inbox.messages.length).toBe(before);
  });
});

describe.each(STORES)('a past-due reminder whose link is withdrawn before it is mailed, on %s', (store) => {
  it('is skipped: no mail goes out with a withdrawn link', async () => {
    // No worker yet: the reminder's mail waits in the outbox while the merchant withdraws the link.
    const { server, inbox, close } = await startMailingServer({ store, erp: ledger(), worker: false });
    try {
      const reminder = await sent(server, 'cus_late', {}, 'rem-withdrawn-1');
      const revoked = await call(server, 'POST', `/v1/pay-links/${reminder.payLink.id}/revoke`, server.secretKey, {});
      expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
      server.settle.worker.start();
      await remindersSettled(server);
      const listed = ReminderListSchema.parse(
        (await call(server, 'GET', '/v1/customers/cus_late/reminders', server.secretKey)).body,
      );
      expect(listed.data.find((r) => r.id === reminder.id)?.status).toBe('skipped');
      await new Promise((r) => setTimeout(r, 200));
      expect(mailsOf(inbox, reminder.id)).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe.each(STORES)('a past-due reminder while the SMTP server is down, on %s', (store) => {
  it('is mailed exactly once after the SMTP server comes up', async () => {
    const { server, inbox, port, close } = await startMailingServer({ store, erp: ledger(), smtpDown: true });
    try {
      const reminder = await sent(server, 'cus_down', {}, 'rem-down-1');
      expect(reminder.invoiceIds).toEqual(['inv_down']);
      const job = () =>
        server.settle.deps.db
          .selectFrom('outbox')
          .select(['status', 'attempts', 'last_error'])
          .where('dedupe_key', '=', `${REMINDER_MAIL_JOB}:${reminder.id}`)
          .executeTakeFirstOrThrow();
      await waitFor('the mail job to fail a few times', async () => {
        const j = await job();
        return j.attempts >= 3 && j.status === 'pending' ? j : undefined;
      });
      expect((await job()).last_error).toMatch(/ECONNREFUSED/);
      // Replaying while it waits queues nothing more.
      expect((await sent(server, 'cus_down', {}, 'rem-down-1')).id).toBe(reminder.id);

      await inbox.listen(port);
      const mail = await theMail(server, inbox, reminder.id);
      expect(mail.text).toContain('$777.77');
      expect(inbox.messages).toHaveLength(1);
      expect((await job()).status).toBe('done');
      const listed = ReminderListSchema.parse(
        (await call(server, 'GET', '/v1/customers/cus_down/reminders', server.secretKey)).body,
      );
      expect(listed.data.map((r) => [r.id, r.status])).toEqual([[reminder.id, 'sent']]);
    } finally {
      await close();
    }
  });
});
