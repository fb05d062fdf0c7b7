import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyIdSet } from './keyid-set.js';

describe('KeyIdSet', () => {
  it('holds every key_ID exactly, through many growths, and gives each back as it was given', () => {
    const set = new KeyIdSet();
    const ids = Array.from({ length: 50_000 }, () => randomUUID());
    for (const id of ids) expect(set.add(id)).toBe(true);
    expect(set.size).toBe(ids.length);
    for (const id of ids) expect(set.has(id)).toBe(true);
    for (const id of ids.slice(0, 1000)) expect(set.add(id)).toBe(false); // the second add is refused
    expect(set.size).toBe(ids.length);
    for (let i = 0; i < 1000; i++) expect(set.has(randomUUID())).toBe(false);
    expect([...set].sort()).toEqual([...ids].sort());
  });

  it('tells apart UUIDs that differ in one bit of any word, and sequential ones', () => {
    const set = new KeyIdSet();
    const base = '00000000-0000-0000-0000-000000000000'; // the nil UUID is a key_ID like any other
    set.add(base);
    const variants = [0, 4, 9, 14, 19, 24, 28, 35].map((at) => `${base.slice(0, at)}1${base.slice(at + 1)}`);
    for (const v of variants) {
      expect(set.has(v), v).toBe(false);
      set.add(v);
    }
    const sequential = Array.from({ length: 5000 }, (_, i) => `00000000-0000-0000-0000-${i.toString(16).padStart(12, '0')}`);
    for (const id of sequential) set.add(id);
    expect(set.size).toBe(1 + variants.length + sequential.length - 2); // …-000000000000 and …-000000000001 were there already
    for (const id of [base, ...variants, ...sequential]) expect(set.has(id), id).toBe(true);
  });

  it('keeps any other string as it is: an uppercase UUID stays distinct from its lowercase form', () => {
    const set = new KeyIdSet();
    const id = randomUUID();
    for (const other of [id.toUpperCase(), 'k1', `${id}x`, id.replaceAll('-', ''), '']) {
      expect(set.add(other), other).toBe(true);
      expect(set.has(other), other).toBe(true);
    }
    expect(set.has(id)).toBe(false);
    expect(set.add(id)).toBe(true);
    expect(set.add(id.toUpperCase())).toBe(false);
    expect([...set].sort()).toEqual(['', 'k1', id, id.toUpperCase(), `${id}x`, id.replaceAll('-', '')].sort());
  });
});
