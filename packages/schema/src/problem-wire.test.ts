import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProblemSchema } from './problem.js';
import { readProblem } from './problem-wire.js';

/** What the validating client makes of an error body: ProblemSchema's output, or nothing. */
const byZod = (value: unknown) => {
  const parsed = ProblemSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
};

// Values near the Problem shape, where the two readers could disagree: mostly the right types,
// sometimes wrong ones, missing keys, details that are partly issues, extra keys everywhere.
const str = fc.string({ maxLength: 4 });
const text = fc.oneof({ arbitrary: str, weight: 8 }, fc.integer(), fc.constant(null), fc.boolean());
const issue = fc.oneof(
  { arbitrary: fc.record({ path: str, code: str, message: str, extra: fc.jsonValue() }), weight: 8 },
  fc.record({ path: text, code: text, message: text }, { requiredKeys: [] }),
  fc.jsonValue(),
);
const details = fc.oneof({ arbitrary: fc.array(issue, { maxLength: 3 }), weight: 4 }, fc.jsonValue());
const problem = fc.oneof(
  {
    arbitrary: fc.record(
      { code: text, message: text, details, extra: fc.jsonValue() },
      { requiredKeys: ['code', 'message'] },
    ),
    weight: 4,
  },
  fc.record({ code: text, message: text, details }, { requiredKeys: [] }),
  fc.jsonValue(),
);

describe('readProblem', () => {
  it('reads every JSON error body exactly as ProblemSchema does', () => {
    fc.assert(
      fc.property(problem, (value) => {
        // Through JSON, as an answer arrives: no undefined, no prototypes.
        const wire = JSON.parse(JSON.stringify(value) ?? 'null');
        expect(readProblem(wire)).toStrictEqual(byZod(wire));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps code, message and each detail, and drops keys the wire shape does not name', () => {
    const body = {
      code: 'validation_failed',
      message: 'Bad',
      details: [{ path: 'allocations.0.amount', code: 'too_big', message: 'Too much', hint: 'x' }],
      trace: 'abc',
    };
    expect(readProblem(body)).toStrictEqual({
      code: 'validation_failed',
      message: 'Bad',
      details: [{ path: 'allocations.0.amount', code: 'too_big', message: 'Too much' }],
    });
    expect(readProblem({ code: 'x', message: 'y', details: [{ path: 'a' }] })).toBeNull();
    expect(readProblem(['validation_failed'])).toBeNull();
  });
});
