// Small pure checks the cycle makes on what the devices hold.
import { REDACTED, type KeyChain, type MacsecConfig } from '@qkd-macsec/macsec-config';
import { refOf } from '../agent/protocol/refs.js';
import type { ResolvedLink } from './config-view.js';
import type { Tx } from './tx.js';

export function chainOf(config: MacsecConfig | undefined, name: string): KeyChain {
  return config?.keyChains?.find((c) => c.name === name) ?? { name, keys: [] };
}

/**
 * A device may echo what it was sent in an error (a bad statement, a bad-element): whatever
 * comes back, the CAKs `device` got in this transaction never reach a log line or a report. (A
 * device behind an agent got references only: the agent redacts its own errors.)
 */
export function redact(message: string, txs: readonly Tx[], device: string): string {
  let out = message;
  for (const t of txs) {
    let secret;
    try {
      secret = t.key?.cakFor(device);
    } catch {
      secret = undefined; // no CAK for this device: nothing of it to redact
    }
    // The previous key goes back on the device when a failed key is removed: its secret (hex,
    // or the `$9$` text the device reported) may be echoed too.
    for (const s of [secret, t.previousPsk.get(device)?.cak]) {
      if (s && !refOf(s)) out = out.replace(new RegExp(escapeRegExp(s.reveal()), 'gi'), REDACTED);
    }
  }
  return out;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function setupProblem(link: ResolvedLink, configs: ReadonlyMap<string, MacsecConfig>, mode: string): { device: string; message: string } | undefined {
  for (const end of link.ends) {
    const cfg = configs.get(end.device);
    const ca = cfg?.connectivityAssociations?.find((c) => c.name === link.connectivityAssociation);
    if (!ca) return { device: end.device, message: `${end.device} has no connectivity-association ${link.connectivityAssociation}` };
    if (mode === 'key-chain' && ca.preSharedKeyChain !== link.keyChain)
      return { device: end.device, message: `${end.device}: connectivity-association ${link.connectivityAssociation} does not use pre-shared-key-chain ${link.keyChain}` };
    for (const iface of end.interfaces) {
      const bound = cfg?.interfaces?.find((i) => i.name === iface)?.connectivityAssociation;
      if (bound !== link.connectivityAssociation) return { device: end.device, message: `${end.device} ${iface} is bound to ${bound ? `connectivity-association ${bound}` : 'no connectivity-association'}, not ${link.connectivityAssociation}` };
    }
  }
  return undefined;
}

/** Every primary CKN a link's ends hold (key-chain keys, pre-shared-key), plus the recorded one. */
export function primaryCkns(link: ResolvedLink, configs: ReadonlyMap<string, MacsecConfig>, recorded?: string): Set<string> {
  const out = new Set<string>(recorded ? [recorded.toLowerCase()] : []);
  for (const e of link.ends) {
    const cfg = configs.get(e.device);
    for (const k of chainOf(cfg, link.keyChain).keys) if (k.keyName) out.add(k.keyName.toLowerCase());
    const psk = cfg?.connectivityAssociations?.find((c) => c.name === link.connectivityAssociation)?.preSharedKey;
    if (psk) out.add(psk.ckn.toLowerCase());
  }
  return out;
}

/** mode: 'key-chain' | 'static-cak' for a primary key, 'fallback' for the fallback-key. */
export function holdsKey(config: MacsecConfig, t: Tx, mode: string): boolean {
  const ckn = t.key!.ckn.toLowerCase();
  if (mode === 'fallback') return config.connectivityAssociations?.find((c) => c.name === t.link.connectivityAssociation)?.fallbackKey?.ckn.toLowerCase() === ckn;
  if (mode === 'key-chain') return chainOf(config, t.link.keyChain).keys.some((k) => k.keyName?.toLowerCase() === ckn);
  return config.connectivityAssociations?.find((c) => c.name === t.link.connectivityAssociation)?.preSharedKey?.ckn.toLowerCase() === ckn;
}

export function selectLinks(all: readonly ResolvedLink[], names: readonly string[] | undefined): ResolvedLink[] {
  if (!names || names.length === 0) return [...all];
  const known = new Set(all.map((l) => l.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw new Error(`unknown link${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (configured: ${all.map((l) => l.name).join(', ')})`);
  const wanted = new Set(names);
  return all.filter((l) => wanted.has(l.name));
}
