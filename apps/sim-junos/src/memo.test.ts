import { describe, expect, it } from 'vitest';
import { memoize } from './memo.js';

describe('memoize', () => {
  it('computes a key once while it is among the last max..2·max keys, and forgets older ones', () => {
    const computed: string[] = [];
    const f = memoize(2, (k) => (computed.push(k), k.toUpperCase()));
    expect([f('a'), f('a'), f('b'), f('a')]).toEqual(['A', 'A', 'B', 'A']);
    expect(computed).toEqual(['a', 'b']);
    f('c'); // current (a, b) is full: it becomes the previous generation; current (c)
    f('d'); // current (c, d)
    expect(f('a')).toBe('A'); // found in the previous generation, not computed again; previous (c, d), current (a)
    expect(computed).toEqual(['a', 'b', 'c', 'd']);
    f('e'); // current (a, e)
    f('f'); // previous (a, e), current (f): b is gone
    f('g');
    expect(f('b')).toBe('B');
    expect(computed).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'b']);
  });
});
