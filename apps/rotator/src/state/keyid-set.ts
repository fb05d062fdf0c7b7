// A set of key_IDs as 128-bit records in an open-addressing table: ~36–49 B each, where strings in
// a Map took ~170. ETSI GS QKD 014 key_IDs are UUIDs: a lowercase canonical one is its own 128
// bits; any other string (an uppercase UUID, a KME's own format) is the first 128 bits of its
// SHA-256 — two different key_IDs share a record with odds of 2^-128, and then the second would
// be refused as installed already, never installed twice. The history's recent key_IDs live
// here; older ones in the sorted archive on disk (keyid-archive.ts), in the same records.
import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** 32-bit words a record: the 128 bits, most significant first (so word order is byte order). */
export const WORDS = 4;
const MAX_LOAD = 0.7;

/** The key_ID's record in `out` (WORDS words). */
export function recordOf(keyId: string, out: Uint32Array): Uint32Array {
  if (keyId.length === 36 && UUID.test(keyId)) {
    out[0] = parseInt(keyId.slice(0, 8), 16);
    out[1] = parseInt(keyId.slice(9, 13) + keyId.slice(14, 18), 16);
    out[2] = parseInt(keyId.slice(19, 23) + keyId.slice(24, 28), 16);
    out[3] = parseInt(keyId.slice(28, 36), 16);
  } else {
    const h = createHash('sha256').update(keyId, 'utf8').digest();
    for (let i = 0; i < WORDS; i++) out[i] = h.readUInt32BE(4 * i);
  }
  return out;
}

/** Unsigned order of the records at `a[i]` and `b[j]` (word offsets). */
export function compareRecords(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let w = 0; w < WORDS; w++) if (a[i + w] !== b[j + w]) return a[i + w]! < b[j + w]! ? -1 : 1;
  return 0;
}

/** murmur3's finaliser: spreads a word's bits, so sequential or time-based UUIDs probe as well as random ones. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class KeyIdSet {
  #slots = new Uint32Array(1024 * WORDS);
  /** Whether a slot is taken (four zero words are the nil UUID, not "empty"). */
  #taken = new Uint8Array(1024);
  #size = 0;
  #found = false;
  readonly #record = new Uint32Array(WORDS);

  get size(): number {
    return this.#size;
  }

  has(keyId: string): boolean {
    this.#slotOf(recordOf(keyId, this.#record), this.#slots, this.#taken);
    return this.#found;
  }

  /** Adds the key_ID; false when it was there already. */
  add(keyId: string): boolean {
    return this.addRecord(recordOf(keyId, this.#record));
  }

  addRecord(r: Uint32Array): boolean {
    if ((this.#size + 1) / this.#taken.length > MAX_LOAD) this.#grow();
    const slot = this.#slotOf(r, this.#slots, this.#taken);
    if (this.#found) return false;
    this.#slots.set(r, slot * WORDS);
    this.#taken[slot] = 1;
    this.#size++;
    return true;
  }

  /** Every record, in ascending order, WORDS words each (what the archive merges in). */
  sorted(): Uint32Array {
    const out = new Uint32Array(this.#size * WORDS);
    let n = 0;
    for (let s = 0; s < this.#taken.length; s++) if (this.#taken[s]) out.set(this.#slots.subarray(s * WORDS, s * WORDS + WORDS), WORDS * n++);
    const order = Array.from({ length: n }, (_, i) => i * WORDS).sort((i, j) => compareRecords(out, i, out, j));
    const sorted = new Uint32Array(out.length);
    order.forEach((from, to) => sorted.set(out.subarray(from, from + WORDS), to * WORDS));
    return sorted;
  }

  /** The slot holding `r`, or the empty slot where it would go (#found says which); linear probing. */
  #slotOf(r: Uint32Array, slots: Uint32Array, taken: Uint8Array): number {
    const mask = taken.length - 1;
    let s = mix(r[0]! ^ mix(r[1]! ^ mix(r[2]! ^ mix(r[3]!)))) & mask;
    for (;;) {
      if (!taken[s]) return (this.#found = false), s;
      const o = s * WORDS;
      if (slots[o] === r[0] && slots[o + 1] === r[1] && slots[o + 2] === r[2] && slots[o + 3] === r[3]) return (this.#found = true), s;
      s = (s + 1) & mask;
    }
  }

  #grow(): void {
    const [slots, taken] = [this.#slots, this.#taken];
    this.#slots = new Uint32Array(slots.length * 2);
    this.#taken = new Uint8Array(taken.length * 2);
    for (let s = 0; s < taken.length; s++) {
      if (!taken[s]) continue;
      const r = slots.subarray(s * WORDS, s * WORDS + WORDS);
      const to = this.#slotOf(r, this.#slots, this.#taken);
      this.#slots.set(r, to * WORDS);
      this.#taken[to] = 1;
    }
  }
}
