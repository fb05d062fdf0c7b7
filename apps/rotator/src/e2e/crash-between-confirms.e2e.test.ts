// Issue 10, finding 1: the rotator SIGKILLed between two confirms — r1 (L1's master) confirmed,
// r2 (its slave) staged with a commit confirmed that nobody confirms. The decision record is on
// disk, so a rotator that comes back drives the link forward or back by the resume rules; the
// link is never down (the simulator records every moment of a key mismatch), only, when nobody
// resolves it before the start-time, secured on its fallback key for a while.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Journal, RotatorState } from '../state/types.js';
import { createStateStore } from '../state/store.js';
import { runAndKill } from './testing/child.js';
import { startInitialisedBench, type Bench } from './testing/harness.js';

let bench: Bench;
let since = 0;

beforeAll(async () => {
  bench = await startInitialisedBench();
  since = bench.junos.now();
}, 60_000);
afterAll(async () => {
  await bench?.close();
});

// (c) and (d) use sim-junos's fallback model: a link whose primary keys differ but whose
// fallback-keys match is "secured on fallback", recorded apart from down time.
const fallbackIntervalsSince = (since: number) => bench.junos.fallbackIntervalsSince(since);

const readState = async (): Promise<RotatorState> => createStateStore(bench.stateDir).load();
const keyChainText = (device: string) => bench.junos.device(device).committedText();

/**
 * Rotates L1 in a child process, makes r2's confirm fail (the confirm "never arrives") once the
 * decision is on disk, and SIGKILLs the child right after r1's confirm. Returns the journal.
 */
async function crashBetweenConfirms(): Promise<{ journal: Journal; keyBefore: string }> {
  const keyBefore = (await readState()).links.L1!.keyId!;
  await runAndKill(bench, {
    point: 'device-confirmed',
    links: ['L1'],
    hold: { point: 'decided', onHeld: () => bench.junos.setFaults('r2', { commitFailure: 'simulated: the confirm never reached r2' }) },
  });
  bench.junos.setFaults('r2', {});
  const journals = Object.values((await readState()).journals ?? {});
  expect(journals).toHaveLength(1);
  const journal = journals[0]!;
  expect(journal.decision?.links).toEqual(['L1']);
  expect(Date.parse(journal.confirmDeadline!)).toBeLessThan(Date.parse(journal.startsAt));
  // Between the two confirms: r1 confirmed, r2 still waiting for its confirm.
  const ckn = journal.links.L1!.ckn;
  expect(keyChainText('r1')).toContain(ckn);
  expect(keyChainText('r2')).toContain(ckn);
  expect(bench.junos.device('r1').history()[0]!.confirmPending).toBeFalsy();
  expect(bench.junos.device('r2').history()[0]!.confirmPending).toBe(true);
  return { journal, keyBefore };
}

beforeEach(() => {
  expect(bench.junos.linkStatus('L1').state).toBe('secured');
});

describe('SIGKILL between two confirms', () => {
  it('(a) restarted at once: the rest is confirmed, the link secured on the new key, never down', async () => {
    const { journal } = await crashBetweenConfirms();
    const rotator = bench.rotator();
    try {
      const resumed = await rotator.resume();
      expect(resumed.map((r) => [r.link, r.outcome])).toEqual([['L1', 'completed']]);
      const state = await readState();
      expect(state.journals).toBeUndefined();
      expect(state.links.L1!.keyId).toBe(journal.links.L1!.keyId);
      expect(state.keyIds.has(journal.links.L1!.keyId)).toBe(true);
      expect(bench.junos.device('r2').history()[0]!.confirmPending).toBeFalsy();
      expect(bench.junos.linkStatus('L1').state).toBe('secured');
      expect(bench.junos.linkStatus('L1').a.ckn).toBe(journal.links.L1!.ckn);
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
      // Nothing left: a second call is a no-op.
      expect(await rotator.resume()).toEqual([]);
    } finally {
      await rotator.close();
    }
  }, 90_000);

  it('restarted at once with r2 unreachable: the journal stays (alarm) and each later call retries; once r2 answers, it completes', async () => {
    const { journal } = await crashBetweenConfirms();
    bench.junos.setFaults('r2', { authFailure: true });
    const rotator = bench.rotator();
    try {
      for (let i = 0; i < 2; i++) {
        const resumed = await rotator.resume();
        expect(resumed.map((r) => [r.link, r.outcome])).toEqual([['L1', 'alarm']]);
        expect(resumed[0]!.message).toMatch(/cannot resolve the unfinished transaction: r2: /);
        expect(Object.keys((await readState()).journals ?? {})).toEqual([journal.cycleId]);
      }
      const status = await rotator.status({ links: ['L1'] });
      expect(status[0]!.unfinished).toMatchObject({ decided: true, phases: { r1: 'staged', r2: 'staged' } });
      expect(status[0]!.unfinished!.next).toMatch(/^confirm the ends not yet confirmed/);
      bench.junos.setFaults('r2', {});
      expect((await rotator.resume()).map((r) => [r.link, r.outcome])).toEqual([['L1', 'completed']]);
      expect((await readState()).journals).toBeUndefined();
      expect(bench.junos.linkStatus('L1').state).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      bench.junos.setFaults('r2', {});
      await rotator.close();
    }
  }, 90_000);

  it('(b) restarted after the confirm timeout, before the start-time: the key is removed everywhere, the old key stays', async () => {
    const { journal, keyBefore } = await crashBetweenConfirms();
    // r2's commit confirmed rolls back at the deadline; the start-time is still ahead.
    bench.junos.advance(Date.parse(journal.confirmDeadline!) - bench.junos.now() + 1000);
    expect(bench.junos.now()).toBeLessThan(Date.parse(journal.startsAt));
    const ckn = journal.links.L1!.ckn;
    expect(keyChainText('r2')).not.toContain(ckn);
    const rotator = bench.rotator();
    try {
      const resumed = await rotator.resume();
      expect(resumed.map((r) => [r.link, r.outcome])).toEqual([['L1', 'rolled-back']]);
      expect(resumed[0]!.message).toMatch(/not every end holds it/);
      expect(keyChainText('r1')).not.toContain(ckn);
      const state = await readState();
      expect(state.journals).toBeUndefined();
      expect(state.links.L1!.keyId).toBe(keyBefore);
      // The key_ID stays recorded: it is never installed again.
      expect(state.keyIds.has(journal.links.L1!.keyId)).toBe(true);
      bench.junos.advance(Date.parse(journal.startsAt) - bench.junos.now() + 5000);
      expect(bench.junos.linkStatus('L1').state).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      await rotator.close();
    }
  }, 90_000);

  it('(a\u2032) restarted at once, but r2 rolls back while its confirm is on the way: resume reads back and removes the key from r1', async () => {
    const { journal, keyBefore } = await crashBetweenConfirms();
    const ckn = journal.links.L1!.ckn;
    const rotator = bench.rotator();
    try {
      // resume() finds the key on both ends and confirms; r2 takes 1.5 s (wall clock) to apply the
      // commit, and meanwhile its commit confirmed times out: the confirm lands as a plain commit of
      // the rolled-back configuration and succeeds. Only a read-back shows that r2 lost the key.
      bench.junos.setFaults('r2', { commitLatencyMs: 1500 });
      const resuming = rotator.resume();
      await new Promise((r) => setTimeout(r, 600));
      bench.junos.advance(Date.parse(journal.confirmDeadline!) - bench.junos.now() + 1000);
      expect(bench.junos.now()).toBeLessThan(Date.parse(journal.startsAt));
      const resumed = await resuming;
      bench.junos.setFaults('r2', {});
      expect(keyChainText('r2')).not.toContain(ckn);
      expect(resumed.map((r) => [r.link, r.outcome])).toEqual([['L1', 'rolled-back']]);
      expect(keyChainText('r1')).not.toContain(ckn);
      const state = await readState();
      expect(state.journals).toBeUndefined();
      expect(state.links.L1!.keyId).toBe(keyBefore);
      bench.junos.advance(Date.parse(journal.startsAt) - bench.junos.now() + 5000);
      expect(bench.junos.linkStatus('L1').state).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
      expect(fallbackIntervalsSince(since)).toEqual([]);
    } finally {
      bench.junos.setFaults('r2', {});
      await rotator.close();
    }
  }, 90_000);

  it('(c) restarted after the start-time: r1 is put back on the previous key; on fallback meanwhile, never down', async () => {
    const { journal, keyBefore } = await crashBetweenConfirms();
    bench.junos.advance(Date.parse(journal.startsAt) - bench.junos.now() + 10_000);
    // r1 switched alone: the primary keys differ, MKA runs on the fallback key.
    expect(bench.junos.linkStatus('L1').state).toBe('fallback');
    const rotator = bench.rotator();
    try {
      const status = await rotator.status({ links: ['L1'] });
      expect(status[0]!.onFallback).toBe(true);
      expect(status[0]!.unfinished?.decided).toBe(true);
      expect(bench.logger.lines.some((l) => l.includes('link L1: secured on its FALLBACK key'))).toBe(true);
      const resumed = await rotator.resume();
      expect(resumed.map((r) => [r.link, r.outcome])).toEqual([['L1', 'rolled-back']]);
      expect(resumed[0]!.message).toMatch(/after its start-time/);
      expect(keyChainText('r1')).not.toContain(journal.links.L1!.ckn);
      expect((await readState()).links.L1!.keyId).toBe(keyBefore);
      expect(bench.junos.linkStatus('L1').state).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
      // The simulator recorded the time on fallback, from the start-time until r1 went back.
      const onFallback = fallbackIntervalsSince(since).filter((i) => i.linkId === 'L1');
      expect(onFallback).toHaveLength(1);
      expect(onFallback[0]!.from).toBe(Date.parse(journal.startsAt));
      expect(onFallback[0]!.to).toBeGreaterThan(onFallback[0]!.from);
    } finally {
      await rotator.close();
    }
  }, 90_000);

  it('(d) never restarted: the link sits on its fallback key, never down; a later rotator run repairs it', async () => {
    const { journal } = await crashBetweenConfirms();
    bench.junos.advance(Date.parse(journal.startsAt) - bench.junos.now() + 3_600_000);
    expect(bench.junos.linkStatus('L1').state).toBe('fallback');
    expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    const open = fallbackIntervalsSince(Date.parse(journal.startsAt)).filter((i) => i.linkId === 'L1');
    expect(open.map((i) => [i.from, i.to])).toEqual([[Date.parse(journal.startsAt), undefined]]);
    const rotator = bench.rotator();
    try {
      const report = await rotator.rotate({ links: ['L1'] });
      expect(report.resumed?.map((r) => [r.link, r.outcome])).toEqual([['L1', 'rolled-back']]);
      expect(report.links.map((l) => [l.link, l.result])).toEqual([['L1', 'ok']]);
      // A fresh primary key on every end.
      const fresh = report.links[0]!.keyId!;
      expect(fresh).not.toBe(journal.links.L1!.keyId);
      expect((await readState()).links.L1!.keyId).toBe(fresh);
      expect(bench.junos.linkStatus('L1').state).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
      expect((await rotator.status({ links: ['L1'] }))[0]!.onFallback).toBe(false);
      expect(fallbackIntervalsSince(Date.parse(journal.startsAt)).filter((i) => i.linkId === 'L1' && i.to === undefined)).toEqual([]);
    } finally {
      await rotator.close();
    }
  }, 90_000);
});
