#!/usr/bin/env node
// Lists the failed tests of the last `npm test` from the JSON reports vitest wrote to .test-results/
// (see vitest.shared.ts): the projects' outputs interleave, so a failure is easy to miss in the log.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, '.test-results');
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {
  console.error(`no test reports in ${dir}: the tests did not run (a build or typecheck failed first?)`);
  process.exit(0);
}

const failed = [];
for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (err) {
    failed.push(`${file}: unreadable report (${err.message})`);
    continue;
  }
  for (const suite of report.testResults ?? []) {
    const where = relative(root, suite.name);
    const tests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of tests) failed.push(`${where} > ${t.fullName}${took(t.duration)}\n    ${firstLine(t.failureMessages?.[0])}`);
    if (suite.status === 'failed' && tests.length === 0) failed.push(`${where}\n    ${firstLine(suite.message)}`);
  }
}

const projects = files.map((f) => f.replace(/\.json$/, '')).join(', ');
if (failed.length === 0) console.error(`test reports (${projects}): no failed test`);
else console.error(`failed tests (${failed.length}, from the reports of ${projects}):\n${failed.map((f) => `  ${f}`).join('\n')}`);

function took(ms) {
  return typeof ms === 'number' ? ` (${Math.round(ms)} ms)` : '';
}

function firstLine(text) {
  // A test or hook that timed out reaches the JSON report as its stack alone, which vitest
  // captured under the placeholder message STACK_TRACE_ERROR when the test was declared.
  text = String(text ?? 'no message').replace(/^Error: STACK_TRACE_ERROR/, 'timed out (testTimeout / hookTimeout in vitest.shared.ts)');
  // eslint-disable-next-line no-control-regex
  const lines = text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((line) => !/^\s+at .*node_modules/.test(line));
  return lines.slice(0, 3).join(' | ').slice(0, 400);
}
