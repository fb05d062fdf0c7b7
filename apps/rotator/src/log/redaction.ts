// The held-value guard: the process registers key material it holds (a QKD key as hex and
// Base64, a CAK, a password) and every log line is scanned for those values before it is
// written. Only SHA-256 digests are kept, so the guard itself holds no secret; candidate runs
// in a line (hex of 32+ digits, Base64 of 22+ characters, and whole words) are hashed and compared.
// Keys are forgotten a while after they were registered: a QKD key lives for one transaction
// (fetched, staged, wiped), and a daemon that kept every key's digests would grow by three per
// link per cycle for ever. Each digest costs ~110 B (its string, a Map slot, the expiry), so
// 6,000 a cycle at 2,000 links: kept 6 hours, a daemon rotating every 3 minutes held ~80 MB of
// them, and the daemon bench (every 30 s) grew by 0.67 MB a cycle. The CLI keeps them for
// keyTtlMsFor(its rotation settings). Passwords stay.
import { hash } from 'node:crypto';

/** How long a registered key's digests are kept unless keepKeysFor() says otherwise. */
export const KEY_TTL_MS = 6 * 3600_000;
/** The least keyTtlMsFor() gives: far beyond a transaction's reads, fetches and stages at fleet size. */
export const KEY_TTL_FLOOR_MS = 30 * 60_000;

/**
 * How long to keep a key's digests for a rotation whose transactions take at most
 * `transactionSeconds` (confirm timeout + lead time + the MKA check: config minimumCycle()):
 * twice that, and at least KEY_TTL_FLOOR_MS.
 */
export function keyTtlMsFor(transactionSeconds: number): number {
  return Math.max(KEY_TTL_FLOOR_MS, 2 * transactionSeconds * 1000);
}

export const MASK = '<redacted>';

export interface HeldSecrets {
  /** Register a value (at least 8 characters); case-insensitive for hex. */
  hold(value: string): void;
  /** Register raw key bytes: their hex and Base64 forms. */
  holdBytes(bytes: Uint8Array): void;
  has(value: string): boolean;
  /** Keys registered from now on are kept this long (those held already keep their time). */
  keepKeysFor(ms: number): void;
  /** How long keys registered now are kept. */
  readonly keyTtlMs: number;
  readonly size: number;
}

const digest = (s: string) => hash('sha256', s, 'base64'); // one call: ~2.5× createHash().update().digest() per key form

export function createHeldSecrets(options: { keyTtlMs?: number; now?: () => number } = {}): HeldSecrets {
  let ttl = options.keyTtlMs ?? KEY_TTL_MS;
  const now = options.now ?? Date.now;
  const kept = new Set<string>();
  // Key digests -> when they are forgotten; swept once the map has doubled since the last sweep.
  const keys = new Map<string, number>();
  let sweepAt = 1024;
  // The lengths of what was ever held: a run of any other length is no held value, and is not
  // hashed (a log line's timestamps, UUIDs and names were each a SHA-256 before).
  const lengths = new Set<number>();
  const norm = (v: string) => digest(/^[0-9a-fA-F]+$/.test(v) ? v.toLowerCase() : v);
  const addKey = (v: string, until: number, d = norm(v)) => {
    if (v.length < 8) return;
    lengths.add(v.length);
    keys.delete(d); // re-inserted at the end: the map stays in expiry order
    keys.set(d, until);
  };
  return {
    hold(v) {
      if (v.length < 8) return;
      lengths.add(v.length);
      kept.add(norm(v));
    },
    holdBytes(bytes) {
      const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const t = now();
      const hex = b.toString('hex');
      const d = norm(hex);
      // The same key again (each SAE's client receives it: enc_keys, then dec_keys) within half
      // its TTL: all three forms are held for at least that long already.
      if ((keys.get(d) ?? 0) > t + ttl / 2) return;
      const until = t + ttl;
      addKey(hex, until, d);
      addKey(b.toString('base64'), until);
      addKey(b.toString('base64url'), until);
      if (keys.size >= sweepAt) {
        const t = now();
        for (const [d, u] of keys) {
          if (u > t) break; // insertion order is expiry order (keepKeysFor comes before the keys)
          keys.delete(d);
        }
        sweepAt = Math.max(1024, 2 * keys.size);
      }
    },
    has(v) {
      if (!lengths.has(v.length)) return false;
      const d = norm(v);
      return kept.has(d) || (keys.get(d) ?? 0) > now();
    },
    keepKeysFor(ms) {
      if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`keepKeysFor: a time in ms above 0, got ${ms}`);
      ttl = ms;
    },
    get keyTtlMs() {
      return ttl;
    },
    get size() {
      return kept.size + keys.size;
    },
  };
}

// Hex runs (a CAK is 32 or 64 digits), Base64 runs (a 128-bit key is 24 characters with
// padding, 256-bit 44) and, for passwords, any run without whitespace or quotes.
const CANDIDATES = [/[0-9a-fA-F]{32,}/g, /[A-Za-z0-9+/_-]{22,}={0,2}/g, /[^\s"'\\,;:=()[\]{}<>]{8,}/g];

/** `line` with every held value replaced by <redacted>. */
export function redactHeld(line: string, held: HeldSecrets): string {
  if (held.size === 0) return line;
  let out = line;
  for (const pattern of CANDIDATES) {
    out = out.replace(pattern, (run) => {
      if (held.has(run)) return MASK;
      // A held hex key may sit inside a longer hex run (e.g. concatenated with a CKN): check
      // the aligned 32- and 64-digit windows.
      if (/^[0-9a-fA-F]+$/.test(run) && run.length > 32) {
        for (const w of [64, 32]) {
          for (let i = 0; i + w <= run.length; i += 2) if (held.has(run.slice(i, i + w))) return MASK;
        }
      }
      return run;
    });
  }
  return out;
}
