// Steps 1–2 at this site: enc_keys as the master SAE (exactly the suite's bits, additional slaves
// for groups) or dec_keys as a slave SAE, the key kept in the store for its transaction. Both are
// idempotent beyond requestId: a second enc for the same (tx, link, kind) returns the key already
// held — never a second enc_keys — and a second dec of a key already held for that SAE does not
// ask the KME again (it could not: a delivered key is gone from the KME).
import type { QkdKey } from '@qkd-macsec/etsi-qkd-client';
import { requiredKeyBits, resolveStrategy } from '@qkd-macsec/macsec-config';
import type { AgentKeyInfo } from '../../fleet/ops.js';
import type { KmeClientFor } from '../../fleet/connectors.js';
import { describeError } from '../../engine/device-ops.js';
import { AgentRefusal } from '../protocol/errors.js';
import type { RequestOf } from '../protocol/schemas.js';
import type { HeldKeyInfo, KeyStore } from './keys.js';

export interface KmeOps {
  encKey(b: RequestOf<'encKey'>): Promise<AgentKeyInfo>;
  decKey(b: RequestOf<'decKey'>): Promise<AgentKeyInfo>;
}

const toInfo = (h: HeldKeyInfo): AgentKeyInfo => ({ keyId: h.keyId, ckn: h.ckn, bits: h.bits, check: h.check });

export function createKmeOps(options: { site: string; saes: Record<string, { kme: string }>; store: KeyStore; kme: KmeClientFor }): KmeOps {
  const { store, saes, site } = options;
  const running = new Map<string, Promise<AgentKeyInfo>>();
  const once = (slot: string, work: () => Promise<AgentKeyInfo>): Promise<AgentKeyInfo> => {
    let p = running.get(slot);
    if (!p) {
      p = work().finally(() => running.delete(slot));
      running.set(slot, p);
    }
    return p;
  };
  const kmeOf = (sae: string) => {
    const s = saes[sae];
    if (!s) throw new AgentRefusal('unknown-sae', `SAE ${sae} is not at site ${site} (known: ${Object.keys(saes).join(', ')})`);
    return s.kme;
  };
  const keep = (keys: QkdKey[], fields: Omit<HeldKeyInfo, 'check' | 'bits' | 'keyId' | 'ckn'>, expect: { keyId?: string; bits: number }, ckn: (keyId: string) => string, what: string) => {
    try {
      const key = keys[0];
      if (keys.length !== 1 || !key) throw new AgentRefusal('key-mismatch', `${what} returned ${keys.length} keys, not 1`);
      if (expect.keyId !== undefined && key.keyId.toLowerCase() !== expect.keyId.toLowerCase()) throw new AgentRefusal('key-mismatch', `${what} returned key ${key.keyId}, not ${expect.keyId}`);
      if (key.bits !== expect.bits) throw new AgentRefusal('key-mismatch', `${what} returned a key of ${key.bits} bits, not ${expect.bits}`);
      return toInfo(store.put({ ...fields, keyId: key.keyId, ckn: ckn(key.keyId) }, key.bytes));
    } finally {
      for (const k of keys) k.wipe();
    }
  };
  return {
    encKey(b) {
      const held = store.find({ tx: b.tx, link: b.link, kind: b.kind, sae: b.masterSae });
      if (held) return Promise.resolve(toInfo(held));
      return once(`enc\0${b.tx}\0${b.link}\0${b.kind}`, async () => {
        const kme = kmeOf(b.masterSae);
        const bits = requiredKeyBits(b.cipherSuite);
        const strategy = resolveStrategy(b.ckn.strategy, b.ckn.strategy === 'prefix-uuid' ? b.ckn.prefix : undefined);
        const [path, ...additional] = b.slaveSaes as [string, ...string[]];
        const what = `enc_keys on ${kme} as ${b.masterSae} for ${b.slaveSaes.join(', ')}`;
        let keys: QkdKey[];
        try {
          keys = (await options.kme(b.masterSae).getKey(path, { number: 1, size: bits, ...(additional.length ? { additionalSlaveSaeIds: additional } : {}) })).keys;
        } catch (e) {
          throw new AgentRefusal('kme-error', `${what} failed: ${describeError(e)}`);
        }
        return keep(keys, { tx: b.tx, link: b.link, kind: b.kind, sae: b.masterSae, cipherSuite: b.cipherSuite }, { bits }, (id) => strategy.ckn(id), what);
      });
    },
    decKey(b) {
      const held = store.find({ tx: b.tx, keyId: b.keyId, sae: b.sae });
      if (held) return Promise.resolve(toInfo(held));
      return once(`dec\0${b.tx}\0${b.keyId.toLowerCase()}\0${b.sae}`, async () => {
        const kme = kmeOf(b.sae);
        const bits = requiredKeyBits(b.cipherSuite);
        const strategy = resolveStrategy(b.ckn.strategy, b.ckn.strategy === 'prefix-uuid' ? b.ckn.prefix : undefined);
        const what = `dec_keys of key ${b.keyId} on ${kme} as ${b.sae}`;
        let keys: QkdKey[];
        try {
          keys = (await options.kme(b.sae).getKeyWithIds(b.masterSae, [b.keyId])).keys;
        } catch (e) {
          throw new AgentRefusal('kme-error', `${what} failed: ${describeError(e)}`);
        }
        return keep(keys, { tx: b.tx, link: b.link, kind: b.kind, sae: b.sae, cipherSuite: b.cipherSuite }, { keyId: b.keyId, bits }, (id) => strategy.ckn(id), what);
      });
    },
  };
}
