import { describe, expect, it, vi } from 'vitest';
import { armKill, FIRST_STEPS, killPlan, RESTART_CATEGORIES, restartDelay } from './kills.js';
import { seededRandom } from './random.js';
import { STEPS } from './steps.js';
import { computeTiming } from './timing.js';

const timing = computeTiming({ devices: 11, concurrency: 3, confirmMinuteMs: 2000, slowCommitMs: 800, maxFaultCommitMs: 600 });

describe('killPlan', () => {
  it('visits every step boundary in the first kills, between confirms first', () => {
    const r = seededRandom(1);
    const first = FIRST_STEPS.map((_, i) => killPlan(i, r, 10_000));
    expect(first[0]).toEqual({ kind: 'step', step: 'device-confirmed', nth: 1 });
    expect(new Set(first.map((p) => (p.kind === 'step' ? p.step : '')))).toEqual(new Set(STEPS));
  });

  it('then mixes random steps and random moments, replayable from the seed', () => {
    const plans = (seed: number) => Array.from({ length: 200 }, (_, i) => killPlan(i + FIRST_STEPS.length, seededRandom(seed + i), 10_000));
    const a = plans(7);
    expect(plans(7)).toEqual(a);
    expect(a.some((p) => p.kind === 'random')).toBe(true);
    expect(a.some((p) => p.kind === 'step' && p.nth > 1)).toBe(true);
    for (const p of a) if (p.kind === 'random') expect(p.afterMs).toBeGreaterThanOrEqual(200);
  });
});

describe('restartDelay', () => {
  it('covers at once, before the confirm timeout, before and after the start-time', () => {
    const r = seededRandom(3);
    const first = RESTART_CATEGORIES.map((_, i) => restartDelay(i, r, timing));
    expect(first.map((d) => d.category)).toEqual(RESTART_CATEGORIES);
    expect(first[0]!.delayMs).toBe(0);
    expect(first[1]!.delayMs).toBeLessThanOrEqual(timing.confirmMinuteMs);
    expect(first[2]!.delayMs).toBeGreaterThanOrEqual(timing.confirmMinuteMs);
    expect(first[2]!.delayMs).toBeLessThanOrEqual(timing.leadTimeSeconds * 1000);
    expect(first[3]!.delayMs).toBeGreaterThan(timing.leadTimeSeconds * 1000);
  });
});

describe('armKill', () => {
  it('fires at the nth matching step only, once', () => {
    const fire = vi.fn();
    const k = armKill({ kind: 'step', step: 'device-staged', nth: 2 }, fire);
    k.onStep({ step: 'device-confirmed', at: 0, source: 'sim-junos' });
    k.onStep({ step: 'device-staged', at: 1, device: 'r01', source: 'sim-junos' });
    expect(fire).not.toHaveBeenCalled();
    k.onStep({ step: 'device-staged', at: 2, device: 'r02', source: 'sim-junos' });
    k.onStep({ step: 'device-staged', at: 3, device: 'r03', source: 'sim-junos' });
    expect(fire).toHaveBeenCalledTimes(1);
    expect(fire.mock.calls[0]![0]).toMatchObject({ device: 'r02' });
  });

  it('fires a random moment after its delay, unless cancelled', async () => {
    const fired = vi.fn();
    armKill({ kind: 'random', afterMs: 20 }, fired);
    const cancelled = vi.fn();
    armKill({ kind: 'random', afterMs: 20 }, cancelled).cancel();
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toHaveBeenCalledWith(undefined);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
