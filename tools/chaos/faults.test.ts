// Fault episodes against a real sim-kme admin endpoint (HTTP on loopback), not a stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimKme, type SimKme } from '@qkd-macsec/sim-kme';
import { adminClient } from './admin.js';
import { faultBody, JUNOS_FAULTS, KME_FAULTS, startFaults } from './faults.js';
import { seededRandom } from './random.js';

let sim: SimKme;
beforeAll(async () => {
  sim = await startSimKme({ admin: {} });
});
afterAll(() => sim.close());

describe('faultBody', () => {
  it('gives every kind a body within its limits', () => {
    const r = seededRandom(5);
    for (const kind of [...KME_FAULTS, ...JUNOS_FAULTS]) {
      const body = faultBody(kind, r, { maxCommitLatencyMs: 800, maxKmeLatencyMs: 900 });
      const [[field, value]] = Object.entries(body) as [[string, unknown]];
      expect(Object.keys(body)).toHaveLength(1);
      if (field.endsWith('Rate')) expect(value).toBeLessThanOrEqual(1); // a fraction of requests
      if (field === 'failCommits' || field === 'dropAfterRpcs') expect(value).toBeLessThanOrEqual(6);
    }
    expect(faultBody('slow-commit', r, { maxCommitLatencyMs: 800, maxKmeLatencyMs: 900 }).commitLatencyMs).toBeLessThanOrEqual(800);
    expect(faultBody('kme-latency', r, { maxCommitLatencyMs: 800, maxKmeLatencyMs: 900 }).latencyMs).toBeLessThanOrEqual(900);
  });
});

describe('startFaults against sim-kme', () => {
  it('sets episodes through the admin endpoint and puts every target back at stop', async () => {
    const admin = adminClient('sim-kme', sim.adminUrl!);
    const seen: Array<Record<string, unknown>> = [];
    const faults = startFaults({
      targets: ['KME_A', 'KME_B'].map((id) => ({ sim: 'sim-kme' as const, id, admin, base: {} })),
      random: seededRandom(11),
      limits: { maxCommitLatencyMs: 500, maxKmeLatencyMs: 500 },
      meanGapMs: 30,
      durationMs: { min: 200, max: 300 },
      onEpisode: (e) => void admin.get(e.target.split(' ')[1]!).then((f) => seen.push(f)),
    });
    await new Promise((r) => setTimeout(r, 400));
    await faults.stop();
    expect(faults.episodes.length).toBeGreaterThanOrEqual(2);
    expect(faults.episodes.every((e) => e.error === undefined)).toBe(true);
    // While an episode ran, the simulator had its fault; after stop, none.
    const faulty = (f: Record<string, unknown>) => Object.values(f).some((v) => typeof v === 'number' && v > 0);
    expect(seen.some(faulty)).toBe(true);
    for (const id of ['KME_A', 'KME_B']) expect(faulty(await admin.get(id))).toBe(false);
  });

  it('records a fault the endpoint refuses, with its message', async () => {
    const admin = adminClient('sim-kme', sim.adminUrl!);
    await expect(admin.patch('KME_A', { unavailableRate: 7 })).rejects.toThrow(/sim-kme admin PATCH \/faults\/KME_A: HTTP 400: .*unavailableRate/);
    await expect(admin.get('KME_Z')).rejects.toThrow(/HTTP 404/);
  });
});
