/** The statement's aging buckets, by days past due at the statement date; `current` is not yet due. */
export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** How each bucket is headed on the statement. */
export const AGING_LABELS: Record<AgingBucket, string> = {
  current: 'Current',
  '1-30': '1–30 days',
  '31-60': '31–60 days',
  '61-90': '61–90 days',
  '90+': 'Over 90 days',
};

const DAY_MS = 86_400_000;

/** Whole days from `dueDate` to `statementDate` (both YYYY-MM-DD, calendar days): negative while not yet due. */
export function daysPastDue(dueDate: string, statementDate: string): number {
  return Math.round((Date.parse(`${statementDate}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / DAY_MS);
}

/** The bucket of an item `days` past due: due today or later is current, a day late is 1–30. */
export function agingBucket(days: number): AgingBucket {
  if (days <= 0) return 'current';
  if (days <= 30) return '1-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  return '90+';
}
