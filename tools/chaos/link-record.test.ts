import { describe, expect, it } from 'vitest';
import { parseLinkRecord, timeSince } from './link-record.js';

describe('parseLinkRecord', () => {
  it('reads sim-junos GET /links: intervals and whether the ends share a fallback key', () => {
    const r = parseLinkRecord({
      p01: { state: 'secured', a: { fallbackCkn: 'aa' }, b: { fallbackCkn: 'aa' }, downIntervals: [{ from: 1, to: 2, reason: 'CKN mismatch' }], fallbackIntervals: [] },
      p02: { state: 'fallback', a: { fallbackCkn: 'aa' }, b: { fallbackCkn: 'bb' }, downIntervals: [], fallbackIntervals: [{ from: 5, reason: 'CKN mismatch' }] },
      p03: { state: 'secured', a: {}, b: {}, downIntervals: [] },
    });
    expect(r.get('p01')).toEqual({ id: 'p01', state: 'secured', down: [{ from: 1, to: 2, reason: 'CKN mismatch' }], fallback: [], fallbackAgrees: true });
    expect(r.get('p02')).toMatchObject({ fallback: [{ from: 5, reason: 'CKN mismatch' }], fallbackAgrees: false });
    expect(r.get('p03')!.fallbackAgrees).toBe(false); // no fallback key at all is no safety net either
  });

  it('refuses a body that is not a link record', () => {
    expect(() => parseLinkRecord('nope')).toThrow(/expected an object of link records/);
    expect(() => parseLinkRecord({ p01: { downIntervals: 'x' } })).toThrow(/p01\.downIntervals is not a list/);
  });
});

describe('timeSince', () => {
  it('counts time after the baseline, open intervals up to now, zero-length ones as intervals', () => {
    const intervals = [
      { from: 0, to: 100, reason: 'set-up' }, // over before the baseline
      { from: 50, to: 150, reason: 'x' }, // straddles it: 50 ms after
      { from: 200, to: 200, reason: 'a moment' },
      { from: 300, reason: 'still down' },
    ];
    expect(timeSince(intervals, 100, 400)).toEqual({ ms: 50 + 0 + 100, count: 3 });
  });
});
