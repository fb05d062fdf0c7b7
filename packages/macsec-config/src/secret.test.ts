import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REDACTED, Secret, isSecret } from './secret.js';

const HEX = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('Secret', () => {
  it('prints [redacted] through every string path', () => {
    const s = Secret.fromHex(HEX);
    const outputs = [
      String(s),
      `${s}`,
      s.toString(),
      JSON.stringify({ cak: s }),
      inspect(s),
      inspect({ nested: { cak: s } }, { depth: 5, showHidden: true }),
      '' + s,
    ];
    for (const out of outputs) {
      expect(out).not.toContain(HEX);
      expect(out).not.toContain(HEX.slice(0, 8));
      expect(out).toContain(REDACTED);
    }
    expect(Object.keys(s)).toEqual([]);
    expect(JSON.stringify(structuredClone({ cak: s }))).not.toContain(HEX);
  });

  it('reveals only through reveal()', () => {
    expect(Secret.fromHex(HEX.toUpperCase()).reveal()).toBe(HEX);
    expect(Secret.fromBytes(new Uint8Array([0, 1, 0xff])).reveal()).toBe('0001ff');
  });

  it('reports its hex length and whether it is device-encrypted', () => {
    expect(Secret.fromHex(HEX).hexLength).toBe(64);
    expect(Secret.fromHex(HEX).encrypted).toBe(false);
    const enc = Secret.fromDevice('$9$AbCdEfGh.kP5Q3nCu0BSyKvMX');
    expect(enc.encrypted).toBe(true);
    expect(enc.hexLength).toBeUndefined();
    expect(String(enc)).toBe(REDACTED);
  });

  it('refuses non-hex input without echoing it', () => {
    expect(() => Secret.fromHex('secretzz')).toThrow(/not a hex string \(8 characters\)/);
    expect(() => Secret.fromHex('topsecretvalue!')).toThrow(/15 characters/);
    try {
      Secret.fromHex('topsecretvalue!');
    } catch (e) {
      expect(String(e)).not.toContain('topsecret');
    }
    expect(() => Secret.fromHex('')).toThrow(TypeError);
    expect(() => Secret.fromDevice('has space')).toThrow(TypeError);
    expect(() => Secret.fromBytes(new Uint8Array())).toThrow(TypeError);
  });

  it('compares in constant time', () => {
    expect(Secret.fromHex(HEX).equals(Secret.fromHex(HEX))).toBe(true);
    expect(Secret.fromHex(HEX).equals(Secret.fromHex(HEX.slice(2)))).toBe(false);
    expect(Secret.fromHex('aa').equals(Secret.fromHex('ab'))).toBe(false);
    expect(isSecret(Secret.fromHex('aa'))).toBe(true);
    expect(isSecret('aa')).toBe(false);
  });

  it('is frozen', () => {
    const s = Secret.fromHex('aa');
    expect(Object.isFrozen(s)).toBe(true);
  });
});
