// The harness itself: every kind of finding is caught at the input that causes it, the run goes
// on after a crash or a hang, and inputs are rebuilt identically from (seed, target, index).
import { describe, expect, it } from 'vitest';
import { runLoop } from './loop.js';
import { createRng } from './rng.js';
import { runFuzz } from './run.js';
import { TARGETS as REAL_TARGETS } from './targets/index.js';
import { TARGETS } from './testing/fixture-targets.js';
import type { Finding } from './types.js';

const registry = { module: new URL('./testing/fixture-targets.ts', import.meta.url).href, targets: TARGETS };

async function loop(name: string, to = 10, slowMs = 200, hangMs = 500): Promise<Finding[]> {
  const run = await TARGETS.find((t) => t.name === name)!.start();
  const findings: Finding[] = [];
  await runLoop(run, { target: name, seed: 1, from: 0, to, slowMs, hangMs, livenessEvery: 5, onFinding: (f) => findings.push(f) });
  return findings;
}

describe('runLoop', () => {
  it('reports an error of a foreign class, not the package’s own', async () => {
    const findings = await loop('foreign');
    expect(findings.map((f) => [f.kind, f.index, f.summary])).toEqual([['foreign-error', 3, 'RangeError: not ours']]);
  });

  it('reports what an oracle returns, and an own error with a huge message', async () => {
    expect((await loop('oracle')).map((f) => [f.kind, f.index, f.detail])).toEqual([['accepted-invalid', 4, 'x']]);
    expect((await loop('huge-message')).map((f) => [f.kind, f.index])).toEqual([['oversized-error', 1]]);
  });

  it('reports a call over the limit only when a second run is slow too', async () => {
    const findings = await loop('slow');
    expect(findings.map((f) => [f.kind, f.index])).toEqual([['slow', 5]]);
    expect(findings[0]!.ms).toBeGreaterThanOrEqual(200);
  });

  it('confirms a slow call of a target with several lanes once the lanes are done', async () => {
    expect((await loop('slow-lanes')).map((f) => [f.kind, f.index])).toEqual([['slow', 5]]);
  });

  it('reports an async call that never settles as a hang and goes on', async () => {
    const findings = await loop('async-hang');
    expect(findings.map((f) => [f.kind, f.index])).toEqual([['hang', 2]]);
  });

  it('reports a failed liveness probe', async () => {
    const findings = await loop('dead-server', 10);
    expect(findings.filter((f) => f.kind === 'server-dead').map((f) => f.index)).toEqual([4, 9, 9]);
  });
});

describe('runFuzz (worker threads)', () => {
  it('catches a synchronous hang and an uncaught exception, then runs the remaining inputs', async () => {
    const report = await runFuzz({ inputs: 20, seed: 7, registry, counts: { 'sync-hang': 10, crash: 10 }, targets: ['sync-hang', 'crash'], hangMs: 500 });
    const found = report.findings.map((g) => [g.target, g.kind, g.examples.map((e) => e.index)]);
    expect(found).toContainEqual(['sync-hang', 'hang', [4]]);
    expect(found).toContainEqual(['crash', 'crash', [6]]);
    // The input that broke the worker is not counted; every other one ran.
    expect(report.targets.find((t) => t.target === 'sync-hang')!.inputs).toBe(9);
    expect(report.targets.find((t) => t.target === 'crash')!.inputs).toBe(9);
  }, 60_000);

  it('reports a target that cannot start once, without retrying input by input', async () => {
    const report = await runFuzz({ inputs: 50, seed: 7, registry, targets: ['no-start'] });
    expect(report.findings.map((g) => [g.kind, g.count, g.summary])).toEqual([['crash', 1, 'target failed to start: worker died: Error: listen EADDRINUSE']]);
    expect(report.inputs).toBe(0);
  }, 60_000);

  it('groups alike findings and counts every input', async () => {
    const report = await runFuzz({ inputs: 30, seed: 7, registry, targets: ['foreign', 'oracle', 'slow'], slowMs: 200 });
    expect(report.inputs).toBe(30);
    expect(report.findings.map((g) => [g.target, g.kind, g.count]).sort()).toEqual([
      ['foreign', 'foreign-error', 1],
      ['oracle', 'accepted-invalid', 1],
      ['slow', 'slow', 1],
    ]);
  }, 60_000);
});

describe('inputs are reproducible', () => {
  it('rebuilds the same input from seed, target and index', async () => {
    for (const t of REAL_TARGETS.filter((x) => !x.wire)) {
      const run = await t.start();
      const a = run.show(run.generate(createRng(42, t.name, 1234), 1234));
      const b = run.show(run.generate(createRng(42, t.name, 1234), 1234));
      const c = run.show(run.generate(createRng(43, t.name, 1234), 1234));
      expect(a, t.name).toBe(b);
      expect(a, t.name).not.toBe(c);
    }
  });
});
