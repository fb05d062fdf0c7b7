import { describe, expect, it, vi } from 'vitest';
import { coalesce } from './coalesce.js';

describe('coalesce', () => {
  it('serves many concurrent requests with one write after the running one, each seeing its own change', async () => {
    let value = 0;
    const written: number[] = [];
    const write = coalesce(async () => {
      const v = value;
      await new Promise((r) => setTimeout(r, 5));
      written.push(v);
    });
    value = 1;
    const first = write();
    const later = Array.from({ length: 100 }, (_, i) => {
      value = i + 2;
      const snapshot = value;
      return write().then(() => expect(written.at(-1)).toBeGreaterThanOrEqual(snapshot));
    });
    await Promise.all([first, ...later]);
    expect(written).toEqual([1, 101]);
    await write();
    expect(written).toHaveLength(3);
  });

  it('a failed write fails its callers and does not block the next one', async () => {
    let n = 0;
    const write = coalesce(async () => {
      n++;
      if (n === 1) throw new Error('disk full');
    });
    const a = write();
    const b = write();
    await expect(a).rejects.toThrow('disk full');
    await expect(b).resolves.toBeUndefined();
    expect(n).toBe(2);
  });

  it('waits gapFactor times the last write between writes, within minGapMs and maxGapMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const started: number[] = [];
      let took = 0;
      const write = coalesce(
        async () => {
          started.push(performance.now());
          await new Promise((r) => setTimeout(r, took));
        },
        { minGapMs: 40, gapFactor: 3, maxGapMs: 100 },
      );
      const gapAfter = async (ms: number): Promise<number> => {
        took = ms;
        const first = write();
        await vi.advanceTimersByTimeAsync(ms);
        await first;
        const second = write(); // asked at once: waits for the gap
        await vi.advanceTimersByTimeAsync(1_000);
        await second;
        const [a, b] = started.slice(-2) as [number, number];
        await vi.advanceTimersByTimeAsync(1_000); // past any gap before the next pair
        return b - (a + ms);
      };
      expect(await gapAfter(5)).toBe(40); // 3 × 5 ms is below the minimum
      expect(await gapAfter(20)).toBe(60); // 3 × 20 ms
      expect(await gapAfter(500)).toBe(100); // a slow fsync does not hold the next write back 1.5 s
    } finally {
      vi.useRealTimers();
    }
  });

  it('hurry(): a write waiting out its gap starts now; one queued behind a running write starts as it ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const started: number[] = [];
      const write = coalesce(
        async () => {
          started.push(performance.now());
          await new Promise((r) => setTimeout(r, 10));
        },
        { minGapMs: 40, gapFactor: 3, maxGapMs: 100 },
      );
      write.hurry(); // nothing waiting: no effect
      const first = write(); // 0–10, then a 40 ms gap
      await vi.advanceTimersByTimeAsync(15);
      await first;
      const second = write(); // would start at 50
      write.hurry();
      await vi.advanceTimersByTimeAsync(0);
      expect(started).toEqual([0, 15]);
      await vi.advanceTimersByTimeAsync(5); // t = 20: the second write runs until 25
      const third = write(); // queued behind it, then its gap: would start at 65
      write.hurry();
      await vi.advanceTimersByTimeAsync(5);
      await second;
      await vi.advanceTimersByTimeAsync(0);
      expect(started).toEqual([0, 15, 25]);
      await vi.advanceTimersByTimeAsync(10);
      await third;
    } finally {
      vi.useRealTimers();
    }
  });
});
