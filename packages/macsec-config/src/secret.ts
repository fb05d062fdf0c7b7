// A secret configuration value (a CAK, a key-chain secret). The text lives in a private field and
// leaves only through reveal(): string conversion, JSON, util.inspect and template literals all
// print `[redacted]`, so a model can be logged or snapshotted without leaking the key.
import { inspect } from 'node:util';
import { timingSafeEqual } from 'node:crypto';

export const REDACTED = '[redacted]';

const HEX = /^[0-9a-fA-F]+$/;
// Junos "$9$" reversible encoding (what get-configuration returns for secrets) and crypt-style
// hashes: opaque to us, but safe to load back on a device.
const DEVICE_ENCRYPTED = /^\$[0-9a-z]+\$\S+$/;

// Recognises a Secret made by another copy of this module (the ESM and CJS builds loaded side by side).
const BRAND = Symbol.for('@qkd-macsec/macsec-config:Secret');

export class Secret {
  readonly #value: string;

  get [BRAND](): true {
    return true;
  }

  private constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  /** A secret given as hex (e.g. a CAK). Lower-cases it; refuses anything but hex digits. */
  static fromHex(hex: string): Secret {
    if (typeof hex !== 'string' || hex.length === 0 || !HEX.test(hex)) {
      throw new TypeError(`secret is not a hex string (${typeof hex === 'string' ? `${hex.length} characters` : typeof hex})`);
    }
    return new Secret(hex.toLowerCase());
  }

  /** The hex form of raw key bytes. */
  static fromBytes(bytes: Uint8Array): Secret {
    if (bytes.length === 0) throw new TypeError('secret bytes are empty');
    return new Secret(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
  }

  /** A secret as a device reports it: hex, or Junos-encrypted (`$9$...`). Kept verbatim. */
  static fromDevice(text: string): Secret {
    if (typeof text !== 'string' || text.length === 0 || /[\s"\\]/.test(text)) {
      throw new TypeError('secret from device is empty or contains whitespace, quotes or backslashes');
    }
    return new Secret(text);
  }

  /** True when the value is Junos-encrypted (`$9$...`) rather than clear hex. */
  get encrypted(): boolean {
    return DEVICE_ENCRYPTED.test(this.#value);
  }

  /** Number of hex digits when clear hex, else undefined. Safe to log: it is a length. */
  get hexLength(): number | undefined {
    return HEX.test(this.#value) ? this.#value.length : undefined;
  }

  /** The clear value. The only way out; use it only to put the value on the device. */
  reveal(): string {
    return this.#value;
  }

  /** Constant-time comparison of two secrets. */
  equals(other: Secret): boolean {
    const a = Buffer.from(this.#value);
    const b = Buffer.from(other.reveal());
    return a.length === b.length && timingSafeEqual(a, b);
  }

  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret || (typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true);
}
