// A delivered QKD key. Its bytes are reachable only through `.bytes`, so printing, logging or
// serialising the object shows the key ID and length and never the key itself.
import { inspect } from 'node:util';

export interface QkdKey {
  readonly keyId: string;
  readonly keyIdExtension?: Record<string, unknown>;
  /** The key material. Treat as secret; call `wipe()` when done. */
  readonly bytes: Uint8Array;
  readonly bits: number;
  /** Zero-fills the bytes in place. */
  wipe(): void;
  toString(): string;
  toJSON(): { keyId: string; bits: number };
}

export function createQkdKey(keyId: string, bytes: Uint8Array, keyIdExtension?: Record<string, unknown>): QkdKey {
  const bits = bytes.length * 8;
  const describe = () => `QkdKey(${keyId}, ${bits} bits)`;
  const key: QkdKey = {
    keyId,
    ...(keyIdExtension ? { keyIdExtension } : {}),
    bytes,
    bits,
    wipe: () => bytes.fill(0),
    toString: describe,
    toJSON: () => ({ keyId, bits }),
  };
  Object.defineProperty(key, 'bytes', { enumerable: false });
  Object.defineProperty(key, inspect.custom, { value: describe, enumerable: false });
  return Object.freeze(key);
}

/** Decodes the Base64 `key` of a Key container entry (already validated by the schema). */
export function decodeKey(entry: { key_ID: string; key: string; key_ID_extension?: Record<string, unknown> }): QkdKey {
  return createQkdKey(entry.key_ID, new Uint8Array(Buffer.from(entry.key, 'base64')), entry.key_ID_extension);
}
