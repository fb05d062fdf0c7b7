import { describe, expect, it } from 'vitest';
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
});
