// The rotator killed (SIGKILL, a real child process) at each point of a transaction, then started
// again: the journal is resolved — completed when the decision holds the link and every end holds
// the key, rolled back otherwise — with zero down time and no key_ID installed twice.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RotatorClosedError, type Rotator } from '../engine/index.js';
import { KEY_IDS_FILE, LINKS_FILE, STATE_FILE } from '../state/store.js';
import { runAndKill } from './testing/child.js';
import { startInitialisedBench, SIM_LINK_IDS, type Bench } from './testing/harness.js';

let bench: Bench;
let since = 0;

beforeAll(async () => {
  bench = await startInitialisedBench();
  since = bench.junos.now();
}, 60_000);
afterAll(async () => {
  await bench?.close();
});

/** The one unfinished cycle in the state file (undefined when there is none). */
const journalOf = async () => {
  const journals = JSON.parse(await readFile(join(bench.stateDir, STATE_FILE), 'utf8')).journals as Record<string, unknown> | undefined;
  expect(Object.keys(journals ?? {}).length).toBeLessThanOrEqual(1);
  return Object.values(journals ?? {})[0] as { links: Record<string, { keyId: string }> } | undefined;
};

describe('SIGKILL mid-transaction, then restart', () => {
  const cases = [
    { point: 'journaled', late: false, outcome: 'rolled-back' },
    // One device at a time: killed when the first device has staged, the others have not.
    { point: 'device-staged', late: false, outcome: 'rolled-back' },
    // Every end staged but the decision not yet on disk: rolled back.
    { point: 'staged', late: false, outcome: 'rolled-back' },
    { point: 'staged', late: true, outcome: 'rolled-back' },
    // The decision on disk, no confirm sent: driven forward while every end holds the key.
    { point: 'decided', late: false, outcome: 'completed' },
    { point: 'decided', late: true, outcome: 'rolled-back' },
    { point: 'confirmed', late: false, outcome: 'completed' },
    { point: 'confirmed', late: true, outcome: 'completed' },
  ] as const;
  for (const c of cases) {
    it(`killed after '${c.point}'${c.late ? ', restarted after the confirm timeout' : ''}: ${c.outcome}`, async () => {
      const { stderr } = await runAndKill(bench, { point: c.point, ...(c.point === 'device-staged' ? { env: { ROTATOR_TEST_CONCURRENCY: '1' } } : {}) });
      const journal = await journalOf();
      expect(Object.keys(journal!.links).sort()).toEqual(['G1', 'L1', 'L2', 'L3']);
      const childKeys = Object.values(journal!.links).map((l) => l.keyId);
      if (c.late) bench.junos.advance(bench.config.rotation.confirmTimeoutMinutes * 60_000 + 1000);

      const rotator = bench.rotator();
      try {
        const before = await rotator.status();
        expect(before.map((l) => l.unfinished?.keyId).sort()).toEqual([...childKeys].sort());
        const report = await rotator.rotate();
        if (c.point === 'device-staged') {
          const removed = report.resumed!.filter((r) => r.message?.includes('removed'));
          expect(removed.length, JSON.stringify(report.resumed)).toBeGreaterThan(0);
        }
        expect(report.resumed?.map((r) => [r.link, r.outcome]).sort()).toEqual(['G1', 'L1', 'L2', 'L3'].map((l) => [l, c.outcome]));
        expect(report.links.map((l) => [l.link, l.result, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', undefined]));
        // New keys only: none of the killed run's key_IDs is staged again.
        for (const l of report.links) expect(childKeys).not.toContain(l.keyId);
        expect(await journalOf()).toBeUndefined();
        for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
        expect(bench.junos.downIntervalsSince(since)).toEqual([]);
        const resumedLine = bench.logger.lines.find((l) => l.includes('unfinished cycle'));
        expect(resumedLine).toBeDefined();
        const all = [stderr, ...bench.logger.lines, await readFile(join(bench.stateDir, STATE_FILE), 'utf8'), await readFile(join(bench.stateDir, KEY_IDS_FILE), 'utf8'), await readFile(join(bench.stateDir, LINKS_FILE), 'utf8')].join('\n').toLowerCase();
        for (const k of bench.issuedKeys) expect(all.includes(k)).toBe(false);
      } finally {
        await rotator.close();
      }
    }, 90_000);
  }
});

describe('closed mid-cycle (a second SIGTERM in the daemon), then restarted', () => {
  const settleWith = async (outcome: string) => {
    const next = bench.rotator();
    try {
      const report = await next.rotate();
      expect(report.resumed?.map((r) => r.outcome)).toEqual(Array(4).fill(outcome));
      expect(report.links.every((l) => l.result === 'ok')).toBe(true);
      expect(await journalOf()).toBeUndefined();
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      await next.close();
    }
  };

  it('while waiting for the start-time: the cycle stops, the next run completes it', async () => {
    const rotator: Rotator = bench.rotator({
      hooks: {
        pause: async (point) => {
          if (point === 'confirmed') await rotator.close();
        },
      },
    });
    await expect(rotator.rotate()).rejects.toThrow(RotatorClosedError);
    expect(Object.keys((await journalOf())!.links)).toHaveLength(4);
    await settleWith('completed');
  });

  it('while staging: what is left undone fails, the journal keeps it, the next run rolls it back', async () => {
    let once = true;
    // One device at a time, so that closing after the first device leaves the others unstaged.
    const rotator: Rotator = bench.rotator({
      config: { ...bench.config, rotation: { ...bench.config.rotation, concurrency: 1 } },
      hooks: {
        pause: async (point) => {
          if (point === 'device-staged' && once) {
            once = false;
            void rotator.close(); // inside the device's session: close() waits for it
          }
        },
      },
    });
    const report = await rotator.rotate();
    expect(report.links.every((l) => l.result === 'failed')).toBe(true);
    expect(bench.logger.lines.some((l) => l.includes('kept in the journal for the next run to settle'))).toBe(true);
    expect(Object.keys((await journalOf())!.links).length).toBeGreaterThan(0);
    const next = bench.rotator();
    try {
      const r = await next.rotate();
      expect(r.resumed!.every((x) => x.outcome === 'rolled-back')).toBe(true);
      expect(r.links.every((l) => l.result === 'ok')).toBe(true);
      expect(await journalOf()).toBeUndefined();
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      await next.close();
    }
  });
});

describe("resume() called while this process's own cycle runs (the daemon retries it every few seconds)", () => {
  it("leaves the running cycle's journal alone; the cycle completes", async () => {
    const during: unknown[] = [];
    const rotator: Rotator = bench.rotator({
      hooks: {
        pause: async (point) => {
          if (point === 'decided' || point === 'confirmed') during.push(await rotator.resume());
        },
      },
    });
    try {
      const report = await rotator.rotate({ links: ['L2'] });
      expect(report.links.map((l) => [l.link, l.result])).toEqual([['L2', 'ok']]);
      expect(during).toEqual([[], []]);
      expect(await journalOf()).toBeUndefined();
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      await rotator.close();
    }
  });
});
