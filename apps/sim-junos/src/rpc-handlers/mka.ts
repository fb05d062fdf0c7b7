// Shared by the MKA and MACsec RPCs: per MACsec interface of a device, what the link model says.
import { createHash } from 'node:crypto';
import { getPath, leafValue } from '../config-tree.js';
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
  for (const itf of macsec?.children.filter((c) => c.tag === 'interfaces') ?? []) {
    const iface = itf.name ?? '';
    if (only !== undefined && iface !== only) continue;
    const def = ctx.links.linksOf(name).find((l) => (l.a.device === name && l.a.interface === iface) || (l.b.device === name && l.b.interface === iface));
    const link = def ? ctx.links.status(def.id, now) : undefined;
    const mine = def ? (def.a.device === name && def.a.interface === iface ? 'a' : 'b') : undefined;
    const end = link && mine ? link[mine] : ctx.links.endView({ device: name, interface: iface }, now);
    const peer = link && mine ? link[mine === 'a' ? 'b' : 'a'] : undefined;
    const ckn = link?.state === 'fallback' ? end.fallbackCkn : end.ckn;
    const ca = leafValue(itf, 'connectivity-association');
    const caNode = ca === undefined ? undefined : macsec?.children.find((c) => c.tag === 'connectivity-association' && c.name === ca);
    const suite = leafValue(caNode, 'cipher-suite');
    out.push({
      interface: iface,
      ...(ca !== undefined ? { ca } : {}),
      ...(suite !== undefined ? { cipherSuite: suite } : {}),
      end,
      ...(link ? { link } : {}),
      ...(peer ? { peer } : {}),
      secured: link?.state === 'secured' || link?.state === 'fallback',
      onFallback: link?.state === 'fallback',
      ...(ckn !== undefined ? { ckn } : {}),
      keyServer: peer ? `${name}/${iface}` < `${peer.device}/${peer.interface}` : true,
    });
  }
  return out;
}

/** Junos' interface state line for an MKA session. */
export function mkaState(m: InterfaceMacsec): string {
  return m.onFallback ? 'Secured - Fallback' : m.secured ? 'Secured - Primary' : 'Unsecured';
}

/** Remembered (bounded): every MKA read of a device asks for the same few. */
const sha256Hex = memoize(1 << 15, (text) => createHash('sha256').update(text).digest('hex'));

/** A stable hex identifier (MKA member identifier, SCI) derived from names; never from a CAK. */
export function pseudoId(hexLen: number, ...parts: string[]): string {
  return sha256Hex(parts.join('\0')).slice(0, hexLen);
}
