// The fallback-key: init installs one on every connectivity association from a QKD key of its own
// (its key_ID in the state, exactly the suite's bits, never a primary CKN, never one derived from a
// name); rotate() rotates a due one as a transaction of its own, hitlessly; `fallback.enabled:
// false` installs none and says so. And init's summary with a device it cannot reach.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInit } from '../cli/commands/init.js';
import { createStateStore } from '../state/store.js';
import type { RotatorState } from '../state/types.js';
import { LINKS, SIM_LINK_IDS, startBench, type Bench } from './testing/harness.js';

const ENDS: Record<string, string[]> = { L1: ['r1', 'r2'], L2: ['r3', 'r4'], L3: ['r1', 'r3'], G1: ['r5', 'r6', 'r7'] };
// The KME of each end (master first): enc_keys on the first, dec_keys on the others.
const END_KMES: Record<string, string[]> = { L1: ['KME_A', 'KME_B'], L2: ['KME_B', 'KME_A'], L3: ['KME_A', 'KME_B'], G1: ['KME_A', 'KME_B', 'KME_C'] };
// The field script's kind of fallback-key: computable by anyone who knows the CA's name.
const NAME_DERIVED = createHash('sha256').update('qkd-L2').digest('hex');

const readState = async (b: Bench): Promise<RotatorState> => createStateStore(b.stateDir).load();
/** The fallback-key CKN and every key-chain key name a device's committed configuration shows for a CA. */
function keysOf(b: Bench, device: string, link: string) {
  const committed = b.junos.device(device).committedText();
  const ca = new RegExp(`connectivity-association qkd-${link} \\{[\\s\\S]*?\\n {8}\\}`).exec(committed)?.[0] ?? '';
  const fallback = /fallback-key \{\s*ckn ([0-9a-f]+);/.exec(ca)?.[1];
  const chain = new RegExp(`key-chain qkd-${link} \\{[\\s\\S]*?\\n {8}\\}`).exec(committed)?.[0] ?? '';
  return { fallback, primaries: [...chain.matchAll(/key-name ([0-9a-f]+);/g)].map((m) => m[1]!) };
}

describe('fallback-key from QKD', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await startBench({
      deviceConfig: {
        r3: `set security macsec connectivity-association qkd-L2 security-mode static-cak
set security macsec connectivity-association qkd-L2 cipher-suite gcm-aes-256
set security macsec connectivity-association qkd-L2 fallback-key ckn ${NAME_DERIVED}
set security macsec connectivity-association qkd-L2 fallback-key cak ${NAME_DERIVED}`,
      },
    });
  });
  afterAll(async () => {
    await bench?.close();
  });

  it('init installs one per link from its own QKD key, never a primary CKN, and replaces a name-derived one', async () => {
    const rotator = bench.rotator();
    try {
      const dry = await rotator.init({ dryRun: true });
      expect(dry.devices.find((d) => d.device === 'r3')!.changes).toContain(
        'connectivity-association qkd-L2: fallback-key: would replace (not one the rotator installed from a QKD key) from a QKD key of its own (link L2)',
      );
      const init = await rotator.init();
      expect(init.errors).toEqual([]);
      expect(init.fallbackKeys!.map((k) => k.link).sort()).toEqual(['G1', 'L1', 'L2', 'L3']);
      const state = await readState(bench);
      const keyLog = await bench.keyLog();
      const allPrimaries = new Set(LINKS.flatMap((l) => ENDS[l.name]!.flatMap((d) => keysOf(bench, d, l.name).primaries)));
      expect(allPrimaries.size).toBeGreaterThanOrEqual(4);
      for (const { link, keyId } of init.fallbackKeys!) {
        expect(state.links[link]!.fallback!.keyId).toBe(keyId);
        expect(await state.keyIds.find(keyId)).toMatchObject({ link, kind: 'fallback' });
        const ckn = state.links[link]!.fallback!.ckn;
        // From the key_ID the KME handed out (sha256-keyid), not from a name or a constant.
        expect(ckn).toBe(createHash('sha256').update(keyId).digest('hex'));
        expect(ckn).not.toBe(NAME_DERIVED);
        expect(allPrimaries.has(ckn)).toBe(false);
        expect(keyId).not.toBe(state.links[link]!.keyId);
        for (const d of ENDS[link]!) expect(keysOf(bench, d, link).fallback, `${d} ${link}`).toBe(ckn);
        // sim-kme's key log: enc_keys on the master's KME, dec_keys on each slave's, exactly the suite's 256 bits.
        expect(keyLog.filter((k) => k.keyId === keyId)).toEqual(END_KMES[link]!.map((kme) => ({ kme, keyId, bits: 256 })));
      }
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      // A link's fallback key goes in once its first key is active: no time on fallback at init.
      expect(bench.junos.fallbackIntervalsSince(0)).toEqual([]);

      const again = await rotator.init();
      expect(again.changed).toBe(false);
      expect(again.fallbackKeys).toEqual([]);

      const everything = [JSON.stringify(state), ...bench.logger.lines].join('\n').toLowerCase();
      for (const k of bench.issuedKeys) expect(everything.includes(k)).toBe(false);
    } finally {
      await rotator.close();
    }
  }, 90_000);

  it('rotate() leaves a fallback-key alone until it is due', async () => {
    const rotator = bench.rotator();
    try {
      const report = await rotator.rotate();
      expect(report.links.every((l) => l.result === 'ok')).toBe(true);
      expect(report.fallback).toBeUndefined();
    } finally {
      await rotator.close();
    }
  }, 90_000);

  it('rotate() rotates due fallback-keys as their own transaction, hitlessly', async () => {
    const before = await readState(bench);
    const since = bench.junos.now();
    const events: string[] = [];
    const rotator = bench.rotator({
      config: { ...bench.config, fallback: { enabled: true, intervalHours: 0.01 } },
      hooks: { pause: async (point, info) => void events.push(`${info.kind}:${point}`) },
    });
    try {
      bench.junos.advance(60_000); // 36 s interval: every fallback-key is due
      const report = await rotator.rotate();
      expect(report.links.every((l) => l.result === 'ok')).toBe(true);
      expect(report.fallback!.map((l) => [l.link, l.result, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', undefined]));
      expect(events).toContain('fallback:decided');
      expect(events).toContain('fallback:device-confirmed');
      const state = await readState(bench);
      expect(state.journals).toBeUndefined();
      for (const l of report.fallback!) {
        expect(l.keyId).not.toBe(before.links[l.link]!.fallback!.keyId);
        expect(state.links[l.link]!.fallback!.keyId).toBe(l.keyId);
        expect(await state.keyIds.find(l.keyId!)).toMatchObject({ kind: 'fallback' });
        for (const d of ENDS[l.link]!) {
          const k = keysOf(bench, d, l.link);
          expect(k.fallback).toBe(state.links[l.link]!.fallback!.ckn);
          expect(k.primaries).not.toContain(k.fallback);
        }
      }
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
      const status = await rotator.status();
      expect(status.map((s) => [s.link, s.secured, s.onFallback])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, true, false]));
    } finally {
      await rotator.close();
    }
  }, 90_000);

  it('a fallback change that fails on one end puts the previous fallback-key back on every end, and is due again at once', async () => {
    const before = await readState(bench);
    let injected = false;
    const since = bench.junos.now();
    const rotator = bench.rotator({
      config: { ...bench.config, fallback: { enabled: true, intervalHours: 0.01 } },
      hooks: {
        pause: async (point, info) => {
          // Both ends have staged the new fallback-key; r2 refuses its confirm (once, in the first transaction).
          if (info.kind === 'fallback' && point === 'staged' && !injected) {
            injected = true;
            bench.junos.setFaults('r2', { failCommits: 1 });
          }
        },
      },
    });
    try {
      bench.junos.advance(60_000);
      const report = await rotator.rotate({ links: ['L1'] });
      expect(report.fallback!.map((l) => [l.link, l.result])).toEqual([['L1', 'failed']]);
      const old = before.links.L1!.fallback!.ckn;
      for (const d of ENDS.L1!) expect(keysOf(bench, d, 'L1').fallback, d).toBe(old);
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
      // Due again at once, as after a crash: the next rotate gives the link a fresh fallback key.
      expect((await readState(bench)).links.L1!.fallback).toBeUndefined();
      const next = await rotator.rotate({ links: ['L1'] });
      expect(next.fallback!.map((l) => [l.link, l.result])).toEqual([['L1', 'ok']]);
      const fresh = (await readState(bench)).links.L1!.fallback!.ckn;
      expect(fresh).not.toBe(old);
      for (const d of ENDS.L1!) expect(keysOf(bench, d, 'L1').fallback, d).toBe(fresh);
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      bench.junos.setFaults('r2', {});
      await rotator.close();
    }
  }, 90_000);

  it('a fallback transaction cut off after its decision is completed by resume() (same rules as a primary key)', async () => {
    const fast = { ...bench.config, fallback: { enabled: true, intervalHours: 0.01 } };
    bench.junos.advance(60_000);
    const since = bench.junos.now();
    // The rotator stops right after the decision (SIGTERM-like close): no confirm goes out.
    const first = bench.rotator({
      config: fast,
      hooks: {
        pause: async (point, info) => {
          if (info.kind === 'fallback' && point === 'decided') await first.close();
        },
      },
    });
    const report = await first.rotate({ links: ['L2'] });
    expect(report.fallback!.map((l) => [l.link, l.result])).toEqual([['L2', 'failed']]);
    const journal = Object.values((await readState(bench)).journals ?? {})[0]!;
    expect(journal.kind).toBe('fallback');
    expect(journal.decision!.links).toEqual(['L2']);
    const ckn = journal.links.L2!.ckn;
    for (const d of ENDS.L2!) expect(bench.junos.device(d).history()[0]!.confirmPending).toBe(true);

    const second = bench.rotator({ config: fast });
    try {
      const status = await second.status({ links: ['L2'] });
      expect(status[0]!.unfinished).toMatchObject({ kind: 'fallback', decided: true, keyId: journal.links.L2!.keyId });
      const resumed = await second.resume();
      expect(resumed).toEqual([{ link: 'L2', kind: 'fallback', keyId: journal.links.L2!.keyId, outcome: 'completed', devices: ['r3', 'r4'] }]);
      for (const d of ENDS.L2!) {
        expect(bench.junos.device(d).history()[0]!.confirmPending).toBeFalsy();
        expect(keysOf(bench, d, 'L2').fallback).toBe(ckn);
      }
      const state = await readState(bench);
      expect(state.journals).toBeUndefined();
      expect(state.links.L2!.fallback!.ckn).toBe(ckn);
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      await second.close();
    }
  }, 90_000);

  it('one cut off before its decision is rolled back, and resume() installs a fresh one at once on every end', async () => {
    const fast = { ...bench.config, fallback: { enabled: true, intervalHours: 0.01 } };
    bench.junos.advance(60_000);
    const since = bench.junos.now();
    const first = bench.rotator({
      config: fast,
      hooks: {
        pause: async (point, info) => {
          if (info.kind === 'fallback' && point === 'staged') await first.close();
        },
      },
    });
    await first.rotate({ links: ['L1'] });
    const journal = Object.values((await readState(bench)).journals ?? {})[0]!;
    expect(journal.kind).toBe('fallback');
    expect(journal.decision).toBeUndefined();

    const second = bench.rotator(); // the default interval (168 h): due only because it was rolled back
    try {
      const resumed = await second.resume();
      expect(resumed.map((r) => [r.link, r.kind, r.outcome])).toEqual([['L1', 'fallback', 'rolled-back']]);
      expect(resumed[0]!.message).toMatch(/no decision was recorded/);
      // The rollback alone could leave the ends on different fallback keys (some had taken the new
      // one): resume() gives every end one fresh key right away instead of waiting for a due slot.
      const fresh = (await readState(bench)).links.L1!.fallback!;
      expect(fresh.keyId).not.toBe(journal.links.L1!.keyId);
      for (const d of ENDS.L1!) expect(keysOf(bench, d, 'L1').fallback).toBe(fresh.ckn);
      expect((await readState(bench)).journals ?? {}).toEqual({});
      expect(bench.junos.linkStatus('L1').state).toBe('secured');

      const report = await second.rotate({ links: ['L1'] });
      expect(report.fallback).toBeUndefined(); // not due again
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      await second.close();
    }
  }, 90_000);

  it('verification reports a link secured on its fallback key, with an alarm; the next rotate repairs it', async () => {
    const since = bench.junos.now();
    bench.junos.setFaults('r2', { clockSkewMs: -600_000 }); // r2's clock 10 minutes late: it switches alone, late
    const rotator = bench.rotator();
    try {
      const report = await rotator.rotate({ links: ['L1'] });
      const l1 = report.links[0]!;
      expect([l1.result, l1.onFallback, l1.error?.phase]).toEqual(['failed', true, 'verify']);
      expect(l1.error!.message).toMatch(/MKA secured on the fallback key/);
      expect(bench.logger.lines).toContain('ERROR link L1: secured on its FALLBACK key — the primary keys of its ends differ; repairing on the next run');
      expect((await rotator.status({ links: ['L1'] }))[0]).toMatchObject({ onFallback: true, secured: false });
      bench.junos.setFaults('r2', {});
      const again = await rotator.rotate({ links: ['L1'] });
      expect(again.links.map((l) => [l.result, l.onFallback])).toEqual([['ok', undefined]]);
      expect((await rotator.status({ links: ['L1'] }))[0]).toMatchObject({ onFallback: false, secured: true });
      expect(bench.junos.downIntervalsSince(since)).toEqual([]);
    } finally {
      bench.junos.setFaults('r2', {});
      await rotator.close();
    }
  }, 90_000);
});

describe('fallback.enabled: false, and a device init cannot reach', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await startBench({ fallback: { enabled: false, intervalHours: 168 } });
  });
  afterAll(async () => {
    await bench?.close();
  });

  it('installs no fallback-key and says so', async () => {
    const rotator = bench.rotator();
    try {
      const init = await rotator.init();
      expect(init.errors).toEqual([]);
      expect(init.fallbackKeys).toBeUndefined();
      expect(init.notes?.[0]).toMatch(/fallback keys are disabled \(fallback\.enabled: false\): no fallback-key installed/);
      expect(formatInit(init)).toMatch(/note: fallback keys are disabled/);
      expect(bench.junos.device('r1').committedText()).not.toContain('fallback-key');
      expect(Object.values((await readState(bench)).links).some((l) => l.fallback)).toBe(false);
      expect((await rotator.rotate()).fallback).toBeUndefined();
    } finally {
      await rotator.close();
    }
  }, 90_000);

  it("init's summary names the device it could not reach instead of 'nothing changed'", async () => {
    bench.junos.setFaults('r2', { authFailure: true });
    const rotator = bench.rotator();
    try {
      const init = await rotator.init();
      expect(init.errors.some((e) => e.startsWith('r2: cannot read the configuration'))).toBe(true);
      const text = formatInit(init);
      expect(text).not.toMatch(/nothing changed/);
      expect(text.split('\n').at(-1)).toBe('1 of 7 devices could not be configured (r2): see the errors above; the other 6 were already configured. Run `qkd-macsec init` again once they are reachable.');
    } finally {
      bench.junos.setFaults('r2', {});
      await rotator.close();
    }
  }, 90_000);
});
