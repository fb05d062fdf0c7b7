import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfigFile } from '@qkd-macsec/rotator';
import { parseConfig } from '@qkd-macsec/sim-kme';
import { parseSimConfig } from '@qkd-macsec/sim-junos';
import { computeTiming } from './timing.js';
import { buildTopology, devicesOfLink } from './topology.js';
import { rotatorConfig, rotatorConfigText, simJunosTopology, simKmeConfig } from './world-config.js';

describe('buildTopology', () => {
  it('makes a chain of point-to-point links and one group with an additional slave', () => {
    const t = buildTopology(20);
    expect(t.links).toHaveLength(20);
    expect(t.links.filter((l) => l.slaves.length === 1)).toHaveLength(19);
    const group = t.links.find((l) => l.slaves.length > 1)!;
    expect(devicesOfLink(group)).toEqual(['g0', 'g1', 'g2']);
    expect(t.devices).toHaveLength(23);
    expect(t.cables).toHaveLength(21);
    expect(t.cables.filter((c) => c.link === 'grp').map((c) => c.id)).toEqual(['grp#1', 'grp#2']);
  });

  it('keeps concurrency below the number of devices and names one slow device', () => {
    for (const n of [2, 3, 8, 20, 100]) {
      const t = buildTopology(n);
      expect(t.concurrency).toBeLessThan(t.devices.length);
      expect(t.devices.map((d) => d.name)).toContain(t.slowDevice);
    }
  });

  it('never puts the two ends of a link on one KME (sim-kme serves keys only between linked KMEs)', () => {
    const t = buildTopology(30);
    const kmeOf = new Map(t.devices.map((d) => [d.name, d.kme]));
    for (const l of t.links) {
      const kmes = devicesOfLink(l).map((d) => kmeOf.get(d));
      expect(new Set(kmes).size).toBe(kmes.length);
    }
  });

  it('uses every interface once per device', () => {
    const t = buildTopology(12);
    const used = t.links.flatMap((l) => [l.master, ...l.slaves].flatMap((e) => e.interfaces.map((i) => `${e.device}:${i}`)));
    expect(new Set(used).size).toBe(used.length);
  });

  it.each([1, 0, 2.5, 501])('refuses --links %s with a message naming the option', (n) => {
    expect(() => buildTopology(n)).toThrow(/--links must be a whole number 2\.\.500/);
  });
});

describe('generated configuration', () => {
  const t = buildTopology(6);
  const timing = computeTiming({ devices: t.devices.length, concurrency: t.concurrency, confirmMinuteMs: 3000, slowCommitMs: 1500, maxFaultCommitMs: 1000 });

  it('is a valid sim-kme configuration with every SAE attached once', () => {
    const c = parseConfig(simKmeConfig(t, '/tmp/pki'));
    expect(c.kmes.flatMap((k) => k.saes).sort()).toEqual(t.devices.map((d) => d.sae).sort());
  });

  it('is a valid sim-junos topology with the slow device slowed', () => {
    const passwords = Object.fromEntries(t.devices.map((d) => [d.name, `pw-${d.name}`]));
    const c = parseSimConfig(simJunosTopology(t, passwords, 1500));
    expect(c.devices[t.slowDevice]!.faults).toEqual({ commitLatencyMs: 1500 });
    expect(c.links).toHaveLength(t.cables.length);
  });

  it('gives the rotator a 1-minute confirm timeout, start-times from the lead time, and concurrency below the devices', () => {
    const input = {
      topology: t,
      timing,
      kmeUrls: { KME_A: 'https://127.0.0.1:1', KME_B: 'https://127.0.0.1:2', KME_C: 'https://127.0.0.1:3' },
      caFile: '/pki/ca.crt',
      saeFiles: Object.fromEntries(t.devices.map((d) => [d.sae, { cert: `/pki/${d.sae}.crt`, key: `/pki/${d.sae}.key` }])),
      devices: Object.fromEntries(t.devices.map((d, i) => [d.name, { host: '127.0.0.1', port: 2000 + i, username: 'admin', hostKeyFingerprint: 'SHA256:x', passwordFile: `/s/${d.name}` }])),
      stateDir: '/state',
      fallbackIntervalHours: 0.05,
      kmeTimeoutMs: 2000,
    };
    const c = rotatorConfig(input);
    expect(c.rotation).toMatchObject({ confirmTimeoutMinutes: 1, startAfterConfirmTimeout: false, leadTimeSeconds: timing.leadTimeSeconds, concurrency: t.concurrency });
    expect(c.rotation.concurrency).toBeLessThan(Object.keys(c.devices).length);
    expect(c.links.find((l) => l.name === 'grp')!.slaves).toHaveLength(2);
    const text = rotatorConfigText(input);
    expect(text.startsWith('# Written by tools/chaos')).toBe(true);
    expect(JSON.parse(text.slice(text.indexOf('{')))).toEqual(c);
  });
});

describe('generated rotator config against the rotator itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the rotator\'s own checks, the interval rule included', async () => {
    const t = buildTopology(20);
    const timing = computeTiming({ devices: t.devices.length, concurrency: t.concurrency, confirmMinuteMs: 3000, slowCommitMs: 1500, maxFaultCommitMs: 1000 });
    const file = (name: string) => {
      const p = join(dir, name);
      writeFileSync(p, 'x\n', { mode: 0o600 });
      return p;
    };
    const text = rotatorConfigText({
      topology: t,
      timing,
      kmeUrls: { KME_A: 'https://127.0.0.1:1001', KME_B: 'https://127.0.0.1:1002', KME_C: 'https://127.0.0.1:1003' },
      caFile: file('ca.crt'),
      saeFiles: Object.fromEntries(t.devices.map((d) => [d.sae, { cert: file(`${d.sae}.crt`), key: file(`${d.sae}.key`) }])),
      devices: Object.fromEntries(t.devices.map((d, i) => [d.name, { host: '127.0.0.1', port: 2000 + i, username: 'admin', hostKeyFingerprint: `SHA256:${'A'.repeat(43)}`, passwordFile: file(`pw-${d.name}`) }])),
      stateDir: join(dir, 'state'),
      fallbackIntervalHours: 0.05,
      kmeTimeoutMs: 2000,
    });
    writeFileSync(join(dir, 'qkd-macsec.yaml'), text);
    const result = await checkConfigFile(join(dir, 'qkd-macsec.yaml'), { env: {} });
    expect(result.issues).toEqual([]);
    expect(result.config?.rotation).toMatchObject({ confirmTimeoutMinutes: 1, startAfterConfirmTimeout: false });
  });
});

describe('computeTiming', () => {
  it('puts the start-time after the latest rollback of an unconfirmed end', () => {
    for (const [devices, concurrency, minute] of [[5, 2, 1000], [23, 7, 3000], [203, 67, 4000]] as const) {
      const tm = computeTiming({ devices, concurrency, confirmMinuteMs: minute, slowCommitMs: 1500, maxFaultCommitMs: 1000 });
      expect(tm.leadTimeSeconds * 1000).toBeGreaterThan(tm.latestRollbackMs);
      expect(tm.latestRollbackMs).toBe(tm.stageWindowMs + minute);
      expect(tm.restartDelays.afterStartTimeMs).toBeGreaterThan(tm.leadTimeSeconds * 1000);
      expect(tm.intervalSeconds).toBeGreaterThanOrEqual(tm.leadTimeSeconds + 6 + tm.stageWindowMs / 1000);
    }
  });
});
