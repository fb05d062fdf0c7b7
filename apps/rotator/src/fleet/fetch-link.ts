// Steps 1–2 of the protocol for one link (keys.ts says how): enc_keys as the master SAE, dec_keys
// of that key_ID as each slave SAE, each copy checked against the master's, and the CAK each
// device gets. Every copy held here is wiped when the fetch ends, however it ends.
import { deriveCknCak, requiredKeyBits, resolveStrategy, type Secret } from '@qkd-macsec/macsec-config';
import { keyRef } from '../agent/protocol/refs.js';
import type { EngineConfig, ResolvedLink } from '../engine/config-view.js';
import { describeError } from '../engine/device-ops.js';
import { checkAgentCopy, checkSlaveCopy, directCopy, type Copy } from './key-copies.js';
import { KeyFetchError, type FetchContext } from './key-fetch-error.js';
import type { DirectKmes } from './kme-batch.js';
import type { AgentClient, AgentDirectory, FetchedKey, FetchOptions } from './ops.js';
import { placementCheck } from './placement.js';

export interface LinkFetchDeps {
  config: Pick<EngineConfig, 'saes' | 'rotation'>;
  agents: AgentDirectory | undefined;
  /** The direct SAEs' KMEs (batched). */
  kmes: DirectKmes;
  /** The agent of `sae`'s site, noted as holding keys of transaction `tx`; undefined for a direct SAE. */
  agentFor(sae: string, tx: string): AgentClient | undefined;
}

export async function fetchLinkKey(deps: LinkFetchDeps, link: ResolvedLink, o: FetchOptions): Promise<FetchedKey> {
  const { config, agents } = deps;
  const bits = requiredKeyBits(o.cipherSuite);
  const kmeOf = (sae: string) => config.saes[sae]?.kme ?? '?';
  const ctx: FetchContext = (sae, keyId) => ({ link: link.name, sae, kme: kmeOf(sae), ...(keyId !== undefined ? { keyId } : {}) });
  placementCheck(link, agents, ctx);
  if (!link.slaveSaes.length) throw new KeyFetchError(`link ${link.name} has no slave SAE`, ctx(link.masterSae));
  const ckn = config.rotation.ckn;
  const strategy = resolveStrategy(ckn.strategy, ckn.strategy === 'prefix-uuid' ? ckn.prefix : undefined);
  const copies: Copy[] = [];
  try {
    // 1. enc_keys as the master SAE.
    const master = await encAsMaster(deps, link, o, bits, kmeOf, ctx);
    copies.push(master);
    const keyId = master.keyId;
    const expectedCkn = strategy.ckn(keyId);
    checkAgentCopy(link, master, master, bits, expectedCkn, kmeOf, ctx);
    // 2. dec_keys of that key_ID as each slave SAE, on its own KME.
    for (const sae of link.slaveSaes) {
      const copy = await decAsSlave(deps, link, o, sae, keyId, kmeOf, ctx);
      copies.push(copy);
      checkSlaveCopy(link, copy, master, bits, expectedCkn, kmeOf, ctx);
    }
    // The CAK of the directly reached devices, from the coordinator's own copy (placementCheck:
    // a direct device's SAE is direct, so there is one whenever such a device is on the link).
    const held = copies.find((c): c is Copy & { bytes: Uint8Array } => 'bytes' in c);
    const cak = held && deriveCknCak(held, { cipherSuite: o.cipherSuite, strategy }).cak;
    return {
      keyId,
      ckn: expectedCkn,
      bits: master.bits,
      cakFor(device: string): Secret {
        if (agents?.forDevice(device)) return keyRef(keyId);
        if (!cak) throw new KeyFetchError(`link ${link.name}: device ${device} is reached directly but key ${keyId} is held only by site agents`, ctx(link.masterSae, keyId));
        return cak;
      },
    };
  } finally {
    for (const c of copies) if ('wipe' in c) c.wipe();
  }
}

async function encAsMaster(deps: LinkFetchDeps, link: ResolvedLink, o: FetchOptions, bits: number, kmeOf: (sae: string) => string, ctx: FetchContext): Promise<Copy> {
  const { masterSae, slaveSaes } = link;
  try {
    const a = deps.agentFor(masterSae, o.tx);
    if (!a) return directCopy(masterSae, await deps.kmes.enc(masterSae, slaveSaes, bits));
    const info = await a.encKey({ tx: o.tx, link: link.name, masterSae, slaveSaes, cipherSuite: o.cipherSuite, ckn: deps.config.rotation.ckn, kind: o.kind });
    return { sae: masterSae, keyId: info.keyId, bits: info.bits, agent: a, info };
  } catch (e) {
    throw new KeyFetchError(`link ${link.name}: enc_keys on ${kmeOf(masterSae)} as ${masterSae} for ${slaveSaes.join(', ')} failed: ${describeError(e)}`, ctx(masterSae), { cause: e });
  }
}

async function decAsSlave(deps: LinkFetchDeps, link: ResolvedLink, o: FetchOptions, sae: string, keyId: string, kmeOf: (sae: string) => string, ctx: FetchContext): Promise<Copy> {
  try {
    const a = deps.agentFor(sae, o.tx);
    if (!a) return directCopy(sae, await deps.kmes.dec(sae, link.masterSae, keyId));
    const info = await a.decKey({ tx: o.tx, link: link.name, sae, masterSae: link.masterSae, keyId, cipherSuite: o.cipherSuite, ckn: deps.config.rotation.ckn, kind: o.kind });
    return { sae, keyId: info.keyId, bits: info.bits, agent: a, info };
  } catch (e) {
    throw new KeyFetchError(`link ${link.name}: dec_keys of key ${keyId} on ${kmeOf(sae)} as ${sae} failed: ${describeError(e)}`, ctx(sae, keyId), { cause: e });
  }
}
