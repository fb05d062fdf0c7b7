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

/** Earliest key start-time in (after, ∞) that could change the interface's active key. */
function nextStartTime(tree: ConfigNode, iface: string, after: number): number | undefined {
  const macsec = getPath(tree, 'security', 'macsec');
  if (!macsec) return undefined;
  const caName = leafValue(findChild(macsec, 'interfaces', iface), 'connectivity-association');
  const ca = caName === undefined ? undefined : findChild(macsec, 'connectivity-association', caName);
  const chainName = ca && leafValue(ca, 'pre-shared-key-chain');
  const chain = chainName === undefined ? undefined : getPath(tree, 'security', 'authentication-key-chains', ['key-chain', chainName]);
  let next: number | undefined;
  for (const key of chain?.children ?? []) {
    const start = parseStartTime(leafValue(key, 'start-time') ?? '');
    if (start !== undefined && start > after && (next === undefined || start < next)) next = start;
  }
  return next;
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
 *  are read on the device's clock. */
export function createLinkModel(defs: LinkDefinition[], trees: Map<string, ConfigNode>, start: number, skewOf: (device: string) => number = () => 0): LinkModel {
  const snapshots = new Map(trees);
  const keyAt = (end: LinkEnd, t: number) => {
    const tree = snapshots.get(end.device);
    return tree ? activeKeyAt(tree, end.interface, t + skewOf(end.device)) : 'device unknown';
  };
  const nextSwitch = (end: LinkEnd, after: number) => {
    const tree = snapshots.get(end.device);
    const skew = skewOf(end.device);
    const next = tree ? nextStartTime(tree, end.interface, after + skew) : undefined;
    return next === undefined ? Infinity : next - skew;
  };
  const fallbackOf = (end: LinkEnd) => {
    const tree = snapshots.get(end.device);
    return tree && fallbackKeyOf(tree, end.interface);
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
  for (const def of defs) {
    if (records.has(def.id)) throw new Error(`duplicate link id "${def.id}"`);
    const s = evaluate(def, start);
    const rec: LinkRecord = { def, state: s.state, since: start, down: [], fallback: [], ...(s.reason ? { reason: s.reason } : {}) };
    intervalsIn(rec, s.state)?.push({ from: start, reason: s.reason ?? s.state });
    records.set(def.id, rec);
  }
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
  const syncTo = (time: number) => {
    if (time <= evaluatedAt) return;
    for (const rec of records.values()) {
      let t = evaluatedAt;
      for (;;) {
        const next = Math.min(nextSwitch(rec.def.a, t), nextSwitch(rec.def.b, t));
        if (next > time) break;
        record(rec, next);
        t = next;
      }
    }
    evaluatedAt = time;
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
      for (const rec of records.values()) if (rec.def.a.device === device || rec.def.b.device === device) record(rec, Math.max(time, evaluatedAt));
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
    linksOf: (device) => defs.filter((d) => d.a.device === device || d.b.device === device),
    endView,
    nextSwitchAfter: (time) => Math.min(...defs.map((d) => Math.min(nextSwitch(d.a, time), nextSwitch(d.b, time)))),
    onTransition(l) {
      listeners.push(l);
    },
  };
}
