// Taking a new key back out of a device: read what the device holds (a failed or lost commit may
// or may not have landed) and delete the key-chain keys named with the link's new CKN — or, in
// static-cak mode, put the previous pre-shared-key back; or, for a fallback-key, replace the
// connectivity association by itself with the previous fallback-key when known, else without one
// (Junos has no delete target for it in our model). One load + one plain commit, which also settles a pending commit confirmed.
import type { ConnectivityAssociation, DeleteTarget, MacsecConfig, PreSharedKey } from '@qkd-macsec/macsec-config';
import type { DeviceOps } from '../fleet/ops.js';
import type { ResolvedLink } from './config-view.js';
import type { EngineContext } from './context.js';

export interface RemoveItem {
  link: ResolvedLink;
  keyId: string;
  ckn: string;
  previousPsk?: PreSharedKey | undefined;
}

/**
 * Returns the names of the links whose key was found and removed. Throws when the device cannot be
 * reached or refuses. mode: 'key-chain' | 'static-cak' (a primary key) or 'fallback'. `lane`: the
 * session pool to use (default: the fleet's, bounded by rotation.concurrency).
 */
export async function removeKeys(
  ctx: EngineContext,
  device: string,
  items: RemoveItem[],
  mode: string,
  comment: string,
  lane: <T>(device: string, fn: (d: DeviceOps) => Promise<T>) => Promise<T> = ctx.fleet.withDevice,
): Promise<string[]> {
  return lane(device, async (d) => {
    const held = await d.readMacsec();
    const del: DeleteTarget[] = [];
    const config: MacsecConfig = {};
    const replace: ConnectivityAssociation[] = [];
    const removed: string[] = [];
    for (const item of items) {
      const ca = held.connectivityAssociations?.find((c) => c.name === item.link.connectivityAssociation);
      if (mode === 'fallback') {
        if (ca?.fallbackKey?.ckn.toLowerCase() === item.ckn.toLowerCase()) {
          // Put the previous fallback-key back when the cycle knows it, so the ends agree again;
          // otherwise (after a restart) drop it, and resume installs a fresh one on every end.
          const { fallbackKey: _dropped, ...rest } = ca;
          replace.push(item.previousPsk ? { ...rest, fallbackKey: item.previousPsk } : rest);
          removed.push(item.link.name);
        }
      } else if (mode === 'key-chain') {
        const chain = held.keyChains?.find((c) => c.name === item.link.keyChain);
        for (const k of chain?.keys ?? []) {
          if (k.keyName?.toLowerCase() === item.ckn.toLowerCase()) {
            del.push({ kind: 'key-chain-key', chain: item.link.keyChain, index: k.index });
            removed.push(item.link.name);
          }
        }
      } else if (ca?.preSharedKey?.ckn.toLowerCase() === item.ckn.toLowerCase()) {
        if (!item.previousPsk) throw new Error(`${device} holds the new key of link ${item.link.name} and the previous pre-shared-key is not known; restore it by hand`);
        (config.connectivityAssociations ??= []).push({ name: item.link.connectivityAssociation, preSharedKey: item.previousPsk });
        removed.push(item.link.name);
      }
    }
    if (replace.length) await d.commit([{ action: 'replace', config: { connectivityAssociations: replace } }], { comment });
    else if (removed.length) await d.commit([{ action: 'merge', change: { config, delete: del } }], { comment });
    return removed;
  });
}
