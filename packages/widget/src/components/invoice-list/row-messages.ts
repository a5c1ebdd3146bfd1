import type { LineDraft } from './lines-change.js';

export type LineField = 'amount' | 'reasonCode' | 'note';

/** What to tell the payer on one invoice's line: a message per field, and any about the whole line. */
export interface RowMessages {
  amount?: string;
  reasonCode?: string;
  note?: string;
  row: string[];
}

const FIELDS: readonly string[] = ['amount', 'reasonCode', 'note'];
const PREFIX = 'allocations.';

/**
 * Gathers the messages per invoice: the listener's `issues` (keyed
 * `allocations.<invoiceId>.<field>`; other fields such as `invoiceId` apply to the whole line)
 * and the element's own checks of each selected line, which win over an issue on the same field
 * because they follow the keyboard while the listener's follow its last quote.
 */
export function rowMessages(
  issues: Record<string, string>,
  lines: ReadonlyMap<string, LineDraft>,
  known: (id: string) => boolean,
  local: (id: string, line: LineDraft) => Partial<Record<LineField, string>>,
): Map<string, RowMessages> {
  const out = new Map<string, RowMessages>();
  const entry = (id: string) => {
    const found = out.get(id) ?? { row: [] };
    out.set(id, found);
    return found;
  };
  for (const [path, message] of Object.entries(issues)) {
    if (!path.startsWith(PREFIX) || !message) continue;
    const rest = path.slice(PREFIX.length);
    const dot = rest.lastIndexOf('.');
    const field = dot === -1 ? '' : rest.slice(dot + 1);
    const id = known(rest) ? rest : rest.slice(0, dot);
    if (!known(id)) continue;
    if (id !== rest && FIELDS.includes(field)) entry(id)[field as LineField] = message;
    else entry(id).row.push(message);
  }
  for (const [id, line] of lines) {
    const mine = local(id, line);
    for (const field of FIELDS as LineField[]) {
      if (mine[field]) entry(id)[field] = mine[field];
    }
  }
  return out;
}
