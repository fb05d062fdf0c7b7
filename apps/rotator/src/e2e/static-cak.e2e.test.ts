// static-cak mode (platforms without key chains): the pre-shared-key is replaced on every end,
// committed in parallel. Not hitless on real gear — the reports say `hitless: false` — and the
// simulator shows the drop bounded by the gap between the ends' commits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, SIM_LINK_IDS, type Bench } from './testing/harness.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench({ mode: 'static-cak' });
});
afterAll(async () => {
  await bench?.close();
});

describe('static-cak mode', () => {
  it('inits with a pre-shared-key and replaces it on every end, reporting hitless: false', async () => {
    const rotator = bench.rotator();
    try {
      const init = await rotator.init();
      expect(init.errors).toEqual([]);
      expect(init.firstKeys).toHaveLength(4);
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      expect(bench.junos.device('r1').committedText()).not.toContain('authentication-key-chains');
      const since = bench.junos.now();
      const keyIds = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const report = await rotator.rotate();
        expect(report.links.map((l) => [l.link, l.result, l.hitless, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', false, undefined]));
        for (const l of report.links) keyIds.add(l.keyId!);
        for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      }
      expect(keyIds.size).toBe(12);
      // The ends switch at their own commits: every drop lasts no longer than the gap between
      // them, which on the simulator's clock (it does not move during a cycle) is zero.
      const drops = bench.junos.downIntervalsSince(since);
      for (const d of drops) expect(d.to! - d.from).toBe(0);
      expect((await rotator.init()).changed).toBe(false);

      // A commit failure on r2: r1 (which switched at its own commit) gets its previous
      // pre-shared-key back — as the device showed it ($9$…) — and L1 ends on its old key.
      const before = (await rotator.status({ links: ['L1'] }))[0]!;
      bench.junos.setFaults('r2', { commitFailure: true });
      const failed = await rotator.rotate({ links: ['L1', 'L2'] });
      bench.junos.setFaults('r2', {});
      expect(failed.links.map((l) => [l.link, l.result, l.error?.phase, l.error?.device])).toEqual([
        ['L1', 'failed', 'stage', 'r2'],
        ['L2', 'ok', undefined, undefined],
      ]);
      const after = (await rotator.status({ links: ['L1'] }))[0]!;
      expect(after.ends.flatMap((e) => e.interfaces.map((i) => i.ckn))).toEqual(before.ends.flatMap((e) => e.interfaces.map((i) => i.ckn)));
      expect(bench.junos.linkStatus('L1').state).toBe('secured');
      for (const d of bench.junos.downIntervalsSince(since)) expect(d.to! - d.from).toBe(0);
    } finally {
      await rotator.close();
    }
  }, 60_000);
});
