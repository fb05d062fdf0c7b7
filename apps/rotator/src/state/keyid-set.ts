// The key_IDs of the whole history, exactly, in ~36–49 B each. The check that no key_ID is ever
// installed twice needs every key_ID a state directory has staged, for the daemon's whole life; as
// strings in a Map (with their link and time) they took ~170 B each, 8–9 MiB a day for 2,000
// links rotated hourly. ETSI GS QKD 014 key_IDs are UUIDs: a lowercase canonical one is kept as
// its 128 bits in an open-addressing table; anything else (an uppercase UUID, a KME's own format)
// as the string, so every key_ID comes back exactly as it was given.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WORDS = 4; // 32-bit words a slot: the UUID's 128 bits
const MAX_LOAD = 0.7;

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
  /** Whether a slot is taken (a slot of four zero words is the nil UUID, not "empty"). */
  #taken = new Uint8Array(1024);
  #uuids = 0;
  readonly #others = new Set<string>();
  readonly #words = new Uint32Array(WORDS);

  get size(): number {
    return this.#uuids + this.#others.size;
  }

  has(keyId: string): boolean {
    if (!this.#parse(keyId)) return this.#others.has(keyId);
    this.#slotOf(this.#words, this.#slots, this.#taken);
    return this.#found;
  }

  /** Adds the key_ID; false when it was there already. */
  add(keyId: string): boolean {
    if (!this.#parse(keyId)) {
      if (this.#others.has(keyId)) return false;
      this.#others.add(keyId);
      return true;
    }
    if ((this.#uuids + 1) / this.#taken.length > MAX_LOAD) this.#grow();
    const slot = this.#slotOf(this.#words, this.#slots, this.#taken);
    if (this.#found) return false;
    this.#slots.set(this.#words, slot * WORDS);
    this.#taken[slot] = 1;
    this.#uuids++;
    return true;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    const hex = (w: number) => w.toString(16).padStart(8, '0');
    for (let s = 0; s < this.#taken.length; s++) {
      if (!this.#taken[s]) continue;
      const [a, b, c, d] = [0, 1, 2, 3].map((i) => hex(this.#slots[s * WORDS + i]!));
      yield `${a}-${b!.slice(0, 4)}-${b!.slice(4)}-${c!.slice(0, 4)}-${c!.slice(4)}${d}`;
    }
    yield* this.#others;
  }

  /** Puts a canonical UUID's 128 bits in #words; false for any other string. */
  #parse(keyId: string): boolean {
    if (keyId.length !== 36 || !UUID.test(keyId)) return false;
    const w = this.#words;
    w[0] = parseInt(keyId.slice(0, 8), 16);
    w[1] = parseInt(keyId.slice(9, 13) + keyId.slice(14, 18), 16);
    w[2] = parseInt(keyId.slice(19, 23) + keyId.slice(24, 28), 16);
    w[3] = parseInt(keyId.slice(28, 36), 16);
    return true;
  }

  #found = false;
  /** The slot holding `w`, or the empty slot where it would go (#found says which); linear probing. */
  #slotOf(w: Uint32Array, slots: Uint32Array, taken: Uint8Array): number {
    const mask = taken.length - 1;
    let s = mix(w[0]! ^ mix(w[1]! ^ mix(w[2]! ^ mix(w[3]!)))) & mask;
    for (;;) {
      if (!taken[s]) return (this.#found = false), s;
      const o = s * WORDS;
      if (slots[o] === w[0] && slots[o + 1] === w[1] && slots[o + 2] === w[2] && slots[o + 3] === w[3]) return (this.#found = true), s;
      s = (s + 1) & mask;
    }
  }

  #grow(): void {
    const [slots, taken] = [this.#slots, this.#taken];
    this.#slots = new Uint32Array(slots.length * 2);
    this.#taken = new Uint8Array(taken.length * 2);
    const w = new Uint32Array(WORDS);
    for (let s = 0; s < taken.length; s++) {
      if (!taken[s]) continue;
      w.set(slots.subarray(s * WORDS, s * WORDS + WORDS));
      const to = this.#slotOf(w, this.#slots, this.#taken);
      this.#slots.set(w, to * WORDS);
      this.#taken[to] = 1;
    }
  }
}
