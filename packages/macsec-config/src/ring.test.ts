import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingPlanError } from './errors.js';
import { renderSet } from './render-set.js';
import { renderXml } from './render-xml.js';
import { keyChainRotationChange, planKeyChainRotation, planLinkRotation, type RingKey } from './ring.js';
import { Secret } from './secret.js';
import { formatStartTime, parseStartTime } from './start-time.js';
import { referenceLinkPlan, referencePlan } from './testing/ring-reference.js';

const T0 = new Date('2026-11-24T20:00:00Z');
const at = (offsetSeconds: number) => formatStartTime(new Date(T0.getTime() + offsetSeconds * 1000));
const key = (index: number, offsetSeconds: number, extra: Partial<RingKey> = {}): RingKey => ({ index, startTime: at(offsetSeconds), ...extra });

describe('planKeyChainRotation', () => {
  it('starts an empty chain at slot 0, lead time ahead', () => {
    expect(planKeyChainRotation({ chain: { keys: [] }, now: T0, leadTimeSeconds: 120 })).toEqual({
      slot: 0,
      startTime: '2026-11-24.20:02:00',
      startsAt: new Date('2026-11-24T20:02:00Z'),
      deleteSlots: [],
      activeSlot: null,
      previousSlot: null,
      pendingSlots: [],
      overwritesSlot: false,
    });
  });

  it('keeps the active key and the one before, deletes older ones', () => {
    const plan = planKeyChainRotation({ chain: { keys: [key(1, -900), key(2, -600), key(3, -300), key(4, -60)] }, now: T0, leadTimeSeconds: 60 });
    expect(plan).toMatchObject({ slot: 5, activeSlot: 4, previousSlot: 3, deleteSlots: [1, 2], pendingSlots: [] });
  });

  it('treats a key starting exactly now as active (clock edge)', () => {
    const plan = planKeyChainRotation({ chain: { keys: [key(10, -300), key(11, 0)] }, now: T0, leadTimeSeconds: 30 });
    expect(plan.activeSlot).toBe(11);
    expect(plan.previousSlot).toBe(10);
    const before = planKeyChainRotation({ chain: { keys: [key(10, -300), key(11, 0)] }, now: new Date(T0.getTime() - 1), leadTimeSeconds: 30 });
    expect(before.activeSlot).toBe(10);
    expect(before.previousSlot).toBeNull();
    expect(before.pendingSlots).toEqual([11]);
  });

  it('wraps from slot 63 to 0', () => {
    const plan = planKeyChainRotation({ chain: { keys: [key(62, -600), key(63, -300)] }, now: T0, leadTimeSeconds: 60 });
    expect(plan.slot).toBe(0);
    expect(plan.deleteSlots).toEqual([]);
    const later = planKeyChainRotation({ chain: { keys: [key(62, -900), key(63, -600), key(0, -300)] }, now: T0, leadTimeSeconds: 60 });
    expect(later).toMatchObject({ slot: 1, activeSlot: 0, previousSlot: 63, deleteSlots: [62] });
  });

  it('skips occupied slots and follows the newest start-time, not the highest index', () => {
    const plan = planKeyChainRotation({ chain: { keys: [key(40, -300), key(5, -600), key(41, -900), key(42, -1200)] }, now: T0, leadTimeSeconds: 60 });
    // Newest is 40, so the ring continues at 41; 41 and 42 are held (stale, still present), so 43.
    expect(plan.slot).toBe(43);
    expect(plan.activeSlot).toBe(40);
    expect(plan.previousSlot).toBe(5);
    expect(plan.deleteSlots).toEqual([41, 42]);
  });

  it('rounds the start-time up to a whole second and keeps it after pending keys', () => {
    const now = new Date(T0.getTime() + 250);
    expect(planKeyChainRotation({ chain: { keys: [] }, now, leadTimeSeconds: 10 }).startTime).toBe('2026-11-24.20:00:11');
    const withPending = planKeyChainRotation({ chain: { keys: [key(1, -60), key(2, 600)] }, now: T0, leadTimeSeconds: 60 });
    expect(withPending).toMatchObject({ slot: 3, activeSlot: 1, pendingSlots: [2], startTime: '2026-11-24.20:10:01' });
    const spaced = planKeyChainRotation({ chain: { keys: [key(1, -60), key(2, 600)] }, now: T0, leadTimeSeconds: 60, minSpacingSeconds: 300 });
    expect(spaced.startTime).toBe('2026-11-24.20:15:00');
    // Zero lead time still lands strictly after now.
    expect(planKeyChainRotation({ chain: { keys: [] }, now: T0, leadTimeSeconds: 0 }).startsAt.getTime()).toBe(T0.getTime() + 1000);
  });

  it('formats and reads start-times in the device zone', () => {
    const keys = [{ index: 0, startTime: '2026-11-24.14:55:00' }]; // UTC-05:00 device: 19:55 UTC
    const plan = planKeyChainRotation({ chain: { keys }, now: T0, leadTimeSeconds: 300, utcOffsetMinutes: -300 });
    expect(plan.activeSlot).toBe(0);
    expect(plan.startTime).toBe('2026-11-24.15:05:00');
    expect(plan.startsAt.toISOString()).toBe('2026-11-24T20:05:00.000Z');
    // Offsets Junos prints back win over the option.
    const printed = planKeyChainRotation({ chain: { keys: [{ index: 0, startTime: '2026-11-24.20:01:00 +0000' }] }, now: T0, leadTimeSeconds: 0, utcOffsetMinutes: -300 });
    expect(printed.pendingSlots).toEqual([0]);
  });

  it('leaves inactive keys alone', () => {
    const plan = planKeyChainRotation({ chain: { keys: [key(0, -1200, { inactive: true }), key(1, -900), key(2, -600), key(3, -300)] }, now: T0, leadTimeSeconds: 60 });
    expect(plan).toMatchObject({ slot: 4, activeSlot: 3, previousSlot: 2, deleteSlots: [1] });
  });

  it('overwrites a stale slot only when no slot is free', () => {
    const keys = Array.from({ length: 64 }, (_, i) => key(i, -6400 + i * 100));
    const plan = planKeyChainRotation({ chain: { keys }, now: T0, leadTimeSeconds: 60 });
    expect(plan).toMatchObject({ slot: 0, overwritesSlot: true, activeSlot: 63, previousSlot: 62 });
    expect(plan.deleteSlots).toHaveLength(61);
    expect(plan.deleteSlots).not.toContain(0);
  });

  it('refuses a full ring, duplicates, an installed key and bad input', () => {
    const full = Array.from({ length: 64 }, (_, i) => key(i, -60 + i * 100));
    expect(() => planKeyChainRotation({ chain: { name: 'KC', keys: full }, now: T0, leadTimeSeconds: 60 })).toThrow(/all 64 slots/);
    const err = (() => {
      try {
        planKeyChainRotation({ chain: { name: 'KC', keys: [key(1, -60), key(2, -60)] }, now: T0, leadTimeSeconds: 60 });
      } catch (e) {
        return e as RingPlanError;
      }
    })();
    expect(err).toBeInstanceOf(RingPlanError);
    expect({ code: err?.code, chain: err?.chain, slot: err?.slot }).toEqual({ code: 'duplicate-start-time', chain: 'KC', slot: 2 });
    expect(() => planKeyChainRotation({ chain: { keys: [key(1, -60, { keyName: 'ABCD' })] }, now: T0, leadTimeSeconds: 60, keyName: 'abcd' })).toThrow(/already in slot 1/);
    expect(() => planKeyChainRotation({ chain: { keys: [key(1, -60), key(1, -30)] }, now: T0, leadTimeSeconds: 60 })).toThrow(/key 1 appears twice/);
    expect(() => planKeyChainRotation({ chain: { keys: [key(64, -60)] }, now: T0, leadTimeSeconds: 60 })).toThrow(/0..63, got 64/);
    expect(() => planKeyChainRotation({ chain: { keys: [{ index: 1 }] }, now: T0, leadTimeSeconds: 60 })).toThrow(/key 1 has no start-time/);
    expect(() => planKeyChainRotation({ chain: { keys: [{ index: 1, startTime: 'soon' }] }, now: T0, leadTimeSeconds: 60 })).toThrow(/key 1: start-time "soon"/);
    expect(() => planKeyChainRotation({ chain: { keys: [] }, now: new Date('x'), leadTimeSeconds: 60 })).toThrow(/valid Date/);
    expect(() => planKeyChainRotation({ chain: { keys: [] }, now: T0, leadTimeSeconds: -1 })).toThrow(/leadTimeSeconds/);
    expect(() => planKeyChainRotation({ chain: { keys: [] }, now: T0, leadTimeSeconds: 1, keyName: 'xyz' })).toThrow(/keyName/);
    expect(() => planKeyChainRotation({ chain: {} as never, now: T0, leadTimeSeconds: 1 })).toThrow(/chain.keys must be an array/);
    expect(() => planKeyChainRotation({ chain: { keys: [] }, now: T0, leadTimeSeconds: 1, minSpacingSeconds: 0 })).toThrow(/minSpacingSeconds/);
  });
});

describe('startAt and planLinkRotation', () => {
  it('uses a forced start instant only when it is late enough', () => {
    const startAt = new Date(T0.getTime() + 600_000);
    expect(planKeyChainRotation({ chain: { keys: [] }, now: T0, leadTimeSeconds: 60, startAt }).startTime).toBe('2026-11-24.20:10:00');
    expect(() => planKeyChainRotation({ chain: { keys: [] }, now: T0, leadTimeSeconds: 60, startAt: new Date(T0.getTime() + 30_000) })).toThrow(/earlier than the lead time/);
    expect(() => planKeyChainRotation({ chain: { keys: [key(1, 900)] }, now: T0, leadTimeSeconds: 60, startAt })).toThrow(RingPlanError);
    expect(() => planKeyChainRotation({ chain: { keys: [] }, now: T0, leadTimeSeconds: 60, startAt: new Date(startAt.getTime() + 1) })).toThrow(/whole second/);
  });

  it('gives every end the same instant, its own slot, prune list and zone', () => {
    const link = planLinkRotation({
      ends: [
        { chain: { name: 'A', keys: [key(1, -900), key(2, -600), key(3, -300)] } },
        // This end already has a key pending at +5 min, so both must start after it.
        { chain: { name: 'B', keys: [{ index: 40, startTime: '2026-11-24.14:55:00' }, { index: 41, startTime: '2026-11-24.15:05:00' }] }, utcOffsetMinutes: -300 },
      ],
      now: T0,
      leadTimeSeconds: 120,
    });
    expect(link.startsAt.toISOString()).toBe('2026-11-24T20:05:01.000Z');
    expect(link.ends[0]).toMatchObject({ slot: 4, startTime: '2026-11-24.20:05:01', deleteSlots: [1], activeSlot: 3 });
    expect(link.ends[1]).toMatchObject({ slot: 42, startTime: '2026-11-24.15:05:01', deleteSlots: [], activeSlot: 40, pendingSlots: [41] });
    for (const end of link.ends) expect(end.startsAt).toEqual(link.startsAt);
    expect(() => planLinkRotation({ ends: [], now: T0, leadTimeSeconds: 1 })).toThrow(/at least one end/);
  });

  it('agrees on the instant for any pair of chains (property)', () => {
    const chain = fc
      .uniqueArray(fc.record({ index: fc.integer({ min: 0, max: 63 }), offset: fc.integer({ min: -5000, max: 5000 }) }), { selector: (k) => k.index, maxLength: 8 })
      .map((ks) => {
        const seen = new Set<number>();
        return ks.filter((k) => !seen.has(k.offset) && (seen.add(k.offset), true)).map((k) => key(k.index, k.offset));
      });
    fc.assert(
      fc.property(chain, chain, fc.integer({ min: -720, max: 840 }), fc.integer({ min: 0, max: 900 }), (a, b, offset, lead) => {
        const bLocal = b.map((k) => ({ ...k, startTime: formatStartTime(parseStartTime(k.startTime!), { utcOffsetMinutes: offset }) }));
        const link = planLinkRotation({ ends: [{ chain: { keys: a } }, { chain: { keys: bLocal }, utcOffsetMinutes: offset }], now: T0, leadTimeSeconds: lead });
        expect(parseStartTime(link.ends[0]!.startTime).getTime()).toBe(link.startsAt.getTime());
        expect(parseStartTime(link.ends[1]!.startTime, { utcOffsetMinutes: offset }).getTime()).toBe(link.startsAt.getTime());
        expect(link.startsAt.getTime()).toBeGreaterThanOrEqual(T0.getTime() + lead * 1000);
      }),
      { numRuns: 300 },
    );
  });
});

describe('keyChainRotationChange', () => {
  it('renders the hitless change in set and XML form', () => {
    const plan = planKeyChainRotation({ chain: { name: 'KC1', keys: [key(1, -900), key(2, -600), key(3, -300)] }, now: T0, leadTimeSeconds: 120 });
    const change = keyChainRotationChange(plan, { chain: 'KC1', keyName: 'ab'.repeat(32), secret: Secret.fromHex('cd'.repeat(16)) });
    expect(renderSet(change.config, { delete: change.delete, revealSecrets: true })).toEqual([
      'delete security authentication-key-chains key-chain KC1 key 1',
      `set security authentication-key-chains key-chain KC1 key 4 secret ${'cd'.repeat(16)}`,
      `set security authentication-key-chains key-chain KC1 key 4 key-name ${'ab'.repeat(32)}`,
      'set security authentication-key-chains key-chain KC1 key 4 start-time 2026-11-24.20:02:00',
    ]);
    const xml = renderXml(change.config, { delete: change.delete });
    expect(xml).toContain('<key delete="delete">\n          <name>1</name>\n        </key>');
    expect(xml).toContain('<secret>[redacted]</secret>');
  });
});

describe('ring properties', () => {
  const chainArb = fc
    .uniqueArray(fc.record({ index: fc.integer({ min: 0, max: 63 }), offset: fc.integer({ min: -100_000, max: 100_000 }), inactive: fc.boolean() }), {
      selector: (k) => k.index,
      maxLength: 64,
    })
    .map((ks) => {
      const seen = new Set<number>();
      return ks.filter((k) => !seen.has(k.offset) && (seen.add(k.offset), true)).map((k) => key(k.index, k.offset, k.inactive ? { inactive: true } : {}));
    });

  it('never deletes or reuses what must stay, and starts strictly after now and every key', () => {
    fc.assert(
      fc.property(chainArb, fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 0, max: 3600 }), (keys, nowOffsetMs, lead) => {
        const now = new Date(T0.getTime() + nowOffsetMs);
        let plan;
        try {
          plan = planKeyChainRotation({ chain: { keys }, now, leadTimeSeconds: lead });
        } catch (e) {
          expect(e).toBeInstanceOf(RingPlanError);
          expect((e as RingPlanError).code).toBe('ring-full');
          return;
        }
        const keep = new Set([plan.activeSlot, plan.previousSlot, ...plan.pendingSlots, ...keys.filter((k) => k.inactive).map((k) => k.index)]);
        expect(plan.slot).toBeGreaterThanOrEqual(0);
        expect(plan.slot).toBeLessThan(64);
        expect(keep.has(plan.slot)).toBe(false);
        expect(plan.deleteSlots.some((s) => keep.has(s) || s === plan.slot)).toBe(false);
        const occupied = keys.some((k) => k.index === plan.slot);
        expect(occupied).toBe(plan.overwritesSlot);
        expect(plan.startsAt.getTime()).toBeGreaterThan(now.getTime());
        expect(plan.startsAt.getTime()).toBeGreaterThanOrEqual(now.getTime() + lead * 1000);
        expect(plan.startsAt.getTime() % 1000).toBe(0);
        for (const k of keys) expect(plan.startsAt.getTime()).toBeGreaterThan(parseStartTime(k.startTime!).getTime());
        expect(parseStartTime(plan.startTime).getTime()).toBe(plan.startsAt.getTime());
        // The active key really is the latest live start-time not after now.
        const live = keys.filter((k) => !k.inactive && parseStartTime(k.startTime!).getTime() <= now.getTime());
        const latest = live.sort((a, b) => parseStartTime(b.startTime!).getTime() - parseStartTime(a.startTime!).getTime())[0];
        expect(plan.activeSlot).toBe(latest?.index ?? null);
        // Deterministic.
        expect(planKeyChainRotation({ chain: { keys }, now, leadTimeSeconds: lead })).toEqual(plan);
      }),
      { numRuns: 500 },
    );
  });

  it('a rotator applying each plan cycles the whole ring, holding at most three keys', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 130, max: 300 }), (lead, extraWait, rounds) => {
        let keys: RingKey[] = [];
        let now = T0;
        const used: number[] = [];
        let previousActive: number | null = null;
        for (let round = 0; round < rounds; round++) {
          const plan = planKeyChainRotation({ chain: { keys }, now, leadTimeSeconds: lead, keyName: (round + 1).toString(16).padStart(4, '0') });
          expect(plan.activeSlot).toBe(previousActive);
          keys = keys.filter((k) => !plan.deleteSlots.includes(k.index));
          keys.push({ index: plan.slot, startTime: plan.startTime, keyName: (round + 1).toString(16).padStart(4, '0') });
          expect(keys.length).toBeLessThanOrEqual(3);
          used.push(plan.slot);
          previousActive = plan.slot;
          now = new Date(plan.startsAt.getTime() + extraWait * 1000);
        }
        // Slots go round in order: 0, 1, ..., 63, 0, ...
        expect(used).toEqual(used.map((_, i) => i % 64));
      }),
      { numRuns: 30 },
    );
  });
});

describe('the planner against the reference (its implementation before the allocation cuts)', () => {
  /** The plan, or the error's class, message and context. */
  const outcome = (plan: () => unknown) => {
    try {
      return { plan: plan() };
    } catch (e) {
      return { error: e instanceof RingPlanError ? [e.name, e.message, e.code, e.chain, e.slot] : [(e as Error).name, (e as Error).message] };
    }
  };
  // Chains of any shape: clashing indexes and start-times, inactive keys, key names in either
  // case, missing and broken start-times, full rings, start-times in other zones.
  const ringKey = fc.record({
    index: fc.oneof(fc.integer({ min: 0, max: 63 }), fc.constantFrom(-1, 64, 1.5)),
    offset: fc.integer({ min: -40, max: 40 }).map((m) => m * 30),
    inactive: fc.option(fc.boolean(), { nil: undefined }),
    keyName: fc.option(fc.constantFrom('aa01', 'AA01', 'bb02', 'ab'.repeat(32), 'AB'.repeat(32)), { nil: undefined }),
    time: fc.constantFrom('utc', 'utc', 'utc', 'suffix', 'short', 'missing', 'broken'),
  });
  const toKey = (k: { index: number; offset: number; inactive?: boolean; keyName?: string; time: string }): RingKey => {
    const instant = new Date(T0.getTime() + k.offset * 1000);
    const startTime =
      k.time === 'missing' ? undefined : k.time === 'broken' ? '2026-02-30.00:00:00' : k.time === 'suffix' ? `${formatStartTime(instant, { utcOffsetMinutes: 60 })} +0100` : k.time === 'short' ? formatStartTime(instant).slice(0, 16) : formatStartTime(instant);
    return { index: k.index, ...(startTime !== undefined ? { startTime } : {}), ...(k.inactive !== undefined ? { inactive: k.inactive } : {}), ...(k.keyName !== undefined ? { keyName: k.keyName } : {}) };
  };
  const chain = fc.array(ringKey, { maxLength: 8 }).map((ks) => ks.map(toKey));
  // A ring with every slot taken: planning has to overwrite a stale key or refuse.
  const fullRing = fc.integer({ min: 0, max: 63 }).map((shift) => Array.from({ length: 64 }, (_, i): RingKey => ({ index: (i + shift) % 64, startTime: formatStartTime(new Date(T0.getTime() + (i - 60) * 60_000)) })));
  const options = fc.record({
    lead: fc.constantFrom(0, 30, 90, 600),
    keyName: fc.option(fc.constantFrom('ab'.repeat(32), 'aa01', 'xyz'), { nil: undefined }),
    spacing: fc.option(fc.constantFrom(1, 60, 0), { nil: undefined }),
    offset: fc.option(fc.constantFrom(0, -300, 330, 5000), { nil: undefined }),
    startAt: fc.option(fc.constantFrom(0, 600, 1200, 1.5), { nil: undefined }),
    nowShift: fc.constantFrom(0, 250, -1),
  });

  it('plans one chain exactly as the reference does (property)', () => {
    fc.assert(
      fc.property(fc.oneof(chain, chain, fullRing), options, (keys, o) => {
        const now = new Date(T0.getTime() + o.nowShift);
        const args = {
          chain: { name: 'KC', keys },
          now,
          leadTimeSeconds: o.lead,
          ...(o.keyName !== undefined ? { keyName: o.keyName } : {}),
          ...(o.spacing !== undefined ? { minSpacingSeconds: o.spacing } : {}),
          ...(o.offset !== undefined ? { utcOffsetMinutes: o.offset } : {}),
          ...(o.startAt !== undefined ? { startAt: new Date(T0.getTime() + o.startAt * 1000) } : {}),
        };
        expect(outcome(() => planKeyChainRotation(args))).toEqual(outcome(() => referencePlan(args)));
      }),
      { numRuns: 2000 },
    );
  });

  it('plans a link exactly as the reference does (property)', () => {
    fc.assert(
      fc.property(chain, chain, options, (a, b, o) => {
        const args = { ends: [{ chain: { keys: a } }, { chain: { name: 'B', keys: b }, ...(o.offset !== undefined ? { utcOffsetMinutes: o.offset } : {}) }], now: T0, leadTimeSeconds: o.lead, ...(o.keyName !== undefined ? { keyName: o.keyName } : {}) };
        expect(outcome(() => planLinkRotation(args))).toEqual(outcome(() => referenceLinkPlan(args)));
      }),
      { numRuns: 1000 },
    );
  });
});
