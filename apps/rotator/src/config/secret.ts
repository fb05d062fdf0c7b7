// A secret read from the config (a device password, an SSH private key or its passphrase).
// The value lives in a private field and leaves only through reveal(): string conversion, JSON,
// util.inspect and template literals all print `[redacted]`, so a resolved config can be logged,
// printed by `validate` or put in an error without leaking it. macsec-config's Secret does the
// same for key material, but it cannot hold these: it takes hex (or a device's `$9$` text) only,
// through factories that refuse anything else (a password is neither), and it has no place for
// where the value came from (`describe()`, which config errors print) — hence this sibling, with
// the same marker.
import { inspect } from 'node:util';
import { REDACTED } from '../log/redaction.js';

/** Where a secret came from, safe to print: `env R1_PASSWORD`, `file /etc/qkd/r1`, `inline`. */
export type SecretSource = { kind: 'env'; name: string } | { kind: 'file'; path: string } | { kind: 'inline' };

export class ConfigSecret {
  readonly #value: string;
  readonly source: SecretSource;

  constructor(value: string, source: SecretSource) {
    this.#value = value;
    this.source = source;
    Object.freeze(this);
  }

  /** The clear value. Use it only to hand it to the SSH client. */
  reveal(): string {
    return this.#value;
  }

  /** `env R1_PASSWORD`, `file /etc/qkd/r1` or `inline`: for messages. */
  describe(): string {
    return this.source.kind === 'env' ? `env ${this.source.name}` : this.source.kind === 'file' ? `file ${this.source.path}` : 'inline';
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
    return `ConfigSecret(${this.describe()})`;
  }
}
