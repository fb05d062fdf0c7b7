// init's fallback keys: one QKD key per link (enc_keys on the master's KME, dec_keys on each
// slave's, exactly the suite's bits — the fleet's KeySource), its CKN never one of the link's primary CKNs,
// its key_ID recorded before it reaches a device. A link that gets its first key in the same init
// gets its fallback key only once that first key is active: before it, both ends would run MKA on
// the fallback key (time "on fallback" that means nothing went wrong).
import type { MacsecConfig } from '@qkd-macsec/macsec-config';
import { primaryCkns } from '../engine/checks.js';
import type { ResolvedLink } from '../engine/config-view.js';
import type { EngineContext } from '../engine/context.js';
import { describeError, mergeChanges } from '../engine/device-ops.js';
import type { Change, FetchedKey } from '../fleet/ops.js';
import { handedOutAgain } from '../state/keyid-history.js';

/** Fetches one fallback key per link (for transaction `tx`) and records the key_IDs; failures go to `errors`. */
export async function fetchFallbackKeys(
  ctx: EngineContext,
  tx: string,
  links: readonly ResolvedLink[],
  configs: ReadonlyMap<string, MacsecConfig>,
  extraPrimaries: ReadonlyMap<string, string>,
  errors: string[],
): Promise<Map<string, FetchedKey>> {
  const state = await ctx.store.load();
  const out = new Map<string, FetchedKey>();
  for (const l of links) {
    try {
      const k = await ctx.fleet.keys.fetch(l, { tx, cipherSuite: ctx.config.rotation.cipherSuite, kind: 'fallback' });
      if (state.keyIds.has(k.keyId)) throw new Error(await handedOutAgain(state.keyIds, k.keyId));
      const primaries = primaryCkns(l, configs, state.links[l.name]?.ckn);
      const first = extraPrimaries.get(l.name);
      if (first) primaries.add(first.toLowerCase());
      if (primaries.has(k.ckn.toLowerCase())) throw new Error(`key ${k.keyId} gives CKN ${k.ckn}, which is a primary CKN of the link; refusing it`);
      out.set(l.name, k);
    } catch (e) {
      errors.push(`link ${l.name}: no fallback key: ${describeError(e)}`);
      ctx.logger.error(`link ${l.name}: no fallback key: ${describeError(e)}`);
    }
  }
  const at = ctx.clock().toISOString();
  if (out.size) await ctx.store.update((st) => void [...out].forEach(([link, k]) => st.keyIds.add(k.keyId, { link, at, kind: 'fallback' })));
  return out;
}

/** Per device, the change that sets these links' fallback-keys. */
export function fallbackChanges(links: readonly ResolvedLink[], keys: ReadonlyMap<string, FetchedKey>): Map<string, Change> {
  const out = new Map<string, Change>();
  for (const l of links) {
    const k = keys.get(l.name);
    if (!k) continue;
    for (const e of l.ends) {
      const change: Change = { config: { connectivityAssociations: [{ name: l.connectivityAssociation, fallbackKey: { ckn: k.ckn, cak: k.cakFor(e.device) } }] }, delete: [] };
      out.set(e.device, mergeChanges(out.get(e.device) ?? { config: {}, delete: [] }, change));
    }
  }
  return out;
}

/** Commits the fallback-keys (one plain commit per device); returns the links set on every end. */
export async function installFallbackKeys(ctx: EngineContext, links: readonly ResolvedLink[], keys: ReadonlyMap<string, FetchedKey>, comment: string, errors: string[]): Promise<ResolvedLink[]> {
  const failed = new Set<string>();
  await Promise.all(
    [...fallbackChanges(links, keys)].map(async ([device, change]) => {
      try {
        await ctx.fleet.withDevice(device, (d) => d.commit([{ action: 'merge', change }], { comment }));
      } catch (e) {
        failed.add(device);
        const msg = `${device}: installing fallback keys failed: ${describeError(e)}`;
        errors.push(msg);
        ctx.logger.error(msg);
      }
    }),
  );
  return links.filter((l) => keys.has(l.name) && l.ends.every((e) => !failed.has(e.device)));
}

/** Records installed fallback-keys in the state and the log. */
export async function recordFallbackKeys(ctx: EngineContext, links: readonly ResolvedLink[], keys: ReadonlyMap<string, FetchedKey>): Promise<void> {
  if (!links.length) return;
  const installedAt = ctx.clock().toISOString();
  await ctx.store.update((st) => {
    for (const l of links) {
      const k = keys.get(l.name)!;
      st.links[l.name] = { ...st.links[l.name], fallback: { keyId: k.keyId, ckn: k.ckn, installedAt } };
    }
  });
  for (const l of links) ctx.logger.info(`link ${l.name}: fallback key ${keys.get(l.name)!.keyId} installed on ${l.ends.map((e) => e.device).join(', ')}`);
}
