#!/usr/bin/env node
// Last step of `pnpm test`: reads vitest's JSON report (.vitest-results.json, see vitest.config.ts) and prints
//   Tests: N passed, M failed[, K skipped]
// Exits 1 when the report is missing or unreadable, when anything failed, or when nothing passed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const reportPath = fileURLToPath(new URL('../.vitest-results.json', import.meta.url));

function fail(message) {
  console.error(message);
  console.log('Tests: 0 passed, 0 failed');
  process.exit(1);
}

let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  fail(
    error.code === 'ENOENT'
      ? `test-summary: ${reportPath} is missing; did \`vitest run\` run?`
      : `test-summary: cannot read ${reportPath}: ${error.message}`,
  );
}

const count = (key) => (Number.isInteger(report[key]) ? report[key] : 0);
const passed = count('numPassedTests');
const skipped = count('numPendingTests') + count('numTodoTests');
let failed = count('numFailedTests');

// A test file that fails outside any test (import error, failing beforeAll, ...) has no failed test of its own;
// count each such file as one failure so that it cannot pass unnoticed.
for (const file of Array.isArray(report.testResults) ? report.testResults : []) {
  const assertions = Array.isArray(file.assertionResults) ? file.assertionResults : [];
  if (file.status === 'failed' && !assertions.some((a) => a.status === 'failed')) {
    failed += 1;
    console.error(`test-summary: ${file.name} failed: ${String(file.message ?? '').split('\n')[0]}`);
  }
}
if (failed === 0 && report.success === false) {
  console.error('test-summary: vitest reported the run as unsuccessful');
  failed = 1;
}

if (passed === 0) console.error('test-summary: no test passed');
console.log(`Tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
