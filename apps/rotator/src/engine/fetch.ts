// Step 1-2 of the protocol for one link: the master SAE asks its KME for exactly the CAK's bits
// (naming every other slave SAE as an additional slave), each slave SAE fetches the same key_ID
// from its own KME, and every copy must be the same length and the same bytes.
import { timingSafeEqual } from 'node:crypto';
import type { QkdKey } from '@qkd-macsec/etsi-qkd-client';
import { deriveCknCak, requiredKeyBits, type CipherSuite, type Secret } from '@qkd-macsec/macsec-config';
import type { Fleet } from '../fleet/fleet.js';
import type { EngineConfig, ResolvedLink } from './config-view.js';
import { describeError } from './device-ops.js';

export class KeyFetchError extends Error {
  override name = 'KeyFetchError';
  constructor(
    message: string,
    readonly context: { link: string; sae: string; kme: string; keyId?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface FetchedKey {
  keyId: string;
  ckn: string;
  cak: Secret;
  bits: number;
}

export async function fetchLinkKey(fleet: Fleet, config: EngineConfig, link: ResolvedLink): Promise<FetchedKey> {
  const suite: CipherSuite = config.rotation.cipherSuite;
  const bits = requiredKeyBits(suite);
  const kmeOf = (sae: string) => config.saes[sae]?.kme ?? '?';
  const [path, ...additional] = link.slaveSaes;
  if (!path) throw new KeyFetchError(`link ${link.name} has no slave SAE`, { link: link.name, sae: link.masterSae, kme: kmeOf(link.masterSae) });
  let master: QkdKey;
  try {
    const r = await fleet.kme(link.masterSae).getKey(path, { number: 1, size: bits, ...(additional.length ? { additionalSlaveSaeIds: additional } : {}) });
    master = r.keys[0]!;
  } catch (e) {
    throw new KeyFetchError(
      `link ${link.name}: enc_keys on ${kmeOf(link.masterSae)} as ${link.masterSae} for ${link.slaveSaes.join(', ')} failed: ${describeError(e)}`,
      { link: link.name, sae: link.masterSae, kme: kmeOf(link.masterSae) },
      { cause: e },
    );
  }
  const copies: QkdKey[] = [];
  try {
    for (const sae of link.slaveSaes) {
      let k: QkdKey;
      try {
        const r = await fleet.kme(sae).getKeyWithIds(link.masterSae, [master.keyId]);
        k = r.keys[0]!;
      } catch (e) {
        throw new KeyFetchError(
          `link ${link.name}: dec_keys of key ${master.keyId} on ${kmeOf(sae)} as ${sae} failed: ${describeError(e)}`,
          { link: link.name, sae, kme: kmeOf(sae), keyId: master.keyId },
          { cause: e },
        );
      }
      copies.push(k);
      if (k.keyId !== master.keyId || k.bits !== master.bits) {
        throw new KeyFetchError(`link ${link.name}: ${kmeOf(sae)} returned key ${k.keyId} of ${k.bits} bits for key ${master.keyId} of ${master.bits} bits`, {
          link: link.name,
          sae,
          kme: kmeOf(sae),
          keyId: master.keyId,
        });
      }
      if (!timingSafeEqual(Buffer.from(k.bytes), Buffer.from(master.bytes))) {
        throw new KeyFetchError(`link ${link.name}: the key ${master.keyId} delivered to ${sae} by ${kmeOf(sae)} differs from the master's copy`, {
          link: link.name,
          sae,
          kme: kmeOf(sae),
          keyId: master.keyId,
        });
      }
    }
    const ckn = config.rotation.ckn;
    const derived = deriveCknCak(master, { cipherSuite: suite, strategy: ckn.strategy, ...(ckn.strategy === 'prefix-uuid' ? { prefix: ckn.prefix } : {}) });
    return { keyId: master.keyId, ckn: derived.ckn, cak: derived.cak, bits: master.bits };
  } finally {
    master.wipe();
    for (const c of copies) c.wipe();
  }
}
