import { describe, expect, it } from 'vitest';
import { median, settledMedian } from './stats.js';

describe('bench statistics', () => {
  it('median: the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/no values/);
  });

  it('settledMedian leaves the first half of the cycles out (the warm-up)', () => {
    // Eight cycles of a 2,000-link run on 2026-11-29 (ms): the first two are the cold ones.
    expect(settledMedian([4900, 4270, 3810, 3780, 3700, 3970, 3950, 4070])).toBe(3960);
    expect(settledMedian([5000, 4000, 3000])).toBe(3500);
    expect(settledMedian([4200])).toBe(4200);
  });
});
