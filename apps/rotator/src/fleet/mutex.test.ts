import { describe, expect, it } from 'vitest';
import { createKeyedMutex } from './mutex.js';
import { createLimiter } from './limit.js';

describe('keyed mutex', () => {
  it('never runs two holders of one key at once, and does not deadlock on overlapping sets', async () => {
    const m = createKeyedMutex();
    const inside = new Map<string, number>();
    let overlap = false;
    const job = (keys: string[]) =>
      m.withKeys(keys, async () => {
        for (const k of keys) {
          inside.set(k, (inside.get(k) ?? 0) + 1);
          if (inside.get(k)! > 1) overlap = true;
        }
        await new Promise((r) => setTimeout(r, 2));
        for (const k of keys) inside.set(k, inside.get(k)! - 1);
      });
    await Promise.all([job(['a', 'b']), job(['b', 'a']), job(['b', 'c']), job(['a']), job(['c', 'a'])]);
    expect(overlap).toBe(false);
    expect(m.held()).toEqual([]);
  });

  it('releases on a throw', async () => {
    const m = createKeyedMutex();
    await expect(m.withKeys(['x'], async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await m.withKeys(['x'], async () => 1)).toBe(1);
  });
});

describe('limiter', () => {
  it('keeps at most N running', async () => {
    const limit = createLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        limit(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 2));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});
