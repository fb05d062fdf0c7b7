// Which key went where, from ground truth: sim-kme's key log (every key handed out, by key_ID),
// sim-junos's (every CAK committed to a device), joined on the key's hex (the rotator's CAK is
// the key's hex), checked against the rotator's state. No key_ID may be installed on the ends of
// two links, and none that reached a device may be missing from the state.
import type { KeyLogEntry } from './key-log.js';
import { devicesOfLink, type Topology } from './topology.js';

export interface StateView {
  keyIds: Record<string, { link?: string; kind?: string }>;
  links: Record<string, { keyId?: string; fallback?: { keyId?: string } }>;
  journals?: Record<string, unknown>;
}

export interface KeyAccounting {
  /** key_IDs handed out by the KMEs. */
  issued: Set<string>;
  /** key_ID -> devices whose committed configuration held its CAK. */
  installed: Map<string, Set<string>>;
  /** key_IDs whose CAK went to devices of more than one link (or to two links in the state). */
  installedTwice: string[];
  /** key_IDs that reached a device and are not in the state's keyIds (a lost key_ID). */
  missingFromState: string[];
  /** CAKs committed by the rotator that no KME handed out (derived from something else). */
  cakNotFromQkd: number;
}

export function accountKeys(topology: Topology, kme: readonly KeyLogEntry[], junos: readonly KeyLogEntry[], state: StateView, ignoreCaks: ReadonlySet<string> = new Set()): KeyAccounting {
  const keyOfHex = new Map<string, string>();
  const issued = new Set<string>();
  for (const e of kme) {
    if (e.keyId === undefined) continue;
    issued.add(e.keyId);
    keyOfHex.set(e.hex, e.keyId);
  }
  const installed = new Map<string, Set<string>>();
  let cakNotFromQkd = 0;
  for (const e of junos) {
    if (ignoreCaks.has(e.hex)) continue;
    const keyId = keyOfHex.get(e.hex);
    if (keyId === undefined) {
      cakNotFromQkd++;
      continue;
    }
    const set = installed.get(keyId) ?? new Set<string>();
    set.add(e.id);
    installed.set(keyId, set);
  }
  const linkDevices = new Map(topology.links.map((l) => [l.name, new Set(devicesOfLink(l))]));
  const fallbackOf = new Map<string, string>();
  for (const [link, s] of Object.entries(state.links)) if (s.fallback?.keyId) fallbackOf.set(s.fallback.keyId, link);
  const installedTwice = new Set<string>();
  for (const [keyId, devices] of installed) {
    const link = state.keyIds[keyId]?.link ?? fallbackOf.get(keyId);
    const allowed = link === undefined ? [...linkDevices.values()].find((ds) => [...devices].every((d) => ds.has(d))) : linkDevices.get(link);
    if (!allowed || [...devices].some((d) => !allowed.has(d))) installedTwice.add(keyId);
  }
  // The same key_ID as the current key of two links.
  const current = new Map<string, string>();
  for (const [link, s] of Object.entries(state.links)) {
    if (!s.keyId) continue;
    if (current.has(s.keyId) && current.get(s.keyId) !== link) installedTwice.add(s.keyId);
    current.set(s.keyId, link);
  }
  const missingFromState = [...installed.keys()].filter((k) => state.keyIds[k] === undefined && !fallbackOf.has(k));
  return { issued, installed, installedTwice: [...installedTwice], missingFromState, cakNotFromQkd };
}
