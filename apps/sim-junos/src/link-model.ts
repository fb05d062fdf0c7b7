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

/** What one interface's MACsec keys are in one committed tree, read once per tree (trees are
 *  never changed in place): the answer at every time is then a lookup, not a walk of the tree
 *  with every start-time parsed again. */
interface EndKeys {
  /** The key whatever the time (a static pre-shared-key), or why there is none. */
  fixed?: ActiveKey | string;
  chain?: string;
  /** The chain's complete keys (start-time, key-name, secret), in the order they take over:
   *  by start-time, then key index (of two with one start-time, the higher index wins). */
  keys: ActiveKey[];
  /** Every start-time of the chain's keys (device clock, unsorted). */
  starts: number[];
  fallback: FallbackKey | undefined;
}

const NO_NODE: ConfigNode = { tag: '', children: [] };
const endKeysCache = new WeakMap<ConfigNode, Map<string, EndKeys>>();

function readEndKeys(tree: ConfigNode, iface: string): EndKeys {
  const macsec = getPath(tree, 'security', 'macsec');
  const caName = leafValue(findChild(macsec ?? NO_NODE, 'interfaces', iface), 'connectivity-association');
  const ca = caName === undefined ? undefined : macsec && findChild(macsec, 'connectivity-association', caName);
  const fk = ca && findChild(ca, 'fallback-key');
  const fkCkn = leafValue(fk, 'ckn');
  const fkCak = leafValue(fk, 'cak');
  const fallback = fkCkn === undefined || fkCak === undefined ? undefined : { ckn: fkCkn.toLowerCase(), cak: fkCak.toLowerCase(), ca: caName! };
  const chainName = ca && leafValue(ca, 'pre-shared-key-chain');
  const chain = chainName === undefined ? undefined : getPath(tree, 'security', 'authentication-key-chains', ['key-chain', chainName]);
  const starts: number[] = [];
  const keys: ActiveKey[] = [];
  for (const key of chain?.children ?? []) {
    const start = parseStartTime(leafValue(key, 'start-time') ?? '');
    if (start === undefined) continue;
    starts.push(start);
    const ckn = leafValue(key, 'key-name');
    const cak = leafValue(key, 'secret');
    if (key.tag !== 'key' || ckn === undefined || cak === undefined) continue;
    keys.push({ ckn: ckn.toLowerCase(), cak: cak.toLowerCase(), ca: caName!, source: 'key-chain', chain: chainName!, keyIndex: Number(key.name), startTime: start });
  }
  keys.sort((x, y) => x.startTime! - y.startTime! || x.keyIndex! - y.keyIndex!);
  const out: EndKeys = { keys, starts, fallback };
  if (caName === undefined) out.fixed = 'no MACsec connectivity-association on the interface';
  else if (!ca) out.fixed = `connectivity-association ${caName} is not defined`;
  else {
    const psk = findChild(ca, 'pre-shared-key');
    if (psk) {
      const ckn = leafValue(psk, 'ckn');
      const cak = leafValue(psk, 'cak');
      out.fixed = ckn === undefined || cak === undefined ? 'pre-shared-key incomplete' : { ckn: ckn.toLowerCase(), cak: cak.toLowerCase(), ca: caName, source: 'pre-shared-key' };
    } else if (chainName === undefined) out.fixed = `connectivity-association ${caName} has no key`;
    else if (!chain) out.fixed = `key-chain ${chainName} is not defined`;
    else out.chain = chainName;
  }
  return out;
}

/** The interface's keys in `tree`, read once per tree. */
function endKeysOf(tree: ConfigNode, iface: string): EndKeys {
  let perTree = endKeysCache.get(tree);
  if (!perTree) endKeysCache.set(tree, (perTree = new Map()));
  let keys = perTree.get(iface);
  if (!keys) perTree.set(iface, (keys = readEndKeys(tree, iface)));
  return keys;
}

/** The key active at t (the one with the latest start-time <= t), or why there is none. */
function keyOf(e: EndKeys, t: number): ActiveKey | string {
  if (e.fixed !== undefined) return e.fixed;
  for (let i = e.keys.length - 1; i >= 0; i--) if (e.keys[i]!.startTime! <= t) return e.keys[i]!;
  return `no key of key-chain ${e.chain!} has reached its start-time`;
}

/** The active key of `iface` in a committed tree at time t, or why there is none. */
export function activeKeyAt(tree: ConfigNode, iface: string, t: number): ActiveKey | string {
  const k = keyOf(endKeysOf(tree, iface), t);
  return typeof k === 'string' ? k : { ...k };
}

/** The fallback-key of the interface's connectivity association, if it has a complete one. */
export function fallbackKeyOf(tree: ConfigNode, iface: string): FallbackKey | undefined {
  const fb = endKeysOf(tree, iface).fallback;
  return fb && { ...fb };
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
  /** The tree and the device's clock skew `starts` were computed from. */
  tree?: ConfigNode;
  skew?: number;
  links: LinkRecord[];
  /** The active key last read, and between which start-times (the count of those <= t) it holds. */
  active?: { interval: number; value: ActiveKey | string };
  /** The view last built, and of which active key and fallback key. */
  view?: { key: ActiveKey | string; fallback: FallbackKey | undefined; value: EndView };
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
  /** Reads what `committed` will need of a tree the device is about to commit (its ends' keys),
   *  ahead of time; changes nothing. */
  prepare(device: string, tree: ConfigNode): void;
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
// Over 80 lines: a factory whose closure holds every link's state and intervals; its methods
// are short and share that state.
export function createLinkModel(defs: LinkDefinition[], trees: Map<string, ConfigNode>, start: number, skewOf: (device: string) => number = () => 0): LinkModel {
  const snapshots = new Map(trees);
  const ends = new Map<string, EndSchedule>();
  const endKey = (end: LinkEnd) => `${end.device}\0${end.interface}`;
  /** The schedules by the link definitions' own end objects, so the model's frequent lookups
   *  (every evaluation reads both ends) build and hash no key string; other callers go by name. */
  const byEnd = new Map<LinkEnd, EndSchedule>();
  const scheduleOf = (end: LinkEnd) => byEnd.get(end) ?? ends.get(endKey(end));
  const keyAt = (end: LinkEnd, t: number): ActiveKey | string => {
    const tree = snapshots.get(end.device);
    if (!tree) return 'device unknown';
    // The active key changes only at a start-time: between two, the last answer stands.
    const sched = scheduleOf(end);
    if (!sched) return keyOf(endKeysOf(tree, end.interface), t + skewOf(end.device));
    const interval = countUpTo(sched.starts, t);
    if (sched.active?.interval !== interval) sched.active = { interval, value: keyOf(endKeysOf(tree, end.interface), t + skewOf(end.device)) };
    return sched.active.value;
  };
  const fallbackOf = (end: LinkEnd): FallbackKey | undefined => {
    const tree = snapshots.get(end.device);
    return tree && endKeysOf(tree, end.interface).fallback;
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
      byEnd.set(end, sched);
    }
  }
  const linksOfDevice = new Map([...recordsOfDevice].map(([d, recs]) => [d, recs.map((r) => r.def)]));

  // Every end's key start-times (simulator clock, ascending), and those still ahead of
  // `evaluatedAt` in one queue: syncTo and nextSwitchAfter read the queue, not the trees.
  const queue = createSwitchQueue();
  const schedule = (sched: EndSchedule) => {
    const tree = snapshots.get(sched.end.device);
    const skew = skewOf(sched.end.device);
    // The same tree under the same skew (the confirming commit after a commit confirmed): nothing changes.
    if (tree === sched.tree && skew === sched.skew) return;
    sched.tree = tree;
    sched.skew = skew;
    sched.starts = (tree ? endKeysOf(tree, sched.end.interface).starts : []).map((t) => t - skew).sort((x, y) => x - y);
    sched.gen++;
    delete sched.active;
    delete sched.view;
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
  const buildView = (end: LinkEnd, k: ActiveKey | string, fallback: FallbackKey | undefined): EndView => {
    const v: EndView = { device: end.device, interface: end.interface };
    if (fallback) v.fallbackCkn = fallback.ckn;
    if (typeof k === 'string') return v;
    v.ckn = k.ckn;
    v.connectivityAssociation = k.ca;
    v.source = k.source;
    if (k.chain !== undefined) {
      v.chain = k.chain;
      v.keyIndex = k.keyIndex!;
    }
    return v;
  };
  /** What is safe to show about an end; built again only when its active or fallback key changed. */
  const endView = (end: LinkEnd, time: number): EndView => {
    const k = keyAt(end, time);
    const fallback = fallbackOf(end);
    const sched = scheduleOf(end);
    if (!sched) return buildView(end, k, fallback);
    if (sched.view?.key !== k || sched.view.fallback !== fallback) sched.view = { key: k, fallback, value: Object.freeze(buildView(end, k, fallback)) };
    return sched.view.value;
  };

  return {
    links: defs,
    committed(device, tree, time) {
      syncTo(time);
      snapshots.set(device, tree);
      // schedule() skips an end whose tree and skew did not change
      const mine = recordsOfDevice.get(device) ?? [];
      for (const rec of mine)
        for (const end of [rec.def.a, rec.def.b]) if (end.device === device) schedule(scheduleOf(end)!);
      compact();
      for (const rec of mine) record(rec, Math.max(time, evaluatedAt));
    },
    prepare(device, tree) {
      for (const rec of recordsOfDevice.get(device) ?? []) for (const end of [rec.def.a, rec.def.b]) if (end.device === device) endKeysOf(tree, end.interface);
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
