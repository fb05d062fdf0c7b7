// Shared by the MKA and MACsec RPCs: per MACsec interface of a device, what the link model says.
import { hash } from 'node:crypto';
import { findChild, getPath, leafValue } from '../config-tree.js';
import { memoize } from '../memo.js';
import type { EndView, LinkStatus } from '../link-model.js';
import type { RpcContext } from './context.js';

export interface InterfaceMacsec {
  interface: string;
  ca?: string;
  cipherSuite?: string;
  end: EndView;
  link?: LinkStatus;
  peer?: EndView;
  /** MKA is up: on the primary key or on the fallback key. */
  secured: boolean;
  /** Secured on the connectivity association's fallback-key (the primary keys do not match). */
  onFallback: boolean;
  /** The CKN MKA runs on: the fallback CKN on fallback, else the active primary CKN. */
  ckn?: string;
  keyServer: boolean;
}

export function macsecInterfaces(ctx: RpcContext, only?: string): InterfaceMacsec[] {
  const now = ctx.clock.now();
  const name = ctx.device.name;
  const tree = ctx.device.store.activeCommitted();
  const macsec = getPath(tree, 'security', 'macsec');
  const out: InterfaceMacsec[] = [];
  if (!macsec) return out;
  const links = ctx.links.linksOf(name);
  // Built field by field (no spread of conditional objects): every MKA read of a fleet comes here.
  for (const itf of macsec.children) {
    if (itf.tag !== 'interfaces') continue;
    const iface = itf.name ?? '';
    if (only !== undefined && iface !== only) continue;
    const def = links.find((l) => (l.a.device === name && l.a.interface === iface) || (l.b.device === name && l.b.interface === iface));
    const link = def ? ctx.links.status(def.id, now) : undefined;
    const mine = def ? (def.a.device === name && def.a.interface === iface ? 'a' : 'b') : undefined;
    const end = link && mine ? link[mine] : ctx.links.endView({ device: name, interface: iface }, now);
    const peer = link && mine ? link[mine === 'a' ? 'b' : 'a'] : undefined;
    const ckn = link?.state === 'fallback' ? end.fallbackCkn : end.ckn;
    const ca = leafValue(itf, 'connectivity-association');
    const caNode = ca === undefined ? undefined : findChild(macsec, 'connectivity-association', ca);
    const suite = leafValue(caNode, 'cipher-suite');
    const m: InterfaceMacsec = {
      interface: iface,
      end,
      secured: link?.state === 'secured' || link?.state === 'fallback',
      onFallback: link?.state === 'fallback',
      keyServer: peer ? `${name}/${iface}` < `${peer.device}/${peer.interface}` : true,
    };
    if (ca !== undefined) m.ca = ca;
    if (suite !== undefined) m.cipherSuite = suite;
    if (link) m.link = link;
    if (peer) m.peer = peer;
    if (ckn !== undefined) m.ckn = ckn;
    out.push(m);
  }
  return out;
}

/** Junos' interface state line for an MKA session. */
export function mkaState(m: InterfaceMacsec): string {
  return m.onFallback ? 'Secured - Fallback' : m.secured ? 'Secured - Primary' : 'Unsecured';
}

/** Remembered (bounded): every MKA read of a device asks for the same few. */
const sha256Hex = memoize(1 << 15, (text) => hash('sha256', text, 'hex'));

/** A stable hex identifier (MKA member identifier, SCI) derived from names; never from a CAK. */
export function pseudoId(hexLen: number, ...parts: string[]): string {
  return sha256Hex(parts.join('\0')).slice(0, hexLen);
}
