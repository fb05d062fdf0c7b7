// Junos never shows a CAK or key-chain secret in clear: `show configuration` prints `$9$…`.
// The simulator keeps secrets in clear in memory (the link model compares them) and renders them
// with its own reversible `$9$` obfuscation, so a shown configuration can be loaded back. This is
// obfuscation, not encryption — exactly like Junos' own `$9$` — and never the real Junos scheme.
// Like a Junos device, which stores the `$9$` form once, one secret always shows the same `$9$`
// (within one simulator process), so the key log's `junos9` needle is what clients see.
import { createHmac, hash, randomBytes } from 'node:crypto';
import { memoize } from './memo.js';

const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SECRET_TAGS = new Set(['cak', 'secret', 'encrypted-password', 'authentication-key', 'pre-shared-key-text']);

export function isSecretTag(tag: string): boolean {
  return SECRET_TAGS.has(tag);
}

/** Statement words fit for an error message: the value after a secret keyword becomes `<secret>`. */
export function redactWords(words: readonly string[]): string[] {
  return words.map((w, i) => (i > 0 && isSecretTag(words[i - 1]!) ? '<secret>' : w));
}

function keystream(salt: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  // crypto.hash: the one-shot digest, without a Hash object per block
  for (let block = 0; block * 32 < length; block++) hash('sha256', `sim-junos$9$${salt}:${block}`, 'buffer').copy(out, block * 32);
  return out;
}

/** Salts differ per process, so no fixed mapping from secret to `$9$` exists across runs. */
const SALT_PEPPER = randomBytes(32);

/** The `$9$` of recent secrets: a device shows the same secret in every get-configuration, so it
 *  is computed once (two hashes and an HMAC), not per reply. Bounded: secrets rotate. */
const shown = memoize(1 << 14, obfuscate);

export function obfuscateSecret(plain: string): string {
  return shown(plain);
}

function obfuscate(plain: string): string {
  const salt = Array.from(createHmac('sha256', SALT_PEPPER).update(plain).digest().subarray(0, 4), (b) => SALT_CHARS[b % SALT_CHARS.length]).join('');
  const bytes = Buffer.from(plain, 'utf8');
  const ks = keystream(salt, bytes.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ ks[i]!;
  return `$9$${salt}${bytes.toString('base64url')}`;
}

/** Reverses `obfuscateSecret`; any other value (a clear value, a real Junos `$9$`) is returned as is. */
export function revealSecret(value: string): string {
  const m = /^\$9\$([A-Za-z0-9]{4})([A-Za-z0-9_-]+)$/.exec(value);
  if (!m) return value;
  const bytes = Buffer.from(m[2]!, 'base64url');
  const ks = keystream(m[1]!, bytes.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ ks[i]!;
  const plain = bytes.toString('utf8');
  return /^[\x20-\x7e]+$/.test(plain) ? plain : value;
}
