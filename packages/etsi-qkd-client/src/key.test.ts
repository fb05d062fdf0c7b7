import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeKey } from './key.js';

const keyId = '550e8400-e29b-41d4-a716-446655440000';
const material = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('QkdKey', () => {
  const fresh = () => decodeKey({ key_ID: keyId, key: material.toString('base64') });

  it('decodes the Base64 key into bytes of the right length', () => {
    const key = fresh();
    expect(Buffer.from(key.bytes).equals(material)).toBe(true);
    expect(key.bits).toBe(128);
  });

  it('never shows key material through toString, JSON, inspect, template or spread', () => {
    const key = fresh();
    const outputs = [String(key), `${key}`, JSON.stringify(key), inspect(key), inspect({ nested: key }, { depth: 5 }), JSON.stringify({ ...key })];
    for (const text of outputs) {
      expect(text).not.toContain(material.toString('hex'));
      expect(text).not.toContain(material.toString('base64'));
      expect(text).not.toMatch(/\b(0|17|34), (17|34|51)\b/); // no byte list either
    }
    expect(String(key)).toBe(`QkdKey(${keyId}, 128 bits)`);
    expect(JSON.parse(JSON.stringify(key))).toEqual({ keyId, bits: 128 });
  });

  it('wipe() zero-fills the bytes', () => {
    const key = fresh();
    key.wipe();
    expect([...key.bytes].every((b) => b === 0)).toBe(true);
  });
});
