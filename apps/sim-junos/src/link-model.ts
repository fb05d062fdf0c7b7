// MACsec links between (device, interface) ends. Each end's active key at time t is its static
// pre-shared-key, or the key-chain key with the latest start-time <= t. A link is `secured` when
// both ends' active CKN and CAK match; else `fallback` when both ends' connectivity associations
// carry a `fallback-key` with the same CKN and CAK (Junos then runs MKA on the fallback PSK: the
// traffic flows, encrypted, but not on the primary key); else `down`. State changes only at
// commits and at key start-times (a fallback-key has no start-time), so the model computes every
// transition exactly from those instants instead of polling, and records every down interval and
// every interval on fallback, separately — including zero-length ones where two commits at the
// same instant disagreed for a moment.
import { findChild, getPath, leafValue, type ConfigNode } from './config-tree.js';
import { createSwitchQueue, type SwitchEntry } from './switch-queue.js';
import { parseStartTime } from './validate.js';

export interface LinkEnd {
  device: string;
  interface: string;
}

export interface LinkDefinition {
  id: string;
  a: LinkEnd;
  b: LinkEnd;
}

export interface ActiveKey {
  ckn: string;
  /** Held for comparison only; never put into output. */
  cak: string;
  ca: string;
  source: 'pre-shared-key' | 'key-chain';
  chain?: string;
  keyIndex?: number;
  startTime?: number;
}

export type LinkState = 'secured' | 'fallback' | 'down';

/** An interval in one state: down, or secured on fallback. */
export interface LinkInterval {
  from: number;
  /** Undefined while the link is still in that state. */
  to?: number;
  /** Why the primary keys did not secure the link (e.g. "CKN mismatch"). */
  reason: string;
}
export type DownInterval = LinkInterval;
export type FallbackInterval = LinkInterval;

/** Time spent down and on fallback up to an instant (ms; open intervals count up to it). */
export interface LinkTotals {
  downMs: number;
  fallbackMs: number;
}

/** A connectivity association's fallback-key. */
export interface FallbackKey {
  ckn: string;
  /** Held for comparison only; never put into output. */
  cak: string;
  ca: string;
}

/** What is safe to show about an end: everything but the CAK. */
export interface EndView {
  device: string;
  interface: string;
  ckn?: string;
  connectivityAssociation?: string;
  source?: ActiveKey['source'];
  chain?: string;
  keyIndex?: number;
  /** CKN of the connectivity association's fallback-key, when it has one. */
  fallbackCkn?: string;
}

export interface LinkStatus {
  id: string;
  state: LinkState;
  since: number;
  /** Why the primary keys do not secure the link (set when down or on fallback). */
  reason?: string;
  a: EndView;
  b: EndView;
}

/** The active key of `iface` in a committed tree at time t, or why there is none. */
export function activeKeyAt(tree: ConfigNode, iface: string, t: number): ActiveKey | string {
  const macsec = getPath(tree, 'security', 'macsec');
  const caName = leafValue(findChild(macsec ?? { tag: '', children: [] }, 'interfaces', iface), 'connectivity-association');
  if (caName === undefined) return 'no MACsec connectivity-association on the interface';
  const ca = macsec && findChild(macsec, 'connectivity-association', caName);
  if (!ca) return `connectivity-association ${caName} is not defined`;
  const psk = findChild(ca, 'pre-shared-key');
  if (psk) {
    const ckn = leafValue(psk, 'ckn');
    const cak = leafValue(psk, 'cak');
    if (ckn === undefined || cak === undefined) return 'pre-shared-key incomplete';
    return { ckn: ckn.toLowerCase(), cak: cak.toLowerCase(), ca: caName, source: 'pre-shared-key' };
  }
  const chainName = leafValue(ca, 'pre-shared-key-chain');
  if (chainName === undefined) return `connectivity-association ${caName} has no key`;
  const chain = getPath(tree, 'security', 'authentication-key-chains', ['key-chain', chainName]);
  if (!chain) return `key-chain ${chainName} is not defined`;
  let best: ActiveKey | undefined;
  for (const key of chain.children) {
    if (key.tag !== 'key') continue;
    const start = parseStartTime(leafValue(key, 'start-time') ?? '');
    const ckn = leafValue(key, 'key-name');
    const cak = leafValue(key, 'secret');
    if (start === undefined || start > t || ckn === undefined || cak === undefined) continue;
    if (!best || start > best.startTime! || (start === best.startTime && Number(key.name) > best.keyIndex!))
      best = { ckn: ckn.toLowerCase(), cak: cak.toLowerCase(), ca: caName, source: 'key-chain', chain: chainName, keyIndex: Number(key.name), startTime: start };
  }
  return best ?? `no key of key-chain ${chainName} has reached its start-time`;
}

/** The fallback-key of the interface's connectivity association, if it has a complete one. */
export function fallbackKeyOf(tree: ConfigNode, iface: string): FallbackKey | undefined {
  const macsec = getPath(tree, 'security', 'macsec');
  const caName = macsec && leafValue(findChild(macsec, 'interfaces', iface), 'connectivity-association');
  const ca = caName === undefined ? undefined : findChild(macsec!, 'connectivity-association', caName);
  const fk = ca && findChild(ca, 'fallback-key');
  const ckn = leafValue(fk, 'ckn');
  const cak = leafValue(fk, 'cak');
  return ckn === undefined || cak === undefined ? undefined : { ckn: ckn.toLowerCase(), cak: cak.toLowerCase(), ca: caName! };
}

/** Every key start-time of the interface's key-chain (device clock, ms), unsorted. */
function startTimesOf(tree: ConfigNode, iface: string): number[] {
  const macsec = getPath(tree, 'security', 'macsec');
  if (!macsec) return [];
  const caName = leafValue(findChild(macsec, 'interfaces', iface), 'connectivity-association');
  const ca = caName === undefined ? undefined : findChild(macsec, 'connectivity-association', caName);
  const chainName = ca && leafValue(ca, 'pre-shared-key-chain');
  const chain = chainName === undefined ? undefined : getPath(tree, 'security', 'authentication-key-chains', ['key-chain', chainName]);
  const out: number[] = [];
  for (const key of chain?.children ?? []) {
    const start = parseStartTime(leafValue(key, 'start-time') ?? '');
    if (start !== undefined) out.push(start);
  }
  return out;
}

/** How many of the ascending `times` are <= t. */
function countUpTo(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first of the ascending `times` after `after` (Infinity: none). */
const firstAfter = (times: readonly number[], after: number): number => times[countUpTo(times, after)] ?? Infinity;

/** One link end's key start-times, and the links it belongs to. */
interface EndSchedule {
  end: LinkEnd;
  key: string;
  /** Ascending, on the simulator's clock (the device's skew taken off). */
  starts: number[];
  /** Bumped whenever `starts` is recomputed; queue entries of older generations are stale. */
  gen: number;
  links: LinkRecord[];
  /** The active key last read, and between which start-times (the count of those <= t) it holds. */
  active?: { interval: number; value: ActiveKey | string };
  fallback?: { value: FallbackKey | undefined };
}

interface LinkRecord {
  def: LinkDefinition;
  state: LinkState;
  since: number;
  reason?: string;
  down: LinkInterval[];
  fallback: LinkInterval[];
}

export interface LinkModel {
  readonly links: readonly LinkDefinition[];
  /** Call after a device committed: brings every link up to `time`, then applies the new tree. */
  committed(device: string, tree: ConfigNode, time: number): void;
  /** Brings every link up to `time` (crossing key start-times on the way). */
  syncTo(time: number): void;
  status(id: string, time: number): LinkStatus;
  downIntervals(id: string, time: number): DownInterval[];
  fallbackIntervals(id: string, time: number): FallbackInterval[];
  totals(id: string, time: number): LinkTotals;
  /** Links touching a device, for the device's own RPCs. */
  linksOf(device: string): LinkDefinition[];
  endView(end: LinkEnd, time: number): EndView;
  /** The next instant after `time` at which a key start-time may change some link (Infinity: none). */
  nextSwitchAfter(time: number): number;
  /** Called on every state change (between secured, fallback and down), in time order. */
  onTransition(listener: (linkId: string, state: LinkState, at: number, reason?: string) => void): void;
}

export class UnknownLinkError extends Error {
  override name = 'UnknownLinkError';
  constructor(readonly linkId: string) {
    super(`no link with id "${linkId}"`);
  }
}

/** `skewOf(device)`: how far the device's clock is ahead of the simulator's (ms); key start-times
 *  are read on the device's clock. A device's start-times are scheduled with the skew it has when
 *  its tree is applied: after changing a skew, call `committed` for the device again. */
export function createLinkModel(defs: LinkDefinition[], trees: Map<string, ConfigNode>, start: number, skewOf: (device: string) => number = () => 0): LinkModel {
  const snapshots = new Map(trees);
  const ends = new Map<string, EndSchedule>();
  const endKey = (end: LinkEnd) => `${end.device}\0${end.interface}`;
  const keyAt = (end: LinkEnd, t: number) => {
    const tree = snapshots.get(end.device);
    if (!tree) return 'device unknown';
    // The active key changes only at a start-time: between two, the last answer stands.
    const sched = ends.get(endKey(end));
    if (!sched) return activeKeyAt(tree, end.interface, t + skewOf(end.device));
    const interval = countUpTo(sched.starts, t);
    if (sched.active?.interval !== interval) sched.active = { interval, value: activeKeyAt(tree, end.interface, t + skewOf(end.device)) };
    return sched.active.value;
  };
  const fallbackOf = (end: LinkEnd) => {
    const tree = snapshots.get(end.device);
    const sched = ends.get(endKey(end));
    if (!tree || !sched) return tree && fallbackKeyOf(tree, end.interface);
    if (!sched.fallback) sched.fallback = { value: fallbackKeyOf(tree, end.interface) };
    return sched.fallback.value;
  };
  let evaluatedAt = start;
  /** Why the two ends' primary keys do not secure the link; undefined when they do. */
  const primaryMismatch = (def: LinkDefinition, t: number): string | undefined => {
    const ka = keyAt(def.a, t);
    const kb = keyAt(def.b, t);
    if (typeof ka === 'string') return `${def.a.device} ${def.a.interface}: ${ka}`;
    if (typeof kb === 'string') return `${def.b.device} ${def.b.interface}: ${kb}`;
    if (ka.ckn !== kb.ckn) return 'CKN mismatch';
    if (ka.cak !== kb.cak) return 'CAK mismatch';
    return undefined;
  };
  const evaluate = (def: LinkDefinition, t: number): { state: LinkState; reason?: string } => {
    const reason = primaryMismatch(def, t);
    if (reason === undefined) return { state: 'secured' };
    const fa = fallbackOf(def.a);
    const fb = fallbackOf(def.b);
    if (fa && fb && fa.ckn === fb.ckn && fa.cak === fb.cak) return { state: 'fallback', reason };
    return { state: 'down', reason };
  };
  const intervalsIn = (rec: LinkRecord, state: LinkState): LinkInterval[] | undefined => (state === 'down' ? rec.down : state === 'fallback' ? rec.fallback : undefined);
  const records = new Map<string, LinkRecord>();
  // Indexes, so a device's commit touches only its own links and ends.
  const recordsOfDevice = new Map<string, LinkRecord[]>();
  for (const def of defs) {
    if (records.has(def.id)) throw new Error(`duplicate link id "${def.id}"`);
    const s = evaluate(def, start);
    const rec: LinkRecord = { def, state: s.state, since: start, down: [], fallback: [], ...(s.reason ? { reason: s.reason } : {}) };
    intervalsIn(rec, s.state)?.push({ from: start, reason: s.reason ?? s.state });
    records.set(def.id, rec);
    for (const end of [def.a, def.b]) {
      const mine = recordsOfDevice.get(end.device) ?? [];
      if (mine.at(-1) !== rec) mine.push(rec); // a link with both ends on one device is listed once
      recordsOfDevice.set(end.device, mine);
      const key = endKey(end);
      const sched = ends.get(key) ?? { end, key, starts: [], gen: 0, links: [] };
      sched.links.push(rec);
      ends.set(key, sched);
    }
  }
  const linksOfDevice = new Map([...recordsOfDevice].map(([d, recs]) => [d, recs.map((r) => r.def)]));

  // Every end's key start-times (simulator clock, ascending), and those still ahead of
  // `evaluatedAt` in one queue: syncTo and nextSwitchAfter read the queue, not the trees.
  const queue = createSwitchQueue();
  const schedule = (sched: EndSchedule) => {
    const tree = snapshots.get(sched.end.device);
    const skew = skewOf(sched.end.device);
    sched.starts = (tree ? startTimesOf(tree, sched.end.interface) : []).map((t) => t - skew).sort((x, y) => x - y);
    sched.gen++;
    delete sched.active;
    delete sched.fallback;
    for (const at of sched.starts) if (at > evaluatedAt) queue.push({ at, end: sched.key, gen: sched.gen });
  };
  for (const sched of ends.values()) schedule(sched);
  const stale = (e: SwitchEntry) => ends.get(e.end)!.gen !== e.gen;
  /** Rebuilds the queue once stale entries (from re-committed ends) outnumber live ones. */
  const compact = () => {
    if (queue.size < 1024 || queue.size < 4 * ends.size) return;
    const live: SwitchEntry[] = [];
    for (const sched of ends.values()) for (const at of sched.starts) if (at > evaluatedAt) live.push({ at, end: sched.key, gen: sched.gen });
    queue.reset(live);
  };

  const listeners: Array<(linkId: string, state: LinkState, at: number, reason?: string) => void> = [];
  const record = (rec: LinkRecord, t: number) => {
    const s = evaluate(rec.def, t);
    if (s.state === rec.state && s.reason === rec.reason) return;
    if (s.state !== rec.state) {
      const closing = intervalsIn(rec, rec.state)?.at(-1);
      if (closing) closing.to = t;
      intervalsIn(rec, s.state)?.push({ from: t, reason: s.reason ?? s.state });
      rec.since = t;
      for (const l of listeners) l(rec.def.id, s.state, t, s.reason);
    }
    rec.state = s.state;
    if (s.reason) rec.reason = s.reason;
    else delete rec.reason;
  };
  // Crosses every start-time in (evaluatedAt, time], earliest first, re-evaluating the links of
  // the end whose key may change there.
  const syncTo = (time: number) => {
    if (time <= evaluatedAt) return;
    for (let e = queue.peek(); e !== undefined && e.at <= time; e = queue.peek()) {
      queue.pop();
      if (stale(e)) continue;
      for (const rec of ends.get(e.end)!.links) record(rec, e.at);
    }
    evaluatedAt = time;
  };
  const nextSwitchAfter = (time: number) => {
    if (time < evaluatedAt) {
      // Asked about the past: read the schedules (never on the simulator's own path).
      let next = Infinity;
      for (const sched of ends.values()) next = Math.min(next, firstAfter(sched.starts, time));
      return next;
    }
    syncTo(time); // the queue now holds exactly the start-times after `time` (and stale entries)
    for (let e = queue.peek(); e !== undefined; e = queue.peek()) {
      if (!stale(e)) return e.at;
      queue.pop();
    }
    return Infinity;
  };
  const get = (id: string) => {
    const rec = records.get(id);
    if (!rec) throw new UnknownLinkError(id);
    return rec;
  };
  const endView = (end: LinkEnd, time: number): EndView => {
    const k = keyAt(end, time);
    const fallback = fallbackOf(end);
    const fb = fallback ? { fallbackCkn: fallback.ckn } : {};
    if (typeof k === 'string') return { ...end, ...fb };
    return {
      ...end,
      ...fb,
      ckn: k.ckn,
      connectivityAssociation: k.ca,
      source: k.source,
      ...(k.chain !== undefined ? { chain: k.chain, keyIndex: k.keyIndex! } : {}),
    };
  };
  return {
    links: defs,
    committed(device, tree, time) {
      syncTo(time);
      snapshots.set(device, tree);
      const mine = recordsOfDevice.get(device) ?? [];
      for (const rec of mine)
        for (const end of [rec.def.a, rec.def.b]) if (end.device === device) schedule(ends.get(endKey(end))!);
      compact();
      for (const rec of mine) record(rec, Math.max(time, evaluatedAt));
    },
    syncTo,
    status(id, time) {
      syncTo(time);
      const rec = get(id);
      return {
        id,
        state: rec.state,
        since: rec.since,
        ...(rec.reason ? { reason: rec.reason } : {}),
        a: endView(rec.def.a, Math.max(time, evaluatedAt)),
        b: endView(rec.def.b, Math.max(time, evaluatedAt)),
      };
    },
    downIntervals(id, time) {
      syncTo(time);
      return get(id).down.map((i) => ({ ...i }));
    },
    fallbackIntervals(id, time) {
      syncTo(time);
      return get(id).fallback.map((i) => ({ ...i }));
    },
    totals(id, time) {
      syncTo(time);
      const rec = get(id);
      const sum = (list: LinkInterval[]) => list.reduce((ms, i) => ms + ((i.to ?? Math.max(time, i.from)) - i.from), 0);
      return { downMs: sum(rec.down), fallbackMs: sum(rec.fallback) };
    },
    linksOf: (device) => [...(linksOfDevice.get(device) ?? [])],
    endView,
    nextSwitchAfter,
    onTransition(l) {
      listeners.push(l);
    },
  };
}
