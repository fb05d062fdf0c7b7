import { describe, expect, it } from 'vitest';
import { applySetCommands } from './config-text.js';
import { activeTree, emptyTree, type ConfigNode } from './config-tree.js';
import { activeKeyAt, createLinkModel, fallbackKeyOf } from './link-model.js';

const T0 = Date.UTC(2026, 0, 1);
const CKN1 = '11'.repeat(32);
const CKN2 = '22'.repeat(32);
const CAK1 = 'aa'.repeat(32);
const CAK2 = 'bb'.repeat(32);

function device(lines: string): ConfigNode {
  const t = emptyTree();
  applySetCommands(
    t,
    `set security macsec interfaces ge-0/0/0 connectivity-association CA\nset security macsec connectivity-association CA security-mode static-cak\n${lines}`,
  );
  return t;
}
const psk = (ckn: string, cak: string) => device(`set security macsec connectivity-association CA pre-shared-key ckn ${ckn} cak ${cak}`);
const chain = (...keys: Array<[number, string, string, string]>) =>
  device(
    ['set security macsec connectivity-association CA pre-shared-key-chain KC', ...keys.map(([i, ckn, cak, st]) => `set security authentication-key-chains key-chain KC key ${i} key-name ${ckn} secret ${cak} start-time ${st}`)].join('\n'),
  );

const FB_CKN = 'fb'.repeat(32);
const FB_CAK = 'fc'.repeat(32);
const fallbackKey = (ckn: string, cak: string) => `set security macsec connectivity-association CA fallback-key ckn ${ckn} cak ${cak}`;
/** A static PSK with a fallback-key next to it. */
const pskFb = (ckn: string, cak: string, fb: [string, string] = [FB_CKN, FB_CAK]) =>
  device(`set security macsec connectivity-association CA pre-shared-key ckn ${ckn} cak ${cak}\n${fallbackKey(...fb)}`);
/** A key-chain with a fallback-key next to it. */
const chainFb = (...keys: Array<[number, string, string, string]>) => {
  const t = chain(...keys);
  applySetCommands(t, fallbackKey(FB_CKN, FB_CAK));
  return t;
};

const link = { id: 'L', a: { device: 'r1', interface: 'ge-0/0/0' }, b: { device: 'r2', interface: 'ge-0/0/0' } };

describe('link model', () => {
  it('picks the key-chain key whose start-time passed most recently', () => {
    const t = chain([0, CKN1, CAK1, '2026-01-01.00:00:00'], [1, CKN2, CAK2, '2026-01-01.01:00:00']);
    expect(activeKeyAt(t, 'ge-0/0/0', T0 - 1)).toMatch(/no key of key-chain KC/);
    expect(activeKeyAt(t, 'ge-0/0/0', T0)).toMatchObject({ ckn: CKN1, keyIndex: 0 });
    expect(activeKeyAt(t, 'ge-0/0/0', T0 + 3_600_000 - 1)).toMatchObject({ ckn: CKN1 });
    expect(activeKeyAt(t, 'ge-0/0/0', T0 + 3_600_000)).toMatchObject({ ckn: CKN2, keyIndex: 1 });
    expect(activeKeyAt(emptyTree(), 'ge-0/0/0', T0)).toMatch(/no MACsec/);
  });

  it('ignores an inactive key-chain key', () => {
    const t = chain([0, CKN1, CAK1, '2026-01-01.00:00:00'], [1, CKN2, CAK2, '2026-01-01.01:00:00']);
    applySetCommands(t, 'deactivate security authentication-key-chains key-chain KC key 1');
    expect(activeKeyAt(activeTree(t), 'ge-0/0/0', T0 + 7_200_000)).toMatchObject({ ckn: CKN1, keyIndex: 0 });
  });

  it('is secured when both ends hold the same CKN and CAK, down otherwise', () => {
    const m = createLinkModel([link], new Map([['r1', psk(CKN1, CAK1)], ['r2', psk(CKN1, CAK1)]]), T0);
    expect(m.status('L', T0).state).toBe('secured');
    m.committed('r2', psk(CKN1, CAK2), T0 + 10);
    expect(m.status('L', T0 + 10)).toMatchObject({ state: 'down', reason: 'CAK mismatch' });
    m.committed('r1', psk(CKN1, CAK2), T0 + 25);
    expect(m.downIntervals('L', T0 + 30)).toEqual([{ from: T0 + 10, to: T0 + 25, reason: 'CAK mismatch' }]);
    expect(JSON.stringify(m.status('L', T0 + 30))).not.toContain(CAK2);
  });

  it('records a zero-length interval when two commits at one instant disagree for a moment', () => {
    const m = createLinkModel([link], new Map([['r1', psk(CKN1, CAK1)], ['r2', psk(CKN1, CAK1)]]), T0);
    m.committed('r1', psk(CKN2, CAK2), T0 + 5);
    m.committed('r2', psk(CKN2, CAK2), T0 + 5);
    expect(m.downIntervals('L', T0 + 5)).toEqual([{ from: T0 + 5, to: T0 + 5, reason: 'CKN mismatch' }]);
  });

  it('a hitless rollover — both ends staged before start-time — records no down interval', () => {
    const start = chain([0, CKN1, CAK1, '2025-12-31.00:00:00']);
    const m = createLinkModel([link], new Map([['r1', start], ['r2', start]]), T0);
    const staged = chain([0, CKN1, CAK1, '2025-12-31.00:00:00'], [1, CKN2, CAK2, '2026-01-01.00:10:00']);
    m.committed('r1', staged, T0 + 60_000);
    m.committed('r2', staged, T0 + 120_000);
    expect(m.status('L', T0 + 3_600_000)).toMatchObject({ state: 'secured', a: { ckn: CKN2, keyIndex: 1 } });
    expect(m.downIntervals('L', T0 + 3_600_000)).toEqual([]);
  });

  it('finds the exact instant a late end makes the rollover drop the link, without polling', () => {
    const start = chain([0, CKN1, CAK1, '2025-12-31.00:00:00']);
    const staged = chain([0, CKN1, CAK1, '2025-12-31.00:00:00'], [1, CKN2, CAK2, '2026-01-01.00:10:00']);
    const m = createLinkModel([link], new Map([['r1', start], ['r2', start]]), T0);
    m.committed('r1', staged, T0 + 60_000);
    // r2 commits only 5 minutes after the switch; nobody looked at the link in between.
    m.committed('r2', staged, T0 + 15 * 60_000);
    expect(m.downIntervals('L', T0 + 20 * 60_000)).toEqual([{ from: T0 + 10 * 60_000, to: T0 + 15 * 60_000, reason: 'CKN mismatch' }]);
  });

  it('reads start-times on each device clock: a device running ahead switches early', () => {
    const start = chain([0, CKN1, CAK1, '2025-12-31.00:00:00']);
    const staged = chain([0, CKN1, CAK1, '2025-12-31.00:00:00'], [1, CKN2, CAK2, '2026-01-01.00:10:00']);
    const skew = new Map([['r1', 3_000]]);
    const m = createLinkModel([link], new Map([['r1', start], ['r2', start]]), T0, (d) => skew.get(d) ?? 0);
    m.committed('r1', staged, T0 + 60_000);
    m.committed('r2', staged, T0 + 60_000);
    expect(m.downIntervals('L', T0 + 3_600_000)).toEqual([{ from: T0 + 10 * 60_000 - 3_000, to: T0 + 10 * 60_000, reason: 'CKN mismatch' }]);
  });
});

describe('link model: secured on fallback', () => {
  it('reads the fallback-key of the interface\'s connectivity association', () => {
    expect(fallbackKeyOf(pskFb(CKN1, CAK1), 'ge-0/0/0')).toEqual({ ckn: FB_CKN, cak: FB_CAK, ca: 'CA' });
    expect(fallbackKeyOf(psk(CKN1, CAK1), 'ge-0/0/0')).toBeUndefined();
    expect(fallbackKeyOf(pskFb(CKN1, CAK1), 'ge-0/0/9')).toBeUndefined();
  });

  it('goes secured -> fallback -> secured at commits, with fallback time recorded apart from down time', () => {
    const m = createLinkModel([link], new Map([['r1', pskFb(CKN1, CAK1)], ['r2', pskFb(CKN1, CAK1)]]), T0);
    expect(m.status('L', T0).state).toBe('secured');
    m.committed('r1', pskFb(CKN2, CAK2), T0 + 1_000);
    expect(m.status('L', T0 + 1_000)).toMatchObject({ state: 'fallback', since: T0 + 1_000, reason: 'CKN mismatch', a: { ckn: CKN2, fallbackCkn: FB_CKN }, b: { ckn: CKN1 } });
    expect(m.totals('L', T0 + 4_000)).toEqual({ downMs: 0, fallbackMs: 3_000 }); // open interval counts up to now
    m.committed('r2', pskFb(CKN2, CAK2), T0 + 5_000);
    expect(m.status('L', T0 + 5_000)).toMatchObject({ state: 'secured', since: T0 + 5_000 });
    expect(m.fallbackIntervals('L', T0 + 9_000)).toEqual([{ from: T0 + 1_000, to: T0 + 5_000, reason: 'CKN mismatch' }]);
    expect(m.downIntervals('L', T0 + 9_000)).toEqual([]);
    expect(m.totals('L', T0 + 9_000)).toEqual({ downMs: 0, fallbackMs: 4_000 });
    expect(JSON.stringify(m.status('L', T0 + 9_000))).not.toContain(FB_CAK);
  });

  it('falls back at the start-time an end switched alone, and comes back when the other end gets the key', () => {
    const start = chainFb([0, CKN1, CAK1, '2025-12-31.00:00:00']);
    const staged = chainFb([0, CKN1, CAK1, '2025-12-31.00:00:00'], [1, CKN2, CAK2, '2026-01-01.00:10:00']);
    const m = createLinkModel([link], new Map([['r1', start], ['r2', start]]), T0);
    const changes: string[] = [];
    m.onTransition((id, state, at, reason) => changes.push(`${id} ${state} ${(at - T0) / 60_000}min ${reason ?? ''}`.trim()));
    m.committed('r1', staged, T0 + 60_000); // r2 never got the key (its rotator died)
    expect(m.status('L', T0 + 9 * 60_000).state).toBe('secured');
    expect(m.status('L', T0 + 10 * 60_000)).toMatchObject({ state: 'fallback', since: T0 + 10 * 60_000, a: { keyIndex: 1 }, b: { keyIndex: 0 } });
    m.committed('r2', staged, T0 + 25 * 60_000);
    expect(m.status('L', T0 + 30 * 60_000)).toMatchObject({ state: 'secured', a: { keyIndex: 1 }, b: { keyIndex: 1 } });
    expect(m.fallbackIntervals('L', T0 + 30 * 60_000)).toEqual([{ from: T0 + 10 * 60_000, to: T0 + 25 * 60_000, reason: 'CKN mismatch' }]);
    expect(m.totals('L', T0 + 30 * 60_000)).toEqual({ downMs: 0, fallbackMs: 15 * 60_000 });
    expect(changes).toEqual(['L fallback 10min CKN mismatch', 'L secured 25min']);
  });

  it('is down, as without fallback, when the fallback keys differ or one end has none', () => {
    for (const r2 of [pskFb(CKN2, CAK2, [FB_CKN, CAK1]), pskFb(CKN2, CAK2, [CKN1, FB_CAK]), psk(CKN2, CAK2)]) {
      const m = createLinkModel([link], new Map([['r1', pskFb(CKN1, CAK1)], ['r2', r2]]), T0);
      expect(m.status('L', T0)).toMatchObject({ state: 'down', reason: 'CKN mismatch' });
      expect(m.totals('L', T0 + 2_000)).toEqual({ downMs: 2_000, fallbackMs: 0 });
      expect(m.fallbackIntervals('L', T0 + 2_000)).toEqual([]);
    }
  });

  it('moves fallback -> down -> fallback -> secured, closing each interval where the next opens', () => {
    const m = createLinkModel([link], new Map([['r1', pskFb(CKN1, CAK1)], ['r2', pskFb(CKN2, CAK2)]]), T0);
    expect(m.status('L', T0).state).toBe('fallback');
    m.committed('r2', psk(CKN2, CAK2), T0 + 1_000); // r2 loses its fallback-key
    m.committed('r2', pskFb(CKN2, CAK2), T0 + 3_000);
    m.committed('r1', pskFb(CKN2, CAK2), T0 + 6_000);
    expect(m.downIntervals('L', T0 + 10_000)).toEqual([{ from: T0 + 1_000, to: T0 + 3_000, reason: 'CKN mismatch' }]);
    expect(m.fallbackIntervals('L', T0 + 10_000)).toEqual([
      { from: T0, to: T0 + 1_000, reason: 'CKN mismatch' },
      { from: T0 + 3_000, to: T0 + 6_000, reason: 'CKN mismatch' },
    ]);
    expect(m.totals('L', T0 + 10_000)).toEqual({ downMs: 2_000, fallbackMs: 4_000 });
  });
});

describe('link model: start-times across a fleet', () => {
  const min = 60_000;
  const at = (m: number) => new Date(T0 + m * min).toISOString().slice(0, 16).replace('T', '.');
  const start = chain([0, CKN1, CAK1, '2025-12-31.00:00:00']);
  /** The next key in slot 1, starting `m` minutes after T0. */
  const staged = (m: number) => chain([0, CKN1, CAK1, '2025-12-31.00:00:00'], [1, CKN2, CAK2, at(m)]);
  const fleet = (n: number) => {
    const defs = Array.from({ length: n }, (_, i) => ({ id: `L${i}`, a: { device: `a${i}`, interface: 'ge-0/0/0' }, b: { device: `b${i}`, interface: 'ge-0/0/0' } }));
    const trees = new Map(defs.flatMap((d) => [[d.a.device, start] as const, [d.b.device, start] as const]));
    return { defs, trees };
  };

  it('reports the transitions of many links in time order, each at its own start-time', () => {
    const { defs, trees } = fleet(3);
    const m = createLinkModel(defs, trees, T0);
    const changes: string[] = [];
    m.onTransition((id, state, t) => changes.push(`${id} ${state} ${(t - T0) / min}`));
    // Only the a-ends get the key: each link goes down at its a-end's start-time.
    m.committed('a0', staged(30), T0 + min);
    m.committed('a1', staged(10), T0 + min);
    m.committed('a2', staged(20), T0 + min);
    m.syncTo(T0 + 60 * min);
    expect(changes).toEqual(['L1 down 10', 'L2 down 20', 'L0 down 30']);
  });

  it('schedules the start-times a device holds now: a moved or deleted key leaves no switch behind', () => {
    const { defs, trees } = fleet(2);
    const m = createLinkModel(defs, trees, T0);
    m.committed('a0', staged(10), T0 + min);
    m.committed('a1', staged(40), T0 + min);
    expect(m.nextSwitchAfter(T0 + min)).toBe(T0 + 10 * min);
    m.committed('a0', staged(50), T0 + 2 * min); // moved later
    expect(m.nextSwitchAfter(T0 + 2 * min)).toBe(T0 + 40 * min);
    m.committed('a1', start, T0 + 3 * min); // deleted
    expect(m.nextSwitchAfter(T0 + 3 * min)).toBe(T0 + 50 * min);
    expect(m.downIntervals('L0', T0 + 60 * min)).toEqual([{ from: T0 + 50 * min, reason: 'CKN mismatch' }]);
    expect(m.downIntervals('L1', T0 + 60 * min)).toEqual([]);
    expect(m.nextSwitchAfter(T0 + 60 * min)).toBe(Infinity);
  });

  it('answers nextSwitchAfter about an instant before the last one it evaluated', () => {
    const { defs, trees } = fleet(2);
    const m = createLinkModel(defs, trees, T0);
    m.committed('a0', staged(10), T0 + min);
    m.committed('b1', staged(20), T0 + min);
    m.syncTo(T0 + 15 * min);
    expect(m.nextSwitchAfter(T0 + 5 * min)).toBe(T0 + 10 * min);
    expect(m.nextSwitchAfter(T0 + 15 * min)).toBe(T0 + 20 * min);
  });

  it('reschedules a device\'s start-times on its new clock skew when its tree is applied again', () => {
    const { defs, trees } = fleet(1);
    const skew = new Map<string, number>();
    const m = createLinkModel(defs, trees, T0, (d) => skew.get(d) ?? 0);
    m.committed('a0', staged(10), T0 + min);
    expect(m.nextSwitchAfter(T0 + min)).toBe(T0 + 10 * min);
    skew.set('a0', 5_000);
    m.committed('a0', staged(10), T0 + 2 * min);
    expect(m.nextSwitchAfter(T0 + 2 * min)).toBe(T0 + 10 * min - 5_000);
    expect(m.downIntervals('L0', T0 + 11 * min)).toEqual([{ from: T0 + 10 * min - 5_000, reason: 'CKN mismatch' }]);
  });

  it('keeps every live start-time through thousands of re-commits (stale ones dropped)', () => {
    const { defs, trees } = fleet(4);
    const m = createLinkModel(defs, trees, T0);
    const trees7 = Array.from({ length: 7 }, (_, k) => staged(100 + k));
    for (let i = 0; i < 3_000; i++) m.committed(`a${i % 4}`, trees7[i % 7]!, T0 + min);
    // The last commit of a0..a3 were i = 2996..2999: start-times 100 + (i % 7).
    const expected = [2996, 2997, 2998, 2999].map((i) => T0 + (100 + (i % 7)) * min);
    expect(m.nextSwitchAfter(T0 + min)).toBe(Math.min(...expected));
    expect(defs.map((d) => m.downIntervals(d.id, T0 + 200 * min)[0]?.from)).toEqual(expected);
  });
});
