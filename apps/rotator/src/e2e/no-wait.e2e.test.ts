// `rotate --no-wait`: the cycle returns once every end is confirmed; the journal keeps the links
// (every end confirmed, decided) and resume() leaves them alone until the start-time, then reads
// MKA and records them. A rotate in between skips those links and says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateStore } from '../state/store.js';
import type { RotatorState } from '../state/types.js';
import { SIM_LINK_IDS, startInitialisedBench, type Bench } from './testing/harness.js';

let bench: Bench;
let since = 0;
const readState = async (): Promise<RotatorState> => createStateStore(bench.stateDir).load();

beforeAll(async () => {
  bench = await startInitialisedBench();
  since = bench.junos.now();
}, 60_000);
afterAll(async () => {
  await bench?.close();
});

describe('rotate with noWait', () => {
  it('returns confirmed and unverified without waiting; resume verifies after the start-time', async () => {
    const waits: unknown[] = [];
    const slept: number[] = [];
    const rotator = bench.rotator({ sleep: async (ms) => void slept.push(ms) });
    try {
      const keyBefore = (await readState()).links.L1!.keyId;
      const report = await rotator.rotate({ links: ['L1', 'G1'], noWait: true, onWait: (w) => waits.push(w) });
      expect(report.links.map((l) => [l.link, l.result, l.unverified])).toEqual([
        ['L1', 'ok', true],
        ['G1', 'ok', true],
      ]);
      expect(waits).toEqual([]);
      expect(slept).toEqual([]);
      const journals = Object.values((await readState()).journals ?? {});
      expect(journals).toHaveLength(1);
      expect(journals[0]!.decision?.links.sort()).toEqual(['G1', 'L1']);
      for (const l of Object.values(journals[0]!.links)) for (const e of l.ends) expect(e.phase).toBe('confirmed');
      // Nothing recorded yet: the state's key is still the old one until verification.
      expect((await readState()).links.L1!.keyId).toBe(keyBefore);

      // Before the start-time: resume has nothing to do; rotate skips those links and says why.
      expect(await rotator.resume()).toEqual([]);
      const again = await rotator.rotate({ links: ['L1'] });
      expect(again.links).toMatchObject([{ link: 'L1', result: 'skipped', error: { message: expect.stringMatching(/confirmed on every end and activates by/) } }]);

      // After it: resume reads MKA and records the keys, with no commit.
      const commitsBefore = bench.junos.device('r1').history().length;
      bench.junos.advance(Date.parse(journals[0]!.startsAt) - bench.junos.now() + 5_000);
      const resumed = await rotator.resume();
      expect(resumed.map((r) => [r.link, r.outcome]).sort()).toEqual([
        ['G1', 'completed'],
        ['L1', 'completed'],
      ]);
      expect(bench.junos.device('r1').history().length).toBe(commitsBefore);
      const state = await readState();
      expect(state.journals).toBeUndefined();
      expect(state.links.L1!.keyId).toBe(report.links[0]!.keyId);
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      await rotator.close();
    }
  }, 60_000);

  it('without noWait, onWait says what the cycle waits for and until when', async () => {
    const waits: Array<{ until: string; startsAt: string; links: number; reason: string }> = [];
    const rotator = bench.rotator();
    try {
      const report = await rotator.rotate({ links: ['L2'], onWait: (w) => waits.push(w) });
      expect(report.links[0]!.result).toBe('ok');
      expect(waits).toHaveLength(1);
      expect(waits[0]!.startsAt).toBe(report.links[0]!.startTime);
      expect(Date.parse(waits[0]!.until)).toBeGreaterThan(Date.parse(waits[0]!.startsAt));
      expect(waits[0]!.links).toBe(1);
      expect(waits[0]!.reason).toMatch(/activate at their start-times, the last at .*confirm timeout/);
    } finally {
      await rotator.close();
    }
  }, 60_000);
});
