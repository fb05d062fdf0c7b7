// The CI run: a fixed seed, a few thousand inputs per parser target and a few hundred calls per
// wire target. Any finding not listed in known-findings.ts fails the test with the full report
// (including the command that replays each input); so does a listed one that no longer shows.
import { expect, it } from 'vitest';
import { KNOWN_FINDINGS, knownFinding } from './known-findings.js';
import { formatReport } from './report.js';
import { runFuzz } from './run.js';
import { TARGETS } from './targets/index.js';

const SEED = 20261125;
const PARSER_INPUTS = 3000;
const WIRE_INPUTS = 300;

it('finds nothing new in a short seeded run over every target', async () => {
  const counts = Object.fromEntries(TARGETS.map((t) => [t.name, t.wire ? WIRE_INPUTS : PARSER_INPUTS]));
  const total = Object.values(counts).reduce((s, n) => s + n, 0);
  const report = await runFuzz({ inputs: total, seed: SEED, counts });
  const text = formatReport(report);
  expect(report.inputs).toBe(total);
  expect(report.findings.filter((g) => !knownFinding(g)), text).toEqual([]);
  const stillOpen = KNOWN_FINDINGS.filter((k) => k.ci && report.findings.some((g) => knownFinding(g) === k));
  expect(stillOpen, `fixed? delete it from known-findings.ts\n${text}`).toEqual(KNOWN_FINDINGS.filter((k) => k.ci));
}, 300_000);
