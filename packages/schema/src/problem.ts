import * as z from 'zod/mini';

export { ErrorCode, formatPath, readProblem } from './problem-wire.js';

/** One bad field: `path` is dotted, e.g. "allocations.0.amount". */
export const FieldIssueSchema = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof FieldIssueSchema>;

/** The one wire shape of every error Settle returns. */
export const ProblemSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.optional(z.array(FieldIssueSchema)),
});
export type Problem = z.infer<typeof ProblemSchema>;
