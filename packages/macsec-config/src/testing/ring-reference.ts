// Test reference: the ring planner as it was before it was rewritten to allocate less
// (sorted copies, filters, a Map and a Set per plan). ring.test.ts checks that the planner gives
// the same plans and the same errors as this on random chains.
import { RingPlanError } from '../errors.js';
import type { KeyChainPlan, LinkEnd, LinkPlan, PlanKeyChainRotationOptions } from '../ring.js';
import { formatStartTime, parseStartTime } from '../start-time.js';
import { KEY_CHAIN_SLOTS, checkCkn, checkKeyIndex } from '../validate.js';

interface Dated {
  index: number;
  at: number;
}

/** Plans the next key of a chain. Throws RingPlanError on inconsistent input or a full ring. */
export function referencePlan(options: PlanKeyChainRotationOptions): KeyChainPlan {
  const { chain, now, leadTimeSeconds } = options;
  const chainName = chain?.name;
  const bad = (message: string, slot?: number) =>
    new RingPlanError(message, { code: 'bad-input', ...(chainName ? { chain: chainName } : {}), ...(slot !== undefined ? { slot } : {}) });
  if (!chain || !Array.isArray(chain.keys)) throw bad('chain.keys must be an array');
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) throw bad('now must be a valid Date');
  if (!Number.isFinite(leadTimeSeconds) || leadTimeSeconds < 0) throw bad(`leadTimeSeconds must be a non-negative number, got ${leadTimeSeconds}`);
  const spacing = options.minSpacingSeconds ?? 1;
  if (!Number.isFinite(spacing) || spacing < 1) throw bad(`minSpacingSeconds must be at least 1, got ${spacing}`);
  if (options.keyName !== undefined) {
    const problem = checkCkn(options.keyName);
    if (problem) throw bad(`keyName: ${problem}`);
  }
  const tz = { utcOffsetMinutes: options.utcOffsetMinutes ?? 0 };

  const occupied = new Set<number>();
  const live: Dated[] = [];
  const startOwner = new Map<number, number>();
  for (const key of chain.keys) {
    const problem = checkKeyIndex(key.index);
    if (problem) throw bad(problem);
    if (occupied.has(key.index)) throw bad(`key ${key.index} appears twice`, key.index);
    occupied.add(key.index);
    if (options.keyName !== undefined && key.keyName?.toLowerCase() === options.keyName.toLowerCase()) {
      throw new RingPlanError(`key-name is already in slot ${key.index}; a key is installed at most once`, {
        code: 'key-present',
        slot: key.index,
        ...(chainName ? { chain: chainName } : {}),
      });
    }
    if (key.startTime === undefined) throw bad(`key ${key.index} has no start-time`, key.index);
    let at: number;
    try {
      at = parseStartTime(key.startTime, tz).getTime();
    } catch (e) {
      throw bad(`key ${key.index}: ${(e as Error).message}`, key.index);
    }
    const clash = startOwner.get(at);
    if (clash !== undefined) {
      throw new RingPlanError(`keys ${clash} and ${key.index} share start-time ${key.startTime}`, {
        code: 'duplicate-start-time',
        slot: key.index,
        ...(chainName ? { chain: chainName } : {}),
      });
    }
    startOwner.set(at, key.index);
    // Inactive keys never activate: they hold their slot but take no part in the rotation.
    if (!key.inactive) live.push({ index: key.index, at });
  }

  const nowMs = now.getTime();
  const byStart = [...live].sort((a, b) => a.at - b.at);
  const started = byStart.filter((k) => k.at <= nowMs);
  const pending = byStart.filter((k) => k.at > nowMs);
  const active = started.at(-1) ?? null;
  const previous = started.at(-2) ?? null;
  const stale = started.slice(0, -2).map((k) => k.index);

  // Next slot in ring order after the most recently scheduled key (any start-time, inactive too).
  const all = [...startOwner.entries()].map(([at, index]) => ({ at, index })).sort((a, b) => a.at - b.at);
  const newest = all.at(-1);
  const from = newest ? (newest.index + 1) % KEY_CHAIN_SLOTS : 0;
  const ring = Array.from({ length: KEY_CHAIN_SLOTS }, (_, i) => (from + i) % KEY_CHAIN_SLOTS);
  let slot = ring.find((s) => !occupied.has(s));
  let overwritesSlot = false;
  if (slot === undefined) {
    slot = ring.find((s) => stale.includes(s));
    overwritesSlot = slot !== undefined;
  }
  if (slot === undefined) {
    throw new RingPlanError(`all ${KEY_CHAIN_SLOTS} slots hold the active, previous, pending or inactive keys`, {
      code: 'ring-full',
      ...(chainName ? { chain: chainName } : {}),
    });
  }

  // Whole seconds (Junos' resolution), at least the lead time ahead and after every key already set.
  let at = Math.ceil((nowMs + leadTimeSeconds * 1000) / 1000) * 1000;
  const latest = all.at(-1)?.at;
  if (latest !== undefined) at = Math.max(at, Math.ceil((latest + spacing * 1000) / 1000) * 1000);
  if (at <= nowMs) at = Math.floor(nowMs / 1000) * 1000 + 1000;
  if (options.startAt !== undefined) {
    const forced = options.startAt instanceof Date ? options.startAt.getTime() : Number.NaN;
    if (!Number.isFinite(forced) || forced % 1000 !== 0) throw bad('startAt must be a valid Date on a whole second');
    if (forced < at) {
      throw new RingPlanError(
        `startAt ${options.startAt.toISOString()} is earlier than the lead time and the chain allow (${new Date(at).toISOString()})`,
        { code: 'start-too-early', ...(chainName ? { chain: chainName } : {}) },
      );
    }
    at = forced;
  }
  const startsAt = new Date(at);

  const chosen = slot;
  return {
    slot: chosen,
    startTime: formatStartTime(startsAt, tz),
    startsAt,
    deleteSlots: stale.filter((s) => s !== chosen).sort((a, b) => a - b),
    activeSlot: active?.index ?? null,
    previousSlot: previous?.index ?? null,
    pendingSlots: pending.map((k) => k.index),
    overwritesSlot,
  };
}

export function referenceLinkPlan(options: {
  ends: readonly LinkEnd[];
  now: Date;
  leadTimeSeconds: number;
  keyName?: string;
  minSpacingSeconds?: number;
}): LinkPlan {
  if (!Array.isArray(options.ends) || options.ends.length === 0) {
    throw new RingPlanError('a link needs at least one end', { code: 'bad-input' });
  }
  const common = { now: options.now, leadTimeSeconds: options.leadTimeSeconds, keyName: options.keyName, minSpacingSeconds: options.minSpacingSeconds };
  const first = options.ends.map((end) => referencePlan({ ...common, chain: end.chain, utcOffsetMinutes: end.utcOffsetMinutes }));
  const startsAt = new Date(Math.max(...first.map((p) => p.startsAt.getTime())));
  return {
    startsAt,
    ends: options.ends.map((end) => referencePlan({ ...common, chain: end.chain, utcOffsetMinutes: end.utcOffsetMinutes, startAt: startsAt })),
  };
}
