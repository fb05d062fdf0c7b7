// The held-value guard: the process registers key material it holds (a QKD key as hex and
// Base64, a CAK, a password) and every log line is scanned for those values before it is
// written. Only SHA-256 digests are kept, so the guard itself holds no secret; candidate runs
// in a line (hex of 32+ digits, Base64 of 22+ characters, and whole words) are hashed and compared.
import { createHash } from 'node:crypto';

export const MASK = '<redacted>';

export interface HeldSecrets {
  /** Register a value (at least 8 characters); case-insensitive for hex. */
  hold(value: string): void;
  /** Register raw key bytes: their hex and Base64 forms. */
  holdBytes(bytes: Uint8Array): void;
  has(value: string): boolean;
  readonly size: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest('base64');

export function createHeldSecrets(): HeldSecrets {
  const digests = new Set<string>();
  const add = (v: string) => {
    if (v.length >= 8) digests.add(digest(/^[0-9a-fA-F]+$/.test(v) ? v.toLowerCase() : v));
  };
  return {
    hold: add,
    holdBytes(bytes) {
      const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      add(b.toString('hex'));
      add(b.toString('base64'));
      add(b.toString('base64url'));
    },
    has: (v) => digests.has(digest(/^[0-9a-fA-F]+$/.test(v) ? v.toLowerCase() : v)),
    get size() {
      return digests.size;
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
