// Key-chain ring planning for hitless CAK rollover. A Junos key chain holds keys 0..63, each with
// a start-time; the active key is the one with the latest start-time not after now. To roll over,
// both ends get the next key in the next free slot with a start-time far enough ahead that every
// end holds it before it activates, and keys older than the one before the active key are pruned.
// Pure and deterministic: same chain, same clock, same plan.
import { RingPlanError } from './errors.js';
import type { DeleteTarget, MacsecConfig } from './model.js';
import type { Secret } from './secret.js';
import { formatStartTime, parseStartTime, type TimeZoneOption } from './start-time.js';
import { startTimeMillis } from './start-time-scan.js';
import { KEY_CHAIN_SLOTS, checkCkn, checkKeyIndex } from './validate.js';

/** What the planner needs of each key: the model's KeyChainKey fits. */
export interface RingKey {
  index: number;
  startTime?: string;
  keyName?: string;
  inactive?: boolean;
}

export interface PlanKeyChainRotationOptions extends TimeZoneOption {
  /** The chain as read from the device (e.g. parseConfigurationXml(...).keyChains[i]). */
  chain: { name?: string; keys: readonly RingKey[] };
  now: Date;
  /** How far after `now` the new key activates: enough for every end to commit it. */
  leadTimeSeconds: number;
  /** The new key's CKN; planning refuses when the chain already holds it. */
  keyName?: string;
  /** Minimum gap after the latest start-time already in the chain. Default 1 second. */
  minSpacingSeconds?: number;
  /**
   * Use exactly this start instant (whole seconds) instead of computing one, so that every end of
   * a link gets the same start-time; refused when it is earlier than the computed one would be.
   * planLinkRotation does this for you.
   */
  startAt?: Date;
}

export interface KeyChainPlan {
  /** Key index for the new key. */
  slot: number;
  /** Its start-time in the device's zone, as `set ... start-time` takes it. */
  startTime: string;
  /** The same instant as a Date. */
  startsAt: Date;
  /** Keys to delete: every key activated before the previous one. Ascending. */
  deleteSlots: number[];
  /** The key in use now (latest start-time <= now), or null for an empty / not yet started chain. */
  activeSlot: number | null;
  /** The key active before it, kept so a late peer still matches. */
  previousSlot: number | null;
  /** Keys already scheduled after now; kept, and the new key starts after them. */
  pendingSlots: number[];
  /** True when no slot was free and `slot` holds a stale key the new one overwrites. */
  overwritesSlot: boolean;
}

/** What one pass over a chain finds; positions are indexes into `chain.keys` (-1: none). */
interface ChainScan {
  chainName: string | undefined;
  nowMs: number;
  utcOffsetMinutes: number;
  /** The start instant of each key, by position. */
  ats: number[];
  /** The active key (latest start-time not after now), the one active before it. */
  active: number;
  previous: number;
  /** The key with the latest start-time, inactive keys too. */
  newest: number;
}

function badInput(chainName: string | undefined, message: string, slot?: number): RingPlanError {
  return new RingPlanError(message, { code: 'bad-input', ...(chainName ? { chain: chainName } : {}), ...(slot !== undefined ? { slot } : {}) });
}

/** Whether two key names are the same CKN, case aside, without lower-casing copies. */
function sameKeyName(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x > 127 || y > 127) return a.toLowerCase() === b.toLowerCase();
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

/** Checks the options and the chain, and reads every key's start instant once. */
function scanChain(options: PlanKeyChainRotationOptions): ChainScan {
  const { chain, now, leadTimeSeconds } = options;
  const chainName = chain?.name;
  if (!chain || !Array.isArray(chain.keys)) throw badInput(chainName, 'chain.keys must be an array');
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) throw badInput(chainName, 'now must be a valid Date');
  if (!Number.isFinite(leadTimeSeconds) || leadTimeSeconds < 0) throw badInput(chainName, `leadTimeSeconds must be a non-negative number, got ${leadTimeSeconds}`);
  const spacing = options.minSpacingSeconds ?? 1;
  if (!Number.isFinite(spacing) || spacing < 1) throw badInput(chainName, `minSpacingSeconds must be at least 1, got ${spacing}`);
  const keyName = options.keyName;
  if (keyName !== undefined) {
    const problem = checkCkn(keyName);
    if (problem) throw badInput(chainName, `keyName: ${problem}`);
  }
  const utcOffsetMinutes = options.utcOffsetMinutes ?? 0;
  const nowMs = now.getTime();
  const keys = chain.keys;
  const ats: number[] = [];
  let active = -1;
  let previous = -1;
  let newest = -1;
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j]!;
    const problem = checkKeyIndex(key.index);
    if (problem) throw badInput(chainName, problem);
    for (let i = 0; i < j; i++) if (keys[i]!.index === key.index) throw badInput(chainName, `key ${key.index} appears twice`, key.index);
    if (keyName !== undefined && typeof key.keyName === 'string' && sameKeyName(key.keyName, keyName)) {
      throw new RingPlanError(`key-name is already in slot ${key.index}; a key is installed at most once`, {
        code: 'key-present',
        slot: key.index,
        ...(chainName ? { chain: chainName } : {}),
      });
    }
    if (key.startTime === undefined) throw badInput(chainName, `key ${key.index} has no start-time`, key.index);
    const at = typeof key.startTime === 'string' ? startTimeMillis(key.startTime, utcOffsetMinutes) : Number.NaN;
    if (Number.isNaN(at)) {
      // The reason, from the parser that words it.
      let message = 'unreadable start-time';
      try {
        parseStartTime(key.startTime, { utcOffsetMinutes });
      } catch (e) {
        message = (e as Error).message;
      }
      throw badInput(chainName, `key ${key.index}: ${message}`, key.index);
    }
    for (let i = 0; i < j; i++) {
      if (ats[i] !== at) continue;
      throw new RingPlanError(`keys ${keys[i]!.index} and ${key.index} share start-time ${key.startTime}`, {
        code: 'duplicate-start-time',
        slot: key.index,
        ...(chainName ? { chain: chainName } : {}),
      });
    }
    ats.push(at);
    if (newest < 0 || at > ats[newest]!) newest = j;
    // Inactive keys never activate: they hold their slot but take no part in the rotation.
    if (key.inactive || at > nowMs) continue;
    if (active < 0 || at > ats[active]!) {
      previous = active;
      active = j;
    } else if (previous < 0 || at > ats[previous]!) previous = j;
  }
  return { chainName, nowMs, utcOffsetMinutes, ats, active, previous, newest };
}

/** Whether the key at `position` started before the previous key: pruned, its slot reusable. */
function isStale(scan: ChainScan, keys: readonly RingKey[], position: number): boolean {
  return !keys[position]!.inactive && scan.ats[position]! <= scan.nowMs && position !== scan.active && position !== scan.previous;
}

/** The earliest start instant the lead time and the chain allow: whole seconds, strictly after now. */
function earliestStart(scan: ChainScan, options: PlanKeyChainRotationOptions): number {
  const { nowMs } = scan;
  const spacing = options.minSpacingSeconds ?? 1;
  let at = Math.ceil((nowMs + options.leadTimeSeconds * 1000) / 1000) * 1000;
  if (scan.newest >= 0) at = Math.max(at, Math.ceil((scan.ats[scan.newest]! + spacing * 1000) / 1000) * 1000);
  if (at <= nowMs) at = Math.floor(nowMs / 1000) * 1000 + 1000;
  return at;
}

/** The position in `keys` of the key in `slot`, or -1. */
function positionOf(keys: readonly RingKey[], slot: number): number {
  for (let i = 0; i < keys.length; i++) if (keys[i]!.index === slot) return i;
  return -1;
}

/**
 * The slot for the new key: the first free one in ring order after the most recently scheduled
 * key (any start-time, inactive too); only when all are taken, a stale one (overwritten).
 */
function chooseSlot(scan: ChainScan, keys: readonly RingKey[]): number {
  const from = scan.newest >= 0 ? (keys[scan.newest]!.index + 1) % KEY_CHAIN_SLOTS : 0;
  for (let n = 0; n < KEY_CHAIN_SLOTS; n++) {
    const s = (from + n) % KEY_CHAIN_SLOTS;
    if (positionOf(keys, s) < 0) return s;
  }
  for (let n = 0; n < KEY_CHAIN_SLOTS; n++) {
    const s = (from + n) % KEY_CHAIN_SLOTS;
    if (isStale(scan, keys, positionOf(keys, s))) return s;
  }
  throw new RingPlanError(`all ${KEY_CHAIN_SLOTS} slots hold the active, previous, pending or inactive keys`, {
    code: 'ring-full',
    ...(scan.chainName ? { chain: scan.chainName } : {}),
  });
}

/** The plan for a scanned chain, its slot and the start instant. */
function planOf(scan: ChainScan, keys: readonly RingKey[], slot: number, at: number): KeyChainPlan {
  const deleteSlots: number[] = [];
  const pending: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (isStale(scan, keys, i)) {
      if (keys[i]!.index !== slot) deleteSlots.push(keys[i]!.index);
    } else if (!keys[i]!.inactive && scan.ats[i]! > scan.nowMs) pending.push(i);
  }
  if (deleteSlots.length > 1) deleteSlots.sort((a, b) => a - b);
  if (pending.length > 1) pending.sort((a, b) => scan.ats[a]! - scan.ats[b]!);
  for (let i = 0; i < pending.length; i++) pending[i] = keys[pending[i]!]!.index;
  const startsAt = new Date(at);
  return {
    slot,
    startTime: formatStartTime(startsAt, { utcOffsetMinutes: scan.utcOffsetMinutes }),
    startsAt,
    deleteSlots,
    activeSlot: scan.active >= 0 ? keys[scan.active]!.index : null,
    previousSlot: scan.previous >= 0 ? keys[scan.previous]!.index : null,
    pendingSlots: pending,
    overwritesSlot: positionOf(keys, slot) >= 0,
  };
}

/** Plans the next key of a chain. Throws RingPlanError on inconsistent input or a full ring. */
export function planKeyChainRotation(options: PlanKeyChainRotationOptions): KeyChainPlan {
  const scan = scanChain(options);
  const slot = chooseSlot(scan, options.chain.keys);
  let at = earliestStart(scan, options);
  if (options.startAt !== undefined) {
    const forced = options.startAt instanceof Date ? options.startAt.getTime() : Number.NaN;
    if (!Number.isFinite(forced) || forced % 1000 !== 0) throw badInput(scan.chainName, 'startAt must be a valid Date on a whole second');
    if (forced < at) {
      throw new RingPlanError(
        `startAt ${options.startAt.toISOString()} is earlier than the lead time and the chain allow (${new Date(at).toISOString()})`,
        { code: 'start-too-early', ...(scan.chainName ? { chain: scan.chainName } : {}) },
      );
    }
    at = forced;
  }
  return planOf(scan, options.chain.keys, slot, at);
}

export interface RotationChange {
  /** Add to the device: the new key in its slot. */
  config: MacsecConfig;
  /** Remove from the device: the pruned slots. */
  delete: DeleteTarget[];
}

/**
 * The configuration change that carries out a plan on one device: render it with
 * `renderSet(change.config, { delete: change.delete, revealSecrets: true })` or renderXml.
 */
export function keyChainRotationChange(plan: KeyChainPlan, key: { chain: string; keyName: string; secret: Secret }): RotationChange {
  return {
    config: { keyChains: [{ name: key.chain, keys: [{ index: plan.slot, keyName: key.keyName, secret: key.secret, startTime: plan.startTime }] }] },
    delete: plan.deleteSlots.map((index): DeleteTarget => ({ kind: 'key-chain-key', chain: key.chain, index })),
  };
}

export interface LinkEnd extends TimeZoneOption {
  /** The end's chain as read from its device. */
  chain: { name?: string; keys: readonly RingKey[] };
}

export interface LinkPlan {
  /** The one instant every end switches at. */
  startsAt: Date;
  /** One plan per end, in the order given; slots may differ, start instants do not. */
  ends: KeyChainPlan[];
}

/**
 * Plans one new key for every end of a link (or group): each end gets its own slot and prune list,
 * and all get the same start instant — the latest any end needs — formatted in each end's zone.
 */
export function planLinkRotation(options: {
  ends: readonly LinkEnd[];
  now: Date;
  leadTimeSeconds: number;
  keyName?: string;
  minSpacingSeconds?: number;
}): LinkPlan {
  const ends = options.ends;
  if (!Array.isArray(ends) || ends.length === 0) {
    throw new RingPlanError('a link needs at least one end', { code: 'bad-input' });
  }
  // Each end is scanned once: its slot and earliest start, then (on the latest of them) its plan.
  const scans: ChainScan[] = [];
  const slots: number[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  for (const end of ends) {
    const endOptions: PlanKeyChainRotationOptions = {
      chain: end.chain,
      now: options.now,
      leadTimeSeconds: options.leadTimeSeconds,
      keyName: options.keyName,
      minSpacingSeconds: options.minSpacingSeconds,
      utcOffsetMinutes: end.utcOffsetMinutes,
    };
    const scan = scanChain(endOptions);
    scans.push(scan);
    slots.push(chooseSlot(scan, end.chain.keys));
    latest = Math.max(latest, earliestStart(scan, endOptions));
  }
  const plans: KeyChainPlan[] = [];
  for (let i = 0; i < ends.length; i++) plans.push(planOf(scans[i]!, ends[i]!.chain.keys, slots[i]!, latest));
  return { startsAt: new Date(latest), ends: plans };
}
