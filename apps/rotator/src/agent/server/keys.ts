// The agent's keys: raw bytes in Buffers of their own, per transaction, per SAE copy. A key is
// zeroed (fill(0)) when its transaction ends, when its TTL runs out and when the agent closes;
// nothing is ever written to disk, so an agent that restarts has lost them all. The CAK is
// derived only when a change is rendered for a device (cakFor).
import { deriveCknCak, type CipherSuite, type Secret } from '@qkd-macsec/macsec-config';
import { keyCheckValue } from '../protocol/check-value.js';

export interface HeldKeyInfo {
  tx: string;
  link: string;
  kind: 'primary' | 'fallback';
  /** The SAE whose copy this is. */
  sae: string;
  keyId: string;
  ckn: string;
  bits: number;
  check: string;
  cipherSuite: CipherSuite;
}

type KeyQuery = Partial<Pick<HeldKeyInfo, 'keyId' | 'tx' | 'sae' | 'link' | 'kind'>>;

interface Held extends HeldKeyInfo {
  bytes: Buffer;
  timer: ReturnType<typeof setTimeout>;
}

export interface KeyStoreOptions {
  ttlSeconds: number;
  /** Where key bytes are copied to (default Buffer.alloc: never Node's shared pool). Tests pass one that remembers the Buffers, to see them zeroed. */
  alloc?: (size: number) => Buffer;
  /** Told of every key zeroed, and why (metrics, debug log). */
  onZeroed?: (info: HeldKeyInfo, why: 'end' | 'ttl' | 'close') => void;
}

export interface KeyStore {
  /** Copies `bytes` in (the caller wipes its own copy) and keeps it for tx. */
  put(info: Omit<HeldKeyInfo, 'check' | 'bits'>, bytes: Uint8Array): HeldKeyInfo;
  /** The first key held that matches every field given. */
  find(where: KeyQuery): HeldKeyInfo | undefined;
  /** The CAK of a held key, as a Secret, derived now. */
  cakFor(info: HeldKeyInfo): Secret;
  /** Zeroes every key of tx; how many. */
  endTx(tx: string): number;
  readonly size: number;
  /** Zeroes everything. */
  close(): void;
}

const byStore = new WeakMap<KeyStore, Map<string, Held>>();

export function createKeyStore(options: KeyStoreOptions): KeyStore {
  const held = new Map<string, Held>();
  const alloc = options.alloc ?? ((n: number) => Buffer.alloc(n));
  const slot = (keyId: string, sae: string) => `${keyId.toLowerCase()}\0${sae}`;
  const zero = (k: string, why: 'end' | 'ttl' | 'close') => {
    const h = held.get(k);
    if (!h) return;
    h.bytes.fill(0);
    clearTimeout(h.timer);
    held.delete(k);
    options.onZeroed?.(publicInfo(h), why);
  };
  const store: KeyStore = {
    put(info, bytes) {
      const k = slot(info.keyId, info.sae);
      zero(k, 'end');
      const copy = alloc(bytes.length);
      copy.set(bytes);
      const timer = setTimeout(() => zero(k, 'ttl'), options.ttlSeconds * 1000);
      timer.unref();
      const h: Held = { ...info, bits: bytes.length * 8, check: keyCheckValue(copy, info.keyId), bytes: copy, timer };
      held.set(k, h);
      return publicInfo(h);
    },
    find(where) {
      const id = where.keyId?.toLowerCase();
      for (const h of held.values()) {
        if (id !== undefined && h.keyId.toLowerCase() !== id) continue;
        if (where.tx !== undefined && h.tx !== where.tx) continue;
        if (where.sae !== undefined && h.sae !== where.sae) continue;
        if (where.link !== undefined && h.link !== where.link) continue;
        if (where.kind !== undefined && h.kind !== where.kind) continue;
        return publicInfo(h);
      }
      return undefined;
    },
    cakFor(info) {
      const h = held.get(slot(info.keyId, info.sae));
      if (!h) throw new Error(`key ${info.keyId} is no longer held`);
      // The CAK depends on the bytes and the suite only; the strategy here names no CKN that is used.
      return deriveCknCak({ keyId: h.keyId, bytes: h.bytes }, { cipherSuite: h.cipherSuite, strategy: 'sha256-keyid' }).cak;
    },
    endTx(tx) {
      let n = 0;
      for (const [k, h] of [...held]) {
        if (h.tx !== tx) continue;
        zero(k, 'end');
        n++;
      }
      return n;
    },
    get size() {
      return held.size;
    },
    close() {
      for (const k of [...held.keys()]) zero(k, 'close');
    },
  };
  byStore.set(store, held);
  return store;
}

function publicInfo(h: Held): HeldKeyInfo {
  const { tx, link, kind, sae, keyId, ckn, bits, check, cipherSuite } = h;
  return { tx, link, kind, sae, keyId, ckn, bits, check, cipherSuite };
}

/** What a store holds now, without the bytes (tests, and RunningAgent.inspectKeys). */
export function inspectKeyStore(store: KeyStore): HeldKeyInfo[] {
  return [...(byStore.get(store)?.values() ?? [])].map(publicInfo);
}
