// The held-value guard: the process registers key material it holds (a QKD key, a CAK, a
// password) and every log line is scanned for those values before it is written. Only SHA-256
// digests are kept, so the guard itself holds no secret; candidate runs in a line (hex of 32+
// digits, Base64 of 22+ characters, and whole words) are hashed and compared.
//
// Keys are forgotten a while after they were registered: a QKD key lives for one transaction
// (fetched, staged, wiped), and a daemon that kept every key would grow by a cycle's keys every
// cycle for ever. The CLI keeps them for keyTtlMsFor(its rotation settings), at least 30 minutes:
// 60 cycles of 2,000 keys for the daemon bench, which rotates every 30 s. So a key costs as little
// as it can: one digest of its bytes (a run in a line is decoded, as hex or Base64, before it is
// hashed), cut to 96 bits, in a Set per generation of keys that expire together — ~60 B. Three
// full digests per key (hex, Base64, base64url) in a Map of expiry times cost ~330 B: 0.67 MB a
// cycle, 40 MB held at the bench's pace. Passwords stay for the life of the process.
import { hash } from 'node:crypto';

/** How long a registered key's digests are kept unless keepKeysFor() says otherwise. */
const KEY_TTL_MS = 6 * 3600_000;
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

/** What stands for a secret wherever one is withheld (CONTRIBUTING.md: one marker, valid in XML, JSON and Junos text). */
export const REDACTED = '[redacted]';

export interface HeldSecrets {
  /** Register a value (at least 8 characters); case-insensitive for hex. */
  hold(value: string): void;
  /** Register raw key bytes: found in a line as hex (any case), Base64 or base64url. */
  holdBytes(bytes: Uint8Array): void;
  has(value: string): boolean;
  /**
   * Keys registered from now on are kept this long — at least, and at most an eighth longer (they
   * expire by generation); those held already keep their time.
   */
  keepKeysFor(ms: number): void;
  /** How long keys registered now are kept. */
  readonly keyTtlMs: number;
  /** Values and keys held. */
  readonly size: number;
}

const digest = (s: string) => hash('sha256', s, 'base64'); // one call: ~2.5× createHash().update().digest()
const keyDigest = (bytes: Uint8Array) => hash('sha256', bytes, 'base64').slice(0, 16);
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

/**
 * The bytes `run` spells in hex, and in Base64 or base64url (Node reads both alphabets, with or
 * without padding). Read leniently: a run whose last character's unused bits differ from the
 * canonical spelling's still decodes to the key, so it is masked too.
 */
function bytesOf(run: string): Buffer[] {
  const out: Buffer[] = [];
  if (run.length % 2 === 0 && HEX.test(run)) out.push(Buffer.from(run, 'hex'));
  if (BASE64.test(run)) out.push(Buffer.from(run, 'base64'));
  return out;
}

/** Keys registered together expire together: a generation takes keys for an eighth of the TTL. */
interface Generation {
  until: number;
  digests: Set<string>;
}

export function createHeldSecrets(options: { keyTtlMs?: number; now?: () => number } = {}): HeldSecrets {
  let ttl = options.keyTtlMs ?? KEY_TTL_MS;
  const now = options.now ?? Date.now;
  const kept = new Set<string>();
  let generations: Generation[] = [];
  // The lengths of what was ever held: a run of any other length is no held value, and is not
  // hashed (a log line's timestamps, UUIDs and names were each a SHA-256 before).
  const lengths = new Set<number>();
  const norm = (v: string) => digest(HEX.test(v) ? v.toLowerCase() : v);
  const heldKey = (d: string, after: number) => generations.some((g) => g.until > after && g.digests.has(d));
  return {
    hold(v) {
      if (v.length < 8) return;
      lengths.add(v.length);
      kept.add(norm(v));
    },
    holdBytes(bytes) {
      const t = now();
      const d = keyDigest(bytes);
      // The same key again (each SAE's client receives it: enc_keys, then dec_keys) within half
      // its TTL: it is held for at least that long already.
      if (heldKey(d, t + ttl / 2)) return;
      const n = bytes.byteLength;
      for (const length of [2 * n, 4 * Math.ceil(n / 3), Math.ceil((4 * n) / 3)]) if (length >= 8) lengths.add(length);
      generations = generations.filter((g) => g.until > t);
      const newest = generations.at(-1);
      if (newest && newest.until >= t + ttl && newest.until <= t + ttl + ttl / 8) newest.digests.add(d);
      else generations.push({ until: t + ttl + ttl / 8, digests: new Set([d]) });
    },
    has(v) {
      if (!lengths.has(v.length)) return false;
      if (kept.size > 0 && kept.has(norm(v))) return true;
      if (generations.length === 0) return false;
      const t = now();
      return bytesOf(v).some((b) => heldKey(keyDigest(b), t));
    },
    keepKeysFor(ms) {
      if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`keepKeysFor: a time in ms above 0, got ${ms}`);
      ttl = ms;
    },
    get keyTtlMs() {
      return ttl;
    },
    get size() {
      return generations.reduce((n, g) => n + g.digests.size, kept.size);
    },
  };
}

// Hex runs (a CAK is 32 or 64 digits), Base64 runs (a 128-bit key is 24 characters with
// padding, 256-bit 44) and, for passwords, any run without whitespace or quotes.
const CANDIDATES = [/[0-9a-fA-F]{32,}/g, /[A-Za-z0-9+/_-]{22,}={0,2}/g, /[^\s"'\\,;:=()[\]{}<>]{8,}/g];

/** `line` with every held value replaced by [redacted]. */
export function redactHeld(line: string, held: HeldSecrets): string {
  if (held.size === 0) return line;
  let out = line;
  for (const pattern of CANDIDATES) {
    out = out.replace(pattern, (run) => {
      if (held.has(run)) return REDACTED;
      // A held hex key may sit inside a longer hex run (e.g. concatenated with a CKN): check
      // the aligned 32- and 64-digit windows.
      if (/^[0-9a-fA-F]+$/.test(run) && run.length > 32) {
        for (const w of [64, 32]) {
          for (let i = 0; i + w <= run.length; i += 2) if (held.has(run.slice(i, i + w))) return REDACTED;
        }
      }
      return run;
    });
  }
  return out;
}
