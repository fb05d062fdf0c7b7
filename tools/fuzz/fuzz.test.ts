// The CI run: a fixed seed, a few thousand inputs per parser target and a few hundred calls per
// wire target, all expected to find nothing. A finding fails the test with the full report,
// including the command that replays each input.
import { expect, it } from 'vitest';
import { formatReport } from './report.js';
import { runFuzz } from './run.js';
import { TARGETS } from './targets/index.js';

const SEED = 20261125;
const PARSER_INPUTS = 3000;
const WIRE_INPUTS = 300;

it('finds nothing in a short seeded run over every target', async () => {
  const counts = Object.fromEntries(TARGETS.map((t) => [t.name, t.wire ? WIRE_INPUTS : PARSER_INPUTS]));
  const total = Object.values(counts).reduce((s, n) => s + n, 0);
  const report = await runFuzz({ inputs: total, seed: SEED, counts });
  expect(report.inputs).toBe(total);
  expect(report.findings, formatReport(report)).toEqual([]);
}, 300_000);
