// CKN/CAK derivation from a delivered QKD key. The CAK is the key itself (hex); the CKN is a public
// name both ends compute from the key_ID, so neither end has to send the other anything secret.
import { createHash } from 'node:crypto';
import { KeyDerivationError } from './errors.js';
import { CIPHER_SUITES, type CipherSuite } from './model.js';
import { Secret } from './secret.js';
import { cakHexLength, checkCkn } from './validate.js';

/** A caller's value for a message; never throws (String() does on objects without a prototype). */
function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  return Object.getPrototypeOf(value) === null ? 'an object without a prototype' : `a ${typeof value}`;
}

/** Bits of QKD key a CAK for this suite needs: request exactly this many from the KME. */
export function requiredKeyBits(cipherSuite: CipherSuite): 128 | 256 {
  if (!(CIPHER_SUITES as readonly unknown[]).includes(cipherSuite)) {
    throw new KeyDerivationError(`unknown cipher suite "${describe(cipherSuite)}" (expected one of ${CIPHER_SUITES.join(', ')})`, {
      cipherSuite: describe(cipherSuite),
    });
  }
  return cakHexLength(cipherSuite) === 64 ? 256 : 128;
}

/** The shape of a delivered key (e.g. an etsi-qkd-client QkdKey); only these fields are read. */
export interface KeyInput {
  readonly keyId: string;
  readonly bytes: Uint8Array;
}

/** A rule turning a key_ID into a CKN. Implement this to add a strategy. */
export interface CknStrategy {
  readonly name: string;
  ckn(keyId: string): string;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The field script's rule: a fixed 32-hex prefix followed by the key_ID UUID's 32 hex digits. */
export function prefixUuidStrategy(prefix: string): CknStrategy {
  if (typeof prefix !== 'string' || !/^[0-9a-fA-F]{32}$/.test(prefix)) {
    throw new KeyDerivationError(`prefix-uuid: prefix must be exactly 32 hex digits, got ${typeof prefix === 'string' ? `${prefix.length} characters` : describe(prefix)}`, {
      strategy: 'prefix-uuid',
    });
  }
  const lower = prefix.toLowerCase();
  return {
    name: 'prefix-uuid',
    ckn(keyId) {
      if (!UUID.test(keyId)) {
        throw new KeyDerivationError(`prefix-uuid: key_ID "${keyId}" is not a UUID`, { keyId, strategy: 'prefix-uuid' });
      }
      return lower + keyId.replaceAll('-', '').toLowerCase();
    },
  };
}

/**
 * The successor's rule: CKN = SHA-256 of the key_ID's UTF-8 bytes exactly as the KME delivered
 * it, in hex (64 digits). Both ends receive the same key_ID string, so both compute the same CKN.
 */
export const sha256KeyIdStrategy: CknStrategy = {
  name: 'sha256-keyid',
  ckn(keyId) {
    if (typeof keyId !== 'string' || keyId.length === 0) {
      throw new KeyDerivationError('sha256-keyid: key_ID is empty', { strategy: 'sha256-keyid' });
    }
    return createHash('sha256').update(keyId, 'utf8').digest('hex');
  },
};

export type CknStrategyName = 'prefix-uuid' | 'sha256-keyid';

export interface DeriveOptions {
  cipherSuite: CipherSuite;
  /** A named strategy or your own. */
  strategy: CknStrategyName | CknStrategy;
  /** The 32-hex prefix for `prefix-uuid`. */
  prefix?: string;
  /**
   * Accept a key longer than the suite needs and use its first bytes. Off by default: requesting
   * the exact size from the KME is the right fix, since truncation throws QKD key material away.
   */
  allowTruncate?: boolean;
}

export interface DerivedKey {
  readonly keyId: string;
  readonly ckn: string;
  readonly cak: Secret;
  readonly cipherSuite: CipherSuite;
  readonly strategy: string;
}

export function resolveStrategy(strategy: CknStrategyName | CknStrategy, prefix?: string): CknStrategy {
  if (typeof strategy === 'object' && strategy !== null && typeof strategy.ckn === 'function') return strategy;
  if (strategy === 'sha256-keyid') return sha256KeyIdStrategy;
  if (strategy === 'prefix-uuid') {
    if (prefix === undefined) {
      throw new KeyDerivationError('prefix-uuid needs a 32-hex `prefix` option', { strategy: 'prefix-uuid' });
    }
    return prefixUuidStrategy(prefix);
  }
  throw new KeyDerivationError(`unknown CKN strategy "${describe(strategy)}" (expected prefix-uuid, sha256-keyid or a CknStrategy)`, {
    strategy: describe(strategy),
  });
}

/** Derives the CKN and CAK for one delivered key. The CAK comes back as a Secret. */
export function deriveCknCak(key: KeyInput, options: DeriveOptions): DerivedKey {
  if (typeof options !== 'object' || options === null) {
    throw new KeyDerivationError(`derivation options must be an object, got ${describe(options)}`, {});
  }
  const neededBits = requiredKeyBits(options.cipherSuite);
  const strategy = resolveStrategy(options.strategy, options.prefix);
  const keyId = key?.keyId;
  if (typeof keyId !== 'string') {
    throw new KeyDerivationError('key has no string keyId', { strategy: strategy.name });
  }
  const bytes = key.bytes;
  if (!(bytes instanceof Uint8Array)) {
    throw new KeyDerivationError(`key ${keyId} has no bytes (expected a Uint8Array)`, { keyId, strategy: strategy.name });
  }
  const context = { keyId, strategy: strategy.name, cipherSuite: options.cipherSuite, keyBits: bytes.length * 8, neededBits };
  const neededBytes = neededBits / 8;
  if (bytes.length < neededBytes) {
    throw new KeyDerivationError(
      `key ${keyId} has ${bytes.length * 8} bits, ${options.cipherSuite} needs ${neededBits}; refusing to pad`,
      context,
    );
  }
  if (bytes.length > neededBytes && !options.allowTruncate) {
    throw new KeyDerivationError(
      `key ${keyId} has ${bytes.length * 8} bits, ${options.cipherSuite} needs ${neededBits}; ` +
        `request ${neededBits} bits from the KME (or pass allowTruncate: true to use the first ${neededBits})`,
      context,
    );
  }
  const ckn = strategy.ckn(keyId);
  const cknProblem = checkCkn(ckn);
  if (cknProblem) {
    throw new KeyDerivationError(`strategy ${strategy.name} produced a bad CKN for ${keyId}: ${cknProblem}`, context);
  }
  return Object.freeze({
    keyId,
    ckn,
    cak: Secret.fromBytes(bytes.subarray(0, neededBytes)),
    cipherSuite: options.cipherSuite,
    strategy: strategy.name,
  });
}
