// One fault at a time against the running simulators. After each: zero down time on every
// simulated link, no key_ID staged twice, a clear error in the log and in the cycle report, and
// the next (healthy) cycle succeeds everywhere.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectNetconf, junosDevice, type NetconfClient } from '@qkd-macsec/junos-netconf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CycleReport } from '../engine/types.js';
import { createStateStore } from '../state/index.js';
import { STATE_FILE } from '../state/store.js';
import { startBench, SIM_LINK_IDS, type Bench } from './testing/harness.js';
import { lateConfirm } from './testing/late-confirm.js';

let bench: Bench;
let since = 0;
/** Every key_ID any report named: a key_ID must never come back. */
const allKeyIds: string[] = [];

/** Keeps the report's key IDs, and checks that every failed link has its error in the log too. */
const record = (r: CycleReport) => {
  for (const l of r.links) {
    if (l.keyId) allKeyIds.push(l.keyId);
    if (l.result === 'failed') {
      const line = bench.logger.lines.find((x) => x.startsWith(`ERROR link ${l.link}: ${l.error!.phase} failed`) && x.includes(l.error!.message));
      expect(line, `log line for ${l.link}: ${l.error!.message}`).toBeDefined();
    }
  }
  return r;
};
const byLink = (r: CycleReport) => Object.fromEntries(r.links.map((l) => [l.link, l]));

beforeAll(async () => {
  bench = await startBench({ kmeTimeoutMs: 1500 });
  const r = bench.rotator();
  try {
    const init = await r.init();
    expect(init.errors).toEqual([]);
    allKeyIds.push(...init.firstKeys.map((k) => k.keyId));
  } finally {
    await r.close();
  }
  since = bench.junos.now();
}, 60_000);

afterAll(async () => {
  await bench?.close();
});

/** The checks every fault test ends with, then a healthy cycle. */
async function settle(rotator: ReturnType<Bench['rotator']>) {
  const healthy = record(await rotator.rotate());
  expect(healthy.links.map((l) => [l.link, l.result, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', undefined]));
  for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
  expect(bench.junos.downIntervalsSince(since)).toEqual([]);
  expect(new Set(allKeyIds).size, 'a key_ID came back').toBe(allKeyIds.length);
  const logs = bench.logger.lines.join('\n').toLowerCase();
  for (const k of bench.issuedKeys) expect(logs.includes(k)).toBe(false);
}

describe('faults (each: zero down time, no key_ID twice, a clear error)', () => {
  it('a KME answering 503: the link waits, the others rotate', async () => {
    const rotator = bench.rotator();
    try {
      bench.kme.setFaults({ unavailableRate: 1 }, 'KME_C');
      const r = byLink(record(await rotator.rotate()));
      bench.kme.setFaults(undefined);
      expect(r.G1!.result).toBe('failed');
      expect(r.G1!.error!.phase).toBe('fetch');
      expect(r.G1!.error!.message).toMatch(/KME_C as SAE_r7/);
      expect(r.G1!.error!.message).toMatch(/503|unavailable/i);
      expect([r.L1!.result, r.L2!.result, r.L3!.result]).toEqual(['ok', 'ok', 'ok']);
      expect(bench.logger.lines.some((l) => l.startsWith('ERROR link G1: fetch failed') && l.includes('KME_C'))).toBe(true);
      await settle(rotator);
    } finally {
      bench.kme.setFaults(undefined);
      await rotator.close();
    }
  });

  it('a KME that hands out a key_ID it issued before: refused before any device gets it, naming where it went first', async () => {
    const rotator = bench.rotator();
    try {
      // A healthy cycle first: the key_IDs KME_A issued last (which the fault hands out again,
      // the latest first) are all in the state then; one a failed fetch left out would not be.
      const healthy = record(await rotator.rotate());
      expect(healthy.links.every((l) => l.result === 'ok')).toBe(true);
      // The devices only L1, L3 and G1 reach (r3 is L2's master too): their last commit, before.
      const untouched = ['r1', 'r2', 'r5', 'r6', 'r7'];
      const lastCommit = () => untouched.map((d) => bench.junos.device(d).history()[0]);
      const before = lastCommit();
      bench.kme.setFaults({ reusedKeyIdRate: 1 }, 'KME_A'); // the masters of L1, L3 and G1
      const r = byLink(record(await rotator.rotate()));
      bench.kme.setFaults(undefined);
      expect([r.L1!.result, r.L2!.result, r.L3!.result, r.G1!.result]).toEqual(['failed', 'ok', 'failed', 'failed']);
      const state = await createStateStore(bench.stateDir).load();
      for (const link of ['L1', 'L3', 'G1']) {
        const { phase, message } = r[link]!.error!;
        expect(phase, link).toBe('fetch');
        const m = /^KME handed out key_ID ([0-9a-f-]{36}) again \(installed for link (\w+) at (\S+)\); refusing to install a key twice$/.exec(message);
        expect(m, message).not.toBeNull();
        expect(await state.keyIds.find(m![1]!), link).toEqual(expect.objectContaining({ link: m![2], at: m![3] }));
        expect(r[link]!.keyId, link).toBeUndefined();
      }
      // Refused at the fetch: not one commit on their devices.
      expect(lastCommit()).toEqual(before);
      expect(lastCommit().every((c, i) => c === before[i])).toBe(true);
      await settle(rotator);
    } finally {
      bench.kme.setFaults(undefined);
      await rotator.close();
    }
  });

  it('the lock is taken with the read and held to the confirm; a device whose links drop out before the stage is unlocked at once', async () => {
    // Another session's <lock> on a device, answered: 'granted' (and released again) or 'denied: …'.
    const tryLock = async (name: string): Promise<string> => {
      const d = bench.junos.devices[name]!;
      const other = junosDevice(await connectNetconf({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] }));
      try {
        return await other.lock().then(
          async () => (await other.unlock(), 'granted'),
          (e: Error) => `denied: ${e.message}`,
        );
      } finally {
        await other.close();
      }
    };
    const seen: Record<string, string> = {};
    const rotator = bench.rotator({
      hooks: {
        pause: async (point, info) => {
          if (!info.links.includes('L1') || info.kind === 'fallback') return;
          // After L1's journal write, before its stage: r2 is locked since its read.
          if (point === 'journaled') seen.r2BeforeStage ??= await tryLock('r2');
          if (point === 'decided' && seen.r1Staged === undefined) {
            seen.r1Staged = await tryLock('r1'); // staged, not yet confirmed: still ours
            // G1 failed at its KME: r7 is unlocked when that is known, not when the cycle ends
            // (which it cannot while this hook holds L1's decision).
            const until = Date.now() + 15_000;
            for (;;) {
              seen.r7 = await tryLock('r7');
              if (seen.r7 === 'granted' || Date.now() > until) break;
              await new Promise((r) => setTimeout(r, 100));
            }
          }
        },
      },
    });
    try {
      bench.kme.setFaults({ unavailableRate: 1 }, 'KME_C');
      const r = byLink(record(await rotator.rotate()));
      bench.kme.setFaults(undefined);
      expect(r.G1!.result).toBe('failed');
      expect(r.L1!.result).toBe('ok');
      expect(seen.r2BeforeStage).toMatch(/^denied: .*lock/i);
      expect(seen.r1Staged).toMatch(/^denied: .*lock/i);
      expect(seen.r7).toBe('granted');
      for (const name of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']) expect(await tryLock(name), name).toBe('granted'); // none left locked
      await settle(rotator);
    } finally {
      bench.kme.setFaults(undefined);
      await rotator.close();
    }
  });

  it('a KME that times out', async () => {
    const rotator = bench.rotator();
    try {
      bench.kme.setFaults({ stallRate: 1 }, 'KME_C');
      const r = byLink(record(await rotator.rotate({ links: ['G1', 'L1'] })));
      bench.kme.setFaults(undefined);
      expect(r.G1!.result).toBe('failed');
      expect(r.G1!.error!.message).toMatch(/KME_C as SAE_r7 failed: QkdTimeoutError/);
      expect(r.L1!.result).toBe('ok');
      await settle(rotator);
    } finally {
      bench.kme.setFaults(undefined);
      await rotator.close();
    }
  });

  it('a slave KME that does not know the key_ID', async () => {
    // Someone else (another SAE_r2 client) takes the key from KME_B first; the rotator's own
    // dec_keys then gets the spec's 400 "not found on KME".
    const rotator = bench.rotator({
      kmeClientFor: (sae) => {
        const real = bench.kmeClient(sae);
        if (sae !== 'SAE_r2') return real;
        const other = bench.kmeClient(sae);
        return new Proxy(real, {
          get(target, prop, receiver) {
            if (prop === 'getKeyWithIds') {
              return async (master: string, ids: string[]) => {
                await other.getKeyWithIds(master, ids).then((k) => k.keys.forEach((x) => x.wipe()));
                return target.getKeyWithIds(master, ids);
              };
            }
            if (prop === 'close') return async () => Promise.all([target.close(), other.close()]);
            return Reflect.get(target, prop, receiver);
          },
        });
      },
    });
    try {
      const r = byLink(record(await rotator.rotate({ links: ['L1', 'L2'] })));
      expect(r.L1!.result).toBe('failed');
      expect(r.L1!.error!.message).toMatch(/dec_keys of key .* on KME_B as SAE_r2 failed: QkdBadRequestError.*not found on KME/);
      expect(r.L2!.result).toBe('ok');
    } finally {
      await rotator.close();
    }
    const healthy = bench.rotator();
    try {
      await settle(healthy);
    } finally {
      await healthy.close();
    }
  });

  it('a commit failure on one end: the other end takes the key back in its confirm', async () => {
    const rotator = bench.rotator();
    try {
      bench.junos.setFaults('r2', { commitFailure: 'commit failed: (simulated) daemon not responding' });
      const before = bench.junos.device('r1').history().length;
      const r = byLink(record(await rotator.rotate()));
      bench.junos.setFaults('r2', {});
      expect(r.L1!.result).toBe('failed');
      expect(r.L1!.error).toMatchObject({ phase: 'stage', device: 'r2' });
      expect(r.L1!.error!.message).toMatch(/staging on r2 failed: .*daemon not responding/);
      // r1 carries L1 and L3: one commit confirmed, one confirm (which also removed L1's key).
      expect(r.L3!.result).toBe('ok');
      expect(bench.junos.device('r1').history().length - before).toBe(2);
      expect(bench.junos.device('r1').committedText()).not.toContain(r.L1!.keyId!);
      expect(bench.logger.lines.some((l) => l.includes('link L1: key') && l.includes('removed from r1'))).toBe(true);
      await settle(rotator);
    } finally {
      bench.junos.setFaults('r2', {});
      await rotator.close();
    }
  });

  it('a connection dropped between load and commit', async () => {
    // A fresh rotator has fresh sessions: read (1), lock (2), load (3), then the commit is dropped.
    const rotator = bench.rotator();
    try {
      bench.junos.setFaults('r4', { dropAfterRpcs: 3 });
      const r = byLink(record(await rotator.rotate({ links: ['L2', 'L3'] })));
      bench.junos.setFaults('r4', {});
      expect(r.L2!.result).toBe('failed');
      expect(r.L2!.error).toMatchObject({ phase: 'stage', device: 'r4' });
      expect(r.L2!.error!.message).toMatch(/staging on r4 failed: .*(closed|dropped|ConnectionClosed)/i);
      expect(r.L3!.result).toBe('ok');
      await settle(rotator);
    } finally {
      bench.junos.setFaults('r4', {});
      await rotator.close();
    }
  });

  it('a device whose confirm arrives after its commit confirmed rolled back', async () => {
    // r6's confirm is held until r5 and r7 are confirmed, then the device clock jumps past the
    // confirm timeout: r6 rolls back, and the late confirm commits the rolled-back configuration.
    const late = lateConfirm(bench, { device: 'r6', waitFor: ['r5', 'r7'] });
    let staged = 0;
    const rotator = bench.rotator({
      hooks: {
        pause: async (point) => {
          if (point === 'staged' && staged++ === 0) late.arm();
        },
      },
      connectDevice: late.connectDevice,
    });
    try {
      // Only G1 has an end on r5/r6/r7, so the other devices have long confirmed when the clock jumps.
      const r = byLink(record(await rotator.rotate({ links: ['G1'] })));
      expect(r.G1!.result).toBe('failed');
      expect(r.G1!.error).toMatchObject({ phase: 'confirm', device: 'r6' });
      expect(r.G1!.error!.message).toMatch(/r6 does not hold key .* commit confirmed rolled back before the confirm arrived/);
      await settle(rotator);
    } finally {
      await rotator.close();
    }
  });

  // The state file's temp path taken by a directory: every write of the state fails (root too).
  const blockStateWrites = () => {
    const tmp = join(bench.stateDir, `${STATE_FILE}.${process.pid}.tmp`);
    mkdirSync(tmp);
    return () => rmSync(tmp, { recursive: true, force: true });
  };
  /** What each device committed since `from` (its history's length then), by commit log line. */
  const commitsSince = (from: Map<string, number>) => [...from].flatMap(([d, n]) => bench.junos.device(d).history().slice(0, bench.junos.device(d).history().length - n).map((c) => `${d}: ${c.log ?? ''}`));
  /** The commits among `commits` whose confirm took `link`'s key back ("confirm, remove L1 key …, L3 key …"). */
  const removedIn = (commits: string[], link: string, keyId: string | undefined) => commits.filter((c) => c.includes(': confirm, remove ') && c.includes(`${link} key ${keyId}`));
  /** The links that failed (at least one), each in `phase` with a message matching `message`. */
  const failuresOf = (r: ReturnType<typeof byLink>, phase: string, message: RegExp) => {
    const failed = Object.values(r).filter((l) => l.result === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const l of failed) {
      expect(l.error, l.link).toMatchObject({ phase });
      expect(l.error!.message, l.link).toMatch(message);
    }
    return failed;
  };
  const historyLengths = () => new Map(Object.keys(bench.junos.devices).map((d) => [d, bench.junos.device(d).history().length]));

  it('a journal that cannot be written: the links it holds are staged nowhere', async () => {
    const rotator = bench.rotator();
    const unblock = blockStateWrites();
    try {
      const before = historyLengths();
      // Unblocked at the first failure: links journalled by a later write rotate.
      const r = byLink(record(await rotator.rotate({ onProgress: (e) => void (e.phase === 'failed' && unblock()) })));
      const failed = failuresOf(r, 'plan', /^cannot write the journal: .+; the key is not staged$/);
      const commits = commitsSince(before);
      for (const l of failed) {
        expect(commits.filter((c) => c.includes(`stage ${l.link} `) || c.includes(`, ${l.link} `)), l.link).toEqual([]);
      }
      for (const l of Object.values(r).filter((x) => x.result !== 'failed')) expect(l.result).toBe('ok');
      await settle(rotator);
    } finally {
      unblock();
      await rotator.close();
    }
  });

  it('a decision that cannot be written: no end of its link is confirmed, the key is taken back', async () => {
    const rotator = bench.rotator({
      hooks: {
        // Blocked once the first link is staged everywhere (before its decision), unblocked at the first confirm.
        pause: async (point) => {
          if (point === 'staged' && !unblock) unblock = blockStateWrites();
          if (point === 'device-confirmed') unblock?.();
        },
      },
    });
    let unblock: (() => void) | undefined;
    try {
      const before = historyLengths();
      const r = byLink(record(await rotator.rotate({ onProgress: (e) => void (e.phase === 'failed' && unblock?.()) })));
      const failed = failuresOf(r, 'confirm', /^cannot write the decision: .+; the key is rolled back$/);
      const commits = commitsSince(before);
      for (const l of failed) {
        // Its devices' confirms took the key back (and confirmed nothing of it).
        expect(removedIn(commits, l.link, l.keyId).length, l.link).toBeGreaterThan(0);
      }
      // Every end runs on one key: the links secured, no moment down (settle checks it after a healthy cycle too).
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
      await settle(rotator);
    } finally {
      unblock?.();
      await rotator.close();
    }
  });

  it('a step that throws before its link is decided (a hook): the link fails and is rolled back, not confirmed', async () => {
    let thrown = false; // once: settle()'s healthy cycle runs on the same rotator
    const rotator = bench.rotator({
      hooks: {
        pause: async (point, info) => {
          if (point === 'staged' && info.links.includes('L1') && info.kind !== 'fallback' && !thrown) {
            thrown = true;
            throw new Error('hook refused L1');
          }
        },
      },
    });
    try {
      const before = historyLengths();
      const r = byLink(record(await rotator.rotate()));
      expect(r.L1!.result).toBe('failed');
      expect(r.L1!.error).toMatchObject({ phase: 'confirm', message: 'hook refused L1 before the decision; the key is rolled back' });
      expect(removedIn(commitsSince(before), 'L1', r.L1!.keyId)).toHaveLength(2); // both ends
      for (const link of ['L2', 'L3', 'G1']) expect(r[link]!.result, link).toBe('ok');
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      await settle(rotator);
    } finally {
      await rotator.close();
    }
  });

  it('a device slow to answer its read: the links not on it are fetched and staged meanwhile, and every link rotates', async () => {
    const rotator = bench.rotator();
    try {
      // Its lock and its read (sent together) each wait 600 ms: G1, the one link on r7, is read 1.2 s late.
      bench.junos.setFaults('r7', { rpcLatencyMs: 600 });
      const keysBefore = bench.issuedKeys.length;
      let issuedBeforeG1 = 0;
      const stagedBeforeG1 = new Set<string>();
      let g1Read = false;
      const r = byLink(
        record(
          await rotator.rotate({
            onProgress: (e) => {
              if (e.phase === 'stage' && !g1Read) stagedBeforeG1.add(`${e.link} on ${e.device}`);
              if (e.phase === 'fetch' && e.link === 'G1') {
                g1Read = true;
                issuedBeforeG1 = bench.issuedKeys.length - keysBefore;
                bench.junos.setFaults('r7', {}); // its stage and confirm at full speed
              }
            },
          }),
        ),
      );
      expect(Object.values(r).map((l) => [l.link, l.result])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok']));
      // The master KMEs had issued the keys of L1, L2 and L3 before r7's read was in, and every
      // end of those links was staged: a slow device holds back its own links only.
      expect(issuedBeforeG1).toBe(3);
      expect([...stagedBeforeG1].sort()).toEqual(['L1', 'L2', 'L3'].flatMap((n) => r[n]!.devices.map((d) => `${n} on ${d}`)).sort());
      await settle(rotator);
    } finally {
      bench.junos.setFaults('r7', {});
      await rotator.close();
    }
  });

  it('each link starts when it needs to: a link read later starts later, and the state records each its own', async () => {
    const rotator = bench.rotator();
    try {
      bench.junos.setFaults('r7', { rpcLatencyMs: 300 }); // G1's only device answers its read last
      let jumped = false;
      const r = byLink(
        record(
          await rotator.rotate({
            onProgress: (e) => {
              // The other links are planned; 10 s (of the 30 s lead time) pass before r7's read is in.
              if (e.phase === 'fetch' && e.link !== 'G1' && !jumped) {
                jumped = true;
                void bench.junos.advance(10_000);
              }
              if (e.phase === 'fetch' && e.link === 'G1') bench.junos.setFaults('r7', {});
            },
          }),
        ),
      );
      expect(Object.values(r).map((l) => [l.link, l.result, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', undefined]));
      const starts = Object.fromEntries(Object.values(r).map((l) => [l.link, Date.parse(l.startTime!)]));
      for (const n of ['L1', 'L2', 'L3']) expect(starts.G1! - starts[n]!, n).toBeGreaterThanOrEqual(10_000);
      // The state records each link's own start-time as when its key became active.
      const state = await createStateStore(bench.stateDir).load();
      for (const n of ['L1', 'G1']) expect(Date.parse(state.links[n]!.activeSince!), n).toBe(starts[n]);
      await settle(rotator);
    } finally {
      bench.junos.setFaults('r7', {});
      await rotator.close();
    }
  });

  it('a device unreachable at the start of the cycle: its links are skipped, nothing spent', async () => {
    const rotator = bench.rotator();
    try {
      bench.junos.setFaults('r7', { authFailure: true });
      const keysBefore = bench.issuedKeys.length;
      const r = byLink(record(await rotator.rotate({ links: ['G1'] })));
      bench.junos.setFaults('r7', {});
      expect(r.G1!.result).toBe('failed');
      expect(r.G1!.error).toMatchObject({ phase: 'read', device: 'r7' });
      expect(r.G1!.error!.message).toMatch(/cannot read the configuration of r7: .*(auth|Authentication)/i);
      expect(bench.issuedKeys.length).toBe(keysBefore);
      await settle(rotator);
    } finally {
      bench.junos.setFaults('r7', {});
      await rotator.close();
    }
  });
});

