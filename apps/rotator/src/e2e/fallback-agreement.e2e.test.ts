// The ends of a link must carry one fallback key at every instant outside a fallback transaction's
// own window: the fallback key is what carries a link whose primary keys differ (a rotator killed
// between two confirms and back after the start-time). The chaos soak (seed 20261125) saw the
// group link's ends left on different fallback keys — a resume had taken a cut-off transaction's
// key off the ends that had confirmed it (the master had rolled back), the fresh key that followed
// failed on the master again, and that undo put each end's own previous key back: the master's
// old one, none on the slaves — and a primary rotation killed mid-confirm then dropped the link.
// Fallback keys are read back from the devices over NETCONF here, never from the engine's state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateStore } from '../state/store.js';
import { runAndKill } from './testing/child.js';
import { startInitialisedBench, type Bench } from './testing/harness.js';
import { lateConfirm } from './testing/late-confirm.js';

const G1 = ['r5', 'r6', 'r7'];
const FAST_FALLBACK = { enabled: true, intervalHours: 0.01 }; // 36 s: due after any advance of a minute

let bench: Bench;
beforeAll(async () => {
  bench = await startInitialisedBench();
}, 60_000);
afterAll(async () => {
  await bench?.close();
});

/** The fallback-key of the link's connectivity association on `device`, as the device shows it over NETCONF (CKN, and the CAK's `$9$` form). */
async function fallbackOn(device: string, link: string): Promise<string | undefined> {
  const d = await bench.connectDevice(device);
  try {
    const r = await d.getConfiguration({ format: 'set', filter: '<configuration><security><macsec/></security></configuration>' });
    const lines = String(r.configuration).split('\n');
    const prefix = `set security macsec connectivity-association qkd-${link} fallback-key `;
    const parts = lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length).trim()).sort();
    return parts.length ? parts.join(' ') : undefined;
  } finally {
    await d.close();
  }
}
const fallbacksOf = async (link: string, devices: string[]) => Object.fromEntries(await Promise.all(devices.map(async (d) => [d, await fallbackOn(d, link)] as const)));

/** Takes the fallback-key off `device` by a commit of our own (what a rolled-back resume leaves on an end that had confirmed the new key). */
async function dropFallback(device: string, link: string): Promise<void> {
  const d = await bench.connectDevice(device);
  try {
    await d.load({ format: 'set', action: 'set', config: `delete security macsec connectivity-association qkd-${link} fallback-key` });
    await d.commit({ comment: 'test: the state a rolled-back fallback transaction leaves' });
  } finally {
    await d.close();
  }
}

describe('fallback keys stay equal on every end of a link', () => {
  it('a fallback transaction that fails on one end, over ends that already differ, leaves every end on one fallback key', async () => {
    const since = bench.junos.now();
    const before = await fallbacksOf('G1', G1);
    expect(new Set(Object.values(before)).size, JSON.stringify(before)).toBe(1);
    expect(before.r5).toMatch(/^cak "?\$9\$.* ckn [0-9a-f]{64}$/);
    // The soak's state: the master rolled back to the old fallback key, the slaves hold none.
    await dropFallback('r6', 'G1');
    await dropFallback('r7', 'G1');
    expect(await fallbacksOf('G1', G1)).toEqual({ r5: before.r5, r6: undefined, r7: undefined });

    // The fresh fallback key: staged everywhere, decided, and the master's confirm fails.
    let injected = false;
    const rotator = bench.rotator({
      config: { ...bench.config, fallback: FAST_FALLBACK },
      hooks: {
        pause: async (point, info) => {
          if (info.kind === 'fallback' && point === 'decided' && !injected) {
            injected = true;
            bench.junos.setFaults('r5', { failCommits: 1 });
          }
        },
      },
    });
    try {
      bench.junos.advance(60_000);
      const report = await rotator.rotate({ links: ['G1'] });
      expect(report.links.map((l) => [l.link, l.result])).toEqual([['G1', 'ok']]);
      expect(injected).toBe(true);
      // Going back would leave the ends as they were (r5's old key, none on the slaves): the new
      // key is rolled forward onto r5 instead; the refused confirm stays in the report's alarms.
      const fb = report.fallback!;
      expect(fb.map((l) => [l.link, l.result])).toEqual([['G1', 'ok']]);
      expect(fb[0]!.alarms?.[0]).toMatchObject({ phase: 'confirm', device: 'r5' });
      // Past any confirm timeout: whatever was left pending has rolled back by now.
      bench.junos.advance(5 * 60_000);
      const after = await fallbacksOf('G1', G1);
      expect(after.r5, JSON.stringify(after)).toBeDefined();
      expect(after, JSON.stringify(after)).toEqual({ r5: after.r5, r6: after.r5, r7: after.r5 });
      const state = await createStateStore(bench.stateDir).load();
      expect(state.links.G1!.fallback!.keyId).toBe(fb[0]!.keyId);
      expect(after.r5).toContain(`ckn ${state.links.G1!.fallback!.ckn}`);
      expect(state.journals).toBeUndefined();
      for (const id of ['G1-r6', 'G1-r7']) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      bench.junos.setFaults('r5', {});
      await rotator.close();
    }
  }, 120_000);

  it('putting the previous fallback key back fails on an end that took the new one: rolled forward, one key on every end', async () => {
    const since = bench.junos.now();
    const before = await fallbacksOf('G1', G1);
    expect(new Set(Object.values(before)).size, JSON.stringify(before)).toBe(1);
    const faults: string[] = [];
    const rotator = bench.rotator({
      config: { ...bench.config, fallback: FAST_FALLBACK },
      hooks: {
        pause: async (point, info) => {
          if (info.kind !== 'fallback') return;
          // r5 refuses its confirm; r6 takes its own, then refuses the commit that would put the old key back.
          if (point === 'decided' && !faults.includes('r5')) {
            faults.push('r5');
            bench.junos.setFaults('r5', { failCommits: 1 });
          }
          if (point === 'device-confirmed' && info.device === 'r6' && !faults.includes('r6')) {
            faults.push('r6');
            bench.junos.setFaults('r6', { failCommits: 1 });
          }
        },
      },
    });
    try {
      bench.junos.advance(60_000);
      const report = await rotator.rotate({ links: ['G1'] });
      expect(faults).toEqual(['r5', 'r6']);
      const fb = report.fallback!;
      expect(fb.map((l) => [l.link, l.result])).toEqual([['G1', 'ok']]);
      expect(fb[0]!.alarms?.map((a) => [a.phase, a.device])).toEqual([['confirm', 'r5'], ['rollback', 'r6']]);
      bench.junos.advance(5 * 60_000);
      const after = await fallbacksOf('G1', G1);
      const state = await createStateStore(bench.stateDir).load();
      expect(after, JSON.stringify(after)).toEqual({ r5: after.r5, r6: after.r5, r7: after.r5 });
      expect(after.r5).toContain(`ckn ${state.links.G1!.fallback!.ckn}`);
      expect(after.r5).not.toBe(before.r5);
      expect(state.journals).toBeUndefined();
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      bench.junos.setFaults('r5', {});
      bench.junos.setFaults('r6', {});
      await rotator.close();
    }
  }, 120_000);

  it('a fallback confirm that lands after its commit confirmed rolled back, while the rotator reckons it in time: read back, one key on every end', async () => {
    // The chaos soak's timing: sim-junos runs the confirm minute in 1 s while the rotator reckons
    // in minutes, so an end staged early (its neighbour's stage slow) rolls back before its confirm,
    // and that confirm commits the rolled-back configuration. Here r2's confirm is held until r1's
    // is done, then the devices' clock jumps past the confirm timeout while the rotator's stands.
    const since = bench.junos.now();
    const before = await fallbacksOf('L1', ['r1', 'r2']);
    expect(before.r1).toBeDefined();
    expect(before.r2).toBe(before.r1);
    let frozen: number | undefined;
    const late = lateConfirm(bench, {
      device: 'r2',
      waitFor: ['r1'],
      beforeJump: () => {
        frozen = bench.junos.now();
      },
    });
    const rotator = bench.rotator({
      config: { ...bench.config, fallback: FAST_FALLBACK },
      clock: () => new Date(frozen ?? bench.junos.now()),
      hooks: {
        pause: async (point, info) => {
          if (info.kind === 'fallback' && point === 'staged') late.arm();
        },
      },
      connectDevice: late.connectDevice,
    });
    try {
      bench.junos.advance(60_000);
      const report = await rotator.rotate({ links: ['L1'] });
      expect(frozen).toBeDefined();
      expect(report.fallback!.map((l) => [l.link, l.result, l.error?.phase, l.error?.device])).toEqual([['L1', 'failed', 'confirm', 'r2']]);
      frozen = undefined;
      const after = await fallbacksOf('L1', ['r1', 'r2']);
      expect(after, JSON.stringify(after)).toEqual({ r1: before.r1, r2: before.r1 });
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      frozen = undefined;
      await rotator.close();
    }
  }, 120_000);

  it('then a primary rotation killed between two confirms and resumed after the start-time: secured on the fallback key, never down', async () => {
    const since = bench.junos.now();
    // r6's confirm never arrives; the child dies right after the first confirm that does.
    await runAndKill(bench, {
      point: 'device-confirmed',
      links: ['G1'],
      hold: { point: 'decided', onHeld: () => bench.junos.setFaults('r6', { commitFailure: 'simulated: the confirm never reached r6' }) },
    });
    bench.junos.setFaults('r6', {});
    const journal = Object.values((await createStateStore(bench.stateDir).load()).journals ?? {})[0]!;
    expect(journal.decision?.links).toEqual(['G1']);
    // Back only after the start-time: the confirmed ends switched alone.
    bench.junos.advance(Date.parse(journal.startsAt) - bench.junos.now() + 10_000);
    const states = ['G1-r6', 'G1-r7'].map((id) => bench.junos.linkStatus(id).state);
    expect(states).toContain('fallback');
    expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    const rotator = bench.rotator();
    try {
      const resumed = await rotator.resume();
      expect(resumed.map((r) => [r.link, r.outcome])).toEqual([['G1', 'rolled-back']]);
      for (const id of ['G1-r6', 'G1-r7']) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
      expect(bench.junos.fallbackIntervalsSince(since).length).toBeGreaterThan(0);
    } finally {
      await rotator.close();
    }
  }, 120_000);
});
