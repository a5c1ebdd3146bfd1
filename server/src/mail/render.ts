import { html, type SafeHtml } from './html.js';
import type { Receipt } from './receipt.js';

/** The plain-text part: columns a fixed-width mail client lines up, and that reads well in any other. */
export function renderText(r: Receipt): string {
  const rows = [
    ...r.lines.map((l) => [l.label, l.amount] as const),
    ...r.totals.map((t) => [t.label, t.amount] as const),
  ];
  const width = Math.max(...rows.map(([label, amount]) => label.length + amount.length + 2), 40);
  const row = (label: string, amount: string) => `${label}${' '.repeat(width - label.length - amount.length)}${amount}`;
  const out = [r.brand, '', r.heading, '='.repeat(r.heading.length), '', r.intro, ''];
  if (r.note) out.push(`${r.note.from} writes:`, ...r.note.text.split(/\r?\n/).map((l) => `> ${l}`), '');
  for (const line of r.lines) {
    out.push(row(line.label, line.amount));
    if (line.detail) out.push(`  ${line.detail}`);
  }
  out.push('-'.repeat(width));
  for (const t of r.totals) out.push(row(t.label, t.amount));
  out.push('');
  if (r.action) out.push(`${r.action.label}: ${r.action.url}`, r.action.detail, '');
  const labelWidth = Math.max(...r.facts.map((f) => f.label.length)) + 1;
  for (const f of r.facts) out.push(`${`${f.label}:`.padEnd(labelWidth)} ${f.value}`);
  out.push('', r.footer, '');
  return out.join('\n');
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const CELL = 'padding:8px 0;border-bottom:1px solid #e5e7eb;vertical-align:top';

/**
 * The HTML part: one centred table with inline styles, the layout mail clients (Outlook's Word
 * engine included) render alike. Every value is escaped by `html`.
 */
export function renderHtml(r: Receipt): string {
  const lines: SafeHtml[] = r.lines.map(
    (l) => html`<tr>
  <td style="${CELL}">${l.label}${l.detail ? html`<br><span style="color:#6b7280;font-size:13px">${l.detail}</span>` : ''}</td>
  <td style="${CELL};text-align:right;white-space:nowrap">${l.amount}</td>
</tr>`,
  );
  const totals = r.totals.map(
    (t) => html`<tr>
  <td style="padding:6px 0;${t.strong ? 'font-weight:bold;font-size:16px' : 'color:#374151'}">${t.label}</td>
  <td style="padding:6px 0;text-align:right;white-space:nowrap;${t.strong ? 'font-weight:bold;font-size:16px' : 'color:#374151'}">${t.amount}</td>
</tr>`,
  );
  const facts = r.facts.map(
    (f) => html`<tr>
  <td style="padding:3px 12px 3px 0;color:#6b7280;white-space:nowrap;vertical-align:top">${f.label}</td>
  <td style="padding:3px 0">${f.value}</td>
</tr>`,
  );
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${r.subject}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;${FONT}">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;color:#111827;font-size:14px;line-height:1.5">
<tr><td style="padding:24px 24px 8px">
  <p style="margin:0 0 4px;color:#6b7280;font-size:13px;font-weight:bold">${r.brand}</p>
  <h1 style="margin:0 0 12px;font-size:20px">${r.heading}</h1>
  <p style="margin:0">${r.intro}</p>
${
  r.note
    ? html`  <p style="margin:12px 0 4px;color:#6b7280;font-size:13px">${r.note.from} writes:</p>
  <blockquote style="margin:0;padding:8px 12px;border-left:3px solid #d1d5db;background:#f9fafb;white-space:pre-wrap">${r.note.text}</blockquote>`
    : ''
}
</td></tr>
<tr><td style="padding:8px 24px">
  <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse">
${lines}
${totals}
  </table>
</td></tr>
${
  r.action
    ? html`<tr><td style="padding:16px 24px 8px">
  <a href="${r.action.url}" style="display:inline-block;padding:12px 24px;background:#1d4ed8;color:#ffffff;border-radius:6px;font-weight:bold;font-size:16px;text-decoration:none">${r.action.label}</a>
  <p style="margin:8px 0 0;color:#6b7280;font-size:13px">${r.action.detail}</p>
</td></tr>`
    : ''
}
<tr><td style="padding:8px 24px">
  <table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse">
${facts}
  </table>
</td></tr>
<tr><td style="padding:16px 24px 24px;color:#6b7280;font-size:12px">${r.footer}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`.value;
}
