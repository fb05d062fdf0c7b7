// Init from an empty configuration, then 20 consecutive rotations of three links and a group:
// zero down time on every simulated link, every key_ID installed once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdsInLog } from '../state/keyid-log.js';
import { createStateStore, KEY_IDS_FILE, LINKS_FILE, STATE_FILE } from '../state/store.js';
import { startBench, SIM_LINK_IDS, type Bench } from './testing/harness.js';

let bench: Bench;
beforeAll(async () => {
  bench = await startBench();
});
afterAll(async () => {
  await bench?.close();
});

describe('rotation end to end (sim-kme + sim-junos)', () => {
  it('inits from an empty config, rotates 20 times with no drop, and a second init changes nothing', async () => {
    const rotator = bench.rotator();
    try {
      // Before init: nothing is set up, so no link gets a key (none is spent).
      const early = await rotator.rotate();
      expect(early.links.map((l) => [l.result, l.error?.phase])).toEqual(Array(4).fill(['failed', 'plan']));
      expect(early.links[0]!.error!.message).toMatch(/r1 has no connectivity-association qkd-L1; run `qkd-macsec init`/);
      expect(bench.issuedKeys).toHaveLength(0);

      const dry = await rotator.init({ dryRun: true });
      expect(dry.changed).toBe(true);
      expect(dry.devices.every((d) => !d.applied)).toBe(true);
      expect(bench.junos.device('r1').committedText()).not.toContain('macsec');

      const init = await rotator.init();
      expect(init.errors).toEqual([]);
      expect(init.firstKeys.map((k) => k.link).sort()).toEqual(['G1', 'L1', 'L2', 'L3']);
      for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
      const securedFrom = bench.junos.now();
      const r1AfterInit = bench.junos.device('r1').history().length;
      // The record works: before init the links were down (no MACsec at all).
      expect(bench.junos.linkHistory('L1').downIntervals.length).toBeGreaterThan(0);

      // --dry-run: plans from what the devices hold, fetches nothing, changes nothing.
      const keysBefore = bench.issuedKeys.length;
      const historyBefore = bench.junos.device('r1').history().length;
      const dryRun = await rotator.rotate({ dryRun: true });
      expect(dryRun.dryRun).toBe(true);
      expect(dryRun.links.find((l) => l.link === 'G1')!.plan!.map((p) => p.device)).toEqual(['r5', 'r6', 'r7']);
      expect(dryRun.links.every((l) => l.result === 'ok' && l.keyId === undefined)).toBe(true);
      expect(bench.issuedKeys.length).toBe(keysBefore);
      expect(bench.junos.device('r1').history().length).toBe(historyBefore);

      // Two cycles at once that share r1 (L1: r1-r2, L3: r1-r3): the device mutex serialises them.
      const [a, b] = await Promise.all([rotator.rotate({ links: ['L1'] }), rotator.rotate({ links: ['L3'] })]);
      expect([a.links[0]!.result, b.links[0]!.result]).toEqual(['ok', 'ok']);
      await expect(rotator.rotate({ links: ['nope'] })).rejects.toThrow(/unknown link: nope/);

      const seen = new Set([...init.firstKeys.map((k) => k.keyId), a.links[0]!.keyId!, b.links[0]!.keyId!]);
      const installed: string[] = [...seen];
      expect(installed).toHaveLength(6);
      for (let i = 0; i < 20; i++) {
        const events: string[] = [];
        const report = await rotator.rotate({ onProgress: (e) => events.push(`${e.link}:${e.phase}`) });
        expect(report.links.map((l) => [l.link, l.result, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', undefined]));
        for (const l of report.links) {
          expect(seen.has(l.keyId!), `key ${l.keyId} reused`).toBe(false);
          seen.add(l.keyId!);
          installed.push(l.keyId!);
        }
        expect(events).toContain('G1:done');
        expect(events).toContain('L1:stage');
        if (i === 0) {
          // Every step boundary leaves one debug line (chaos runs kill on them).
          for (const step of ['journaled: links G1', 'device-staged: device r6,', 'staged: links L1', 'decided: links L2', 'device-confirmed: device r7,', 'confirmed: links'])
            expect(bench.logger.lines.some((l) => l.includes(`DEBUG`) && l.includes(`step ${step}`)), step).toBe(true);
        }
        for (const id of SIM_LINK_IDS) expect(bench.junos.linkStatus(id).state, `${id} after rotation ${i + 1}`).toBe('secured');
      }
      expect(installed).toHaveLength(4 * 21 + 2);
      expect(bench.junos.downIntervalsSince(securedFrom)).toEqual([]);

      // Chains are pruned: the active key, the previous one, nothing older.
      const text = bench.junos.device('r1').committedText();
      expect((text.match(/key-name/g) ?? []).length).toBeLessThanOrEqual(2 * 3);

      // Each device committed twice per cycle (commit confirmed + confirm), batched across links:
      // r1 carries L1 and L3, and did 22 cycles (20 + the two single-link ones) after init.
      const r1Commits = bench.junos.device('r1').history().length;
      expect(r1Commits - r1AfterInit).toBe(22 * 2);

      const again = await rotator.init();
      expect(again.changed).toBe(false);
      expect(again.devices.flatMap((d) => d.changes)).toEqual([]);

      const status = await rotator.status();
      expect(status.every((s) => s.secured)).toBe(true);
      expect(status.find((s) => s.link === 'G1')!.ends.map((e) => e.device)).toEqual(['r5', 'r6', 'r7']);

      // State: key IDs and CKNs only, mode 0600, never a key.
      const state = [await readFile(join(bench.stateDir, STATE_FILE), 'utf8'), await readFile(join(bench.stateDir, KEY_IDS_FILE), 'utf8'), await readFile(join(bench.stateDir, LINKS_FILE), 'utf8')].join('\n');
      // Every primary key_ID, plus the fallback keys init installed (one per link, not due again yet).
      expect(init.fallbackKeys!.map((k) => k.link).sort()).toEqual(['G1', 'L1', 'L2', 'L3']);
      expect((await keyIdsInLog(join(bench.stateDir, KEY_IDS_FILE))).sort()).toEqual([...installed, ...init.fallbackKeys!.map((k) => k.keyId)].sort());
      const everything = [state, ...bench.logger.lines].join('\n').toLowerCase();
      for (const k of bench.issuedKeys) expect(everything.includes(k.toLowerCase())).toBe(false);
    } finally {
      await rotator.close();
    }
  }, 120_000);
});
