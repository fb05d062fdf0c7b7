import { describe, expect, it } from 'vitest';
import { gc } from './gc.js';
import { trackPeakRss } from './peak-rss.js';

const MiB = 2 ** 20;

/** The RSS while a block of `bytes` is held and written; the block is garbage once this returns. */
function rssHolding(bytes: number): number {
  const block = Buffer.alloc(bytes, 1);
  return block[bytes - 1] === 1 ? process.memoryUsage.rss() : 0;
}

// Linux only: elsewhere the peak is sampled every 100 ms, and a block let go in between is missed.
describe.runIf(process.platform === 'linux')('trackPeakRss', () => {
  it('sees a peak it never sampled, and a reset starts over from what the process holds now', () => {
    const rss = trackPeakRss();
    try {
      const before = rss.peak();
      expect(before).toBeGreaterThanOrEqual(process.memoryUsage.rss() - MiB);
      // 96 MiB touched and let go before anything could sample it.
      const held = rssHolding(96 * MiB);
      gc();
      const peak = rss.peak();
      expect(peak).toBeGreaterThanOrEqual(held - MiB);
      // The kernel's high-water mark forgets the block once reset (its pages went back with the collection).
      rss.reset();
      expect(rss.peak()).toBeLessThan(peak - 64 * MiB);
    } finally {
      rss.stop();
    }
  });
});
