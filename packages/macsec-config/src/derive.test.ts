import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deriveCknCak,
  prefixUuidStrategy,
  requiredKeyBits,
  sha256KeyIdStrategy,
  type CknStrategy,
} from './derive.js';
import { KeyDerivationError } from './errors.js';
import { CIPHER_SUITES, type CipherSuite } from './model.js';

const KEY_ID = '550e8400-e29b-41d4-a716-446655440000';
const PREFIX = 'abcd1234abcd5678abcd1234abcd5678';
const bytes = (n: number, fill = (i: number) => i) => Uint8Array.from({ length: n }, (_, i) => fill(i) & 0xff);

describe('requiredKeyBits', () => {
  it('is 128 for the 128-bit suites and 256 for the 256-bit ones', () => {
    expect(requiredKeyBits('gcm-aes-128')).toBe(128);
    expect(requiredKeyBits('gcm-aes-xpn-128')).toBe(128);
    expect(requiredKeyBits('gcm-aes-256')).toBe(256);
    expect(requiredKeyBits('gcm-aes-xpn-256')).toBe(256);
    expect(() => requiredKeyBits('aes-cbc' as CipherSuite)).toThrow(/unknown cipher suite "aes-cbc"/);
  });
});

describe('prefix-uuid', () => {
  it('is the 32-hex prefix followed by the UUID hex (the field script rule)', () => {
    const d = deriveCknCak({ keyId: KEY_ID, bytes: bytes(32) }, { cipherSuite: 'gcm-aes-xpn-256', strategy: 'prefix-uuid', prefix: PREFIX });
    expect(d.ckn).toBe('abcd1234abcd5678abcd1234abcd5678550e8400e29b41d4a716446655440000');
    expect(d.ckn).toHaveLength(64);
    expect(d.cak.reveal()).toBe(Buffer.from(bytes(32)).toString('hex'));
    expect(d.strategy).toBe('prefix-uuid');
    expect(d.keyId).toBe(KEY_ID);
  });

  it('lower-cases prefix and UUID', () => {
    const s = prefixUuidStrategy(PREFIX.toUpperCase());
    expect(s.ckn(KEY_ID.toUpperCase())).toBe(PREFIX + KEY_ID.replaceAll('-', ''));
  });

  it('refuses a bad prefix or a key_ID that is not a UUID', () => {
    expect(() => prefixUuidStrategy('abcd')).toThrow(/exactly 32 hex digits, got 4/);
    expect(() => prefixUuidStrategy('z'.repeat(32))).toThrow(KeyDerivationError);
    expect(() => deriveCknCak({ keyId: KEY_ID, bytes: bytes(16) }, { cipherSuite: 'gcm-aes-128', strategy: 'prefix-uuid' })).toThrow(/needs a 32-hex `prefix`/);
    expect(() => deriveCknCak({ keyId: 'key-7', bytes: bytes(16) }, { cipherSuite: 'gcm-aes-128', strategy: 'prefix-uuid', prefix: PREFIX })).toThrow(/"key-7" is not a UUID/);
  });
});

describe('sha256-keyid', () => {
  it('is the SHA-256 of the key_ID in hex', () => {
    const d = deriveCknCak({ keyId: KEY_ID, bytes: bytes(16) }, { cipherSuite: 'gcm-aes-128', strategy: 'sha256-keyid' });
    expect(d.ckn).toBe(createHash('sha256').update(KEY_ID).digest('hex'));
    // Known answer so a change of encoding cannot slip by.
    expect(sha256KeyIdStrategy.ckn('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(d.cak.reveal()).toHaveLength(32);
  });
});

describe('deriveCknCak', () => {
  it('uses exactly the bits each suite needs', () => {
    for (const suite of CIPHER_SUITES) {
      const n = requiredKeyBits(suite) / 8;
      const d = deriveCknCak({ keyId: KEY_ID, bytes: bytes(n, (i) => 255 - i) }, { cipherSuite: suite, strategy: 'sha256-keyid' });
      expect(d.cak.hexLength).toBe(n * 2);
      expect(d.cipherSuite).toBe(suite);
    }
  });

  it('refuses a short key and never pads', () => {
    expect(() => deriveCknCak({ keyId: KEY_ID, bytes: bytes(16) }, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid' })).toThrow(
      /has 128 bits, gcm-aes-256 needs 256; refusing to pad/,
    );
    try {
      deriveCknCak({ keyId: KEY_ID, bytes: bytes(16) }, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid' });
    } catch (e) {
      expect(e).toBeInstanceOf(KeyDerivationError);
      expect(e).toMatchObject({ keyId: KEY_ID, keyBits: 128, neededBits: 256 });
    }
  });

  it('refuses a long key unless truncation is asked for', () => {
    const key = { keyId: KEY_ID, bytes: bytes(64) };
    expect(() => deriveCknCak(key, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid' })).toThrow(/request 256 bits from the KME/);
    const d = deriveCknCak(key, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid', allowTruncate: true });
    expect(d.cak.reveal()).toBe(Buffer.from(bytes(32)).toString('hex'));
  });

  it('accepts a QkdKey-shaped object with non-enumerable bytes', () => {
    const key = { keyId: KEY_ID, bits: 128 } as { keyId: string; bits: number; bytes: Uint8Array };
    Object.defineProperty(key, 'bytes', { value: bytes(16), enumerable: false });
    expect(deriveCknCak(key, { cipherSuite: 'gcm-aes-xpn-128', strategy: 'sha256-keyid' }).cak.hexLength).toBe(32);
  });

  it('never puts key material in errors or in the result as printed', () => {
    const secretBytes = bytes(32, () => 0xab);
    const d = deriveCknCak({ keyId: KEY_ID, bytes: secretBytes }, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid' });
    expect(JSON.stringify(d)).not.toContain('abab');
    expect(String(d.cak)).toBe('[redacted]');
    expect(() => deriveCknCak({ keyId: KEY_ID, bytes: secretBytes }, { cipherSuite: 'gcm-aes-128', strategy: 'sha256-keyid' })).toThrow(/has 256 bits/);
    try {
      deriveCknCak({ keyId: KEY_ID, bytes: secretBytes }, { cipherSuite: 'gcm-aes-128', strategy: 'sha256-keyid' });
    } catch (e) {
      expect(String(e)).not.toContain('abab');
    }
  });

  it('accepts a custom strategy and checks what it produces', () => {
    const upper: CknStrategy = { name: 'uuid-only', ckn: (id) => id.replaceAll('-', '') };
    expect(deriveCknCak({ keyId: KEY_ID, bytes: bytes(16) }, { cipherSuite: 'gcm-aes-128', strategy: upper }).ckn).toBe(KEY_ID.replaceAll('-', ''));
    const bad: CknStrategy = { name: 'odd', ckn: () => 'abc' };
    expect(() => deriveCknCak({ keyId: KEY_ID, bytes: bytes(16) }, { cipherSuite: 'gcm-aes-128', strategy: bad })).toThrow(/strategy odd produced a bad CKN.*even number/);
    expect(() => deriveCknCak({ keyId: KEY_ID, bytes: bytes(16) }, { cipherSuite: 'gcm-aes-128', strategy: 'md5' as never })).toThrow(/unknown CKN strategy "md5"/);
  });

  it('rejects a key without bytes or key_ID', () => {
    expect(() => deriveCknCak({ keyId: KEY_ID } as never, { cipherSuite: 'gcm-aes-128', strategy: 'sha256-keyid' })).toThrow(/has no bytes/);
    expect(() => deriveCknCak({ bytes: bytes(16) } as never, { cipherSuite: 'gcm-aes-128', strategy: 'sha256-keyid' })).toThrow(/no string keyId/);
  });
});
