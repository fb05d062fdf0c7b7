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

function createQkdKey(keyId: string, bytes: Uint8Array, keyIdExtension?: Record<string, unknown>): QkdKey {
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
  // Decoded straight into memory of its own: Buffer.from(…, 'base64') would use Node's shared
  // pool for small sizes, leaving a copy of the key there that wipe() cannot reach.
  const bytes = new Uint8Array(Buffer.byteLength(entry.key, 'base64'));
  const written = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).write(entry.key, 'base64');
  return createQkdKey(entry.key_ID, written === bytes.length ? bytes : bytes.subarray(0, written), entry.key_ID_extension);
}
