// The simulated QKD network: each link between two KMEs is a pool of key bits refilled at the
// link's key rate, and each KME holds the keys issued to it for later retrieval by the SAEs named
// when the key was issued. A key goes once to the master (in the enc_keys answer) and once to
// each named slave (in dec_keys on the slave's KME), and is deleted when nobody is left to take it.
import { randomBytes, randomUUID } from 'node:crypto';
import type { LinkLimits } from './config.js';

export type Clock = () => number;

/** A link's key pool, counted in bits and refilled lazily from the clock on every read. */
export interface LinkPool {
  readonly kmes: readonly [string, string];
  readonly limits: LinkLimits;
  /** Bits the pool holds now. */
  availableBits(): number;
  /** stored_key_count: whole keys of the default key_size the pool holds now. */
  storedKeyCount(): number;
  /** Removes `bits` from the pool; the caller has checked `availableBits()` first. */
  consume(bits: number): void;
}

export function createLinkPool(kmes: readonly [string, string], limits: LinkLimits, now: Clock): LinkPool {
  const capacity = limits.maxKeyCount * limits.keySize;
  let bitsHeld = Math.floor(capacity * limits.initialFill);
  let last = now();
  const refill = () => {
    const t = now();
    if (t > last) {
      bitsHeld = Math.min(capacity, bitsHeld + ((t - last) / 1000) * limits.keyRateBps);
      last = t;
    }
  };
  return {
    kmes,
    limits,
    availableBits() {
      refill();
      return Math.floor(bitsHeld);
    },
    storedKeyCount() {
      refill();
      return Math.floor(bitsHeld / limits.keySize);
    },
    consume(bits) {
      refill();
      bitsHeld = Math.max(0, bitsHeld - bits);
    },
  };
}

// Key material comes from one large randomBytes call sliced per key: far cheaper per request
// than a syscall per key. Each key gets its own copy so that wiping one never touches another.
const RANDOM_CHUNK = 64 * 1024;
let randomChunk = Buffer.alloc(0);
let randomOffset = 0;
export function randomKeyBytes(length: number): Buffer {
  if (length > RANDOM_CHUNK) return randomBytes(length);
  if (randomOffset + length > randomChunk.length) {
    randomChunk.fill(0);
    randomChunk = randomBytes(RANDOM_CHUNK);
    randomOffset = 0;
  }
  const out = Buffer.allocUnsafe(length);
  randomChunk.copy(out, 0, randomOffset, randomOffset + length);
  randomChunk.fill(0, randomOffset, randomOffset + length);
  randomOffset += length;
  return out;
}

/** A key waiting on one KME for the slaves attached there. */
interface HeldKey {
  readonly keyId: string;
  readonly key: Buffer;
  readonly masterSaeId: string;
  /** Every SAE named for this KME when the key was issued (arrays: usually one entry). */
  readonly named: readonly string[];
  /** Those of them that have not fetched it yet. */
  pending: string[];
  /** Clock time after which nobody can fetch it any more. */
  readonly expiresAt: number;
}

export interface IssuedKey {
  readonly keyId: string;
  readonly key: Buffer;
}

type RetrieveResult =
  | { ok: true; keys: IssuedKey[] }
  | { ok: false; reason: 'not-found' | 'not-entitled'; keyId: string };

/** Keys for the slaves of one KME served by another process, to send over the KME relay. */
export interface RelayBatch {
  kmeId: string;
  bits: number;
  keys: { keyId: string; key: Buffer; masterSaeId: string; slaves: string[] }[];
}

type IssueResult =
  | { ok: true; keys: IssuedKey[]; relay: RelayBatch[] }
  | { ok: false; reason: 'pool-empty'; link: readonly [string, string]; neededBits: number; availableBits: number };

export interface KeyNetwork {
  /** The KME an SAE is attached to, if any. */
  kmeOfSae(saeId: string): string | undefined;
  /** The link joining two KMEs, if any. */
  link(kmeA: string, kmeB: string): LinkPool | undefined;
  /**
   * Issues `count` keys of `sizeBits` from master (on `masterKme`) to `slaves`, each attached to
   * a KME linked to `masterKme` (the caller checked that). Draws the bits from every link the
   * key crosses, all or nothing, and leaves the keys at each slave's KME — or, for a KME served
   * by another process, returns them in `relay` for the caller to send there.
   */
  /** `reuseKeyId`: a key_ID issued before, for a key to get again (the reusedKeyIdRate fault), or undefined for a new one. */
  issue(masterKme: string, masterSaeId: string, slaves: readonly string[], count: number, sizeBits: number, reuseKeyId?: () => string | undefined): IssueResult;
  /** dec_keys on `kmeId` by `callerSaeId` for keys issued by `masterSaeId`; all or nothing. */
  retrieve(kmeId: string, callerSaeId: string, masterSaeId: string, keyIds: readonly string[]): RetrieveResult;
  /** Takes keys relayed by the peer `fromKme` into local `kmeId`, drawing their bits from the link. */
  deposit(kmeId: string, fromKme: string, batch: RelayBatch): void;
  /** Drops keys from every local KME, e.g. when their relay to a remote KME failed. */
  forget(keyIds: readonly string[]): void;
  /** How many issued keys wait on a KME for a slave (for tests and status_extension). */
  heldCount(kmeId: string): number;
  /** Zero-fills every held key. */
  wipe(): void;
}

export interface TopologyInput {
  kmes: ReadonlyArray<{ id: string; saes: readonly string[] }>;
  links: ReadonlyArray<{ kmes: readonly [string, string]; limits: LinkLimits }>;
  /** The KMEs this process serves; default all. Keys for the others go out as RelayBatches. */
  local?: ReadonlySet<string>;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

export interface KeyNetworkOptions {
  /** How long an issued key waits for its slaves before it is deleted; 0 = forever. */
  heldKeyTtlMs?: number;
}

// Over 80 lines: a factory whose closure holds the state (held keys, pools, SAE owners) that
// its short methods share; the object it returns is the module's one concept.
export function createKeyNetwork(topology: TopologyInput, now: Clock = Date.now, options: KeyNetworkOptions = {}): KeyNetwork {
  const ttl = options.heldKeyTtlMs ?? 0;
  const expiry = () => (ttl > 0 ? now() + ttl : Number.POSITIVE_INFINITY);
  // Keys enter each store in time order (Map keeps insertion order), so the expired ones are
  // always at the front: evicting costs nothing while none have expired.
  const evictExpired = (s: Map<string, HeldKey>, t: number) => {
    for (const [id, h] of s) {
      if (h.expiresAt > t) break;
      h.key.fill(0);
      s.delete(id);
    }
  };
  const saeToKme = new Map<string, string>();
  const held = new Map<string, Map<string, HeldKey>>();
  for (const kme of topology.kmes) {
    if (!topology.local || topology.local.has(kme.id)) held.set(kme.id, new Map());
    for (const sae of kme.saes) saeToKme.set(sae, kme.id);
  }
  const links = new Map<string, LinkPool>();
  for (const l of topology.links) links.set(pairKey(l.kmes[0], l.kmes[1]), createLinkPool(l.kmes, l.limits, now));

  const link = (a: string, b: string) => links.get(pairKey(a, b));
  const store = (kmeId: string) => {
    const s = held.get(kmeId);
    if (!s) throw new Error(`KME "${kmeId}" is not served by this process`);
    return s;
  };

  return {
    kmeOfSae: (sae) => saeToKme.get(sae),
    link,
    issue(masterKme, masterSaeId, slaves, count, sizeBits, reuseKeyId) {
      // Group the slaves by their KME: each KME (and so each link) takes one copy of every key.
      const byKme = new Map<string, string[]>();
      for (const s of slaves) {
        const k = saeToKme.get(s);
        if (k === undefined) throw new Error(`unknown SAE "${s}"`);
        const list = byKme.get(k);
        if (list) list.push(s);
        else byKme.set(k, [s]);
      }
      const neededBits = count * sizeBits;
      const pools: LinkPool[] = [];
      for (const k of byKme.keys()) {
        const pool = link(masterKme, k);
        if (!pool) throw new Error(`no link between ${masterKme} and ${k}`);
        const availableBits = pool.availableBits();
        if (availableBits < neededBits) return { ok: false, reason: 'pool-empty', link: pool.kmes, neededBits, availableBits };
        pools.push(pool);
      }
      for (const pool of pools) pool.consume(neededBits);
      const keys: IssuedKey[] = [];
      const relay = new Map<string, RelayBatch>();
      const expiresAt = expiry();
      for (const k of byKme.keys()) {
        const local = held.get(k);
        if (local && ttl > 0) evictExpired(local, now());
      }
      for (let i = 0; i < count; i++) {
        const key = randomKeyBytes(sizeBits / 8);
        const keyId = reuseKeyId?.() ?? randomUUID();
        for (const [kmeId, saes] of byKme) {
          const local = held.get(kmeId);
          if (local) local.set(keyId, { keyId, key: Buffer.from(key), masterSaeId, named: saes, pending: saes, expiresAt });
          else {
            let batch = relay.get(kmeId);
            if (!batch) relay.set(kmeId, (batch = { kmeId, bits: neededBits, keys: [] }));
            batch.keys.push({ keyId, key: Buffer.from(key), masterSaeId, slaves: saes });
          }
        }
        keys.push({ keyId, key });
      }
      return { ok: true, keys, relay: [...relay.values()] };
    },
    retrieve(kmeId, callerSaeId, masterSaeId, keyIds) {
      const s = store(kmeId);
      if (ttl > 0) evictExpired(s, now());
      // Check every key before handing out any, so a failed request consumes nothing.
      for (const keyId of keyIds) {
        const h = s.get(keyId);
        if (!h || h.masterSaeId !== masterSaeId) return { ok: false, reason: 'not-found', keyId };
        if (!h.named.includes(callerSaeId)) return { ok: false, reason: 'not-entitled', keyId };
        // Named but already fetched: for this SAE the key is gone.
        if (!h.pending.includes(callerSaeId)) return { ok: false, reason: 'not-found', keyId };
      }
      if (new Set(keyIds).size !== keyIds.length) {
        const dup = keyIds.find((k, i) => keyIds.indexOf(k) !== i) ?? '';
        return { ok: false, reason: 'not-found', keyId: dup };
      }
      const keys: IssuedKey[] = [];
      for (const keyId of keyIds) {
        const h = s.get(keyId)!;
        h.pending = h.pending.filter((s) => s !== callerSaeId);
        if (h.pending.length === 0) {
          s.delete(keyId);
          keys.push({ keyId, key: h.key });
        } else keys.push({ keyId, key: Buffer.from(h.key) });
      }
      return { ok: true, keys };
    },
    deposit(kmeId, fromKme, batch) {
      const s = store(kmeId);
      const pool = link(kmeId, fromKme);
      if (!pool) throw new Error(`no link between ${kmeId} and ${fromKme}`);
      // The sender already drew these bits from its copy of the link; keep ours in step.
      pool.consume(batch.bits);
      if (ttl > 0) evictExpired(s, now());
      const expiresAt = expiry();
      for (const k of batch.keys)
        s.set(k.keyId, { keyId: k.keyId, key: k.key, masterSaeId: k.masterSaeId, named: k.slaves, pending: k.slaves, expiresAt });
    },
    forget(keyIds) {
      for (const s of held.values())
        for (const id of keyIds) {
          s.get(id)?.key.fill(0);
          s.delete(id);
        }
    },
    heldCount: (kmeId) => store(kmeId).size,
    wipe() {
      for (const s of held.values()) {
        for (const h of s.values()) h.key.fill(0);
        s.clear();
      }
    },
  };
}
