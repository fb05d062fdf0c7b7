import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareRecords, KeyIdSet, recordOf, WORDS } from './keyid-set.js';

const hex = (r: Uint32Array, at = 0) => Array.from(r.subarray(at, at + WORDS), (w) => w.toString(16).padStart(8, '0')).join('');

describe('KeyIdSet', () => {
  it('holds every key_ID exactly, through many growths', () => {
    const set = new KeyIdSet();
    const ids = Array.from({ length: 50_000 }, () => randomUUID());
    for (const id of ids) expect(set.add(id)).toBe(true);
    expect(set.size).toBe(ids.length);
    for (const id of ids) expect(set.has(id)).toBe(true);
    for (const id of ids.slice(0, 1000)) expect(set.add(id)).toBe(false); // the second add is refused
    expect(set.size).toBe(ids.length);
    for (let i = 0; i < 1000; i++) expect(set.has(randomUUID())).toBe(false);
  });

  it("a UUID's record is its 128 bits; sorted() gives every record once, in byte order", () => {
    const set = new KeyIdSet();
    const ids = Array.from({ length: 3000 }, () => randomUUID());
    for (const id of ids) set.add(id);
    const sorted = set.sorted();
    expect(sorted.length).toBe(ids.length * WORDS);
    const asHex = Array.from({ length: ids.length }, (_, i) => hex(sorted, i * WORDS));
    expect(asHex).toEqual(ids.map((id) => id.replaceAll('-', '')).sort());
    for (let i = WORDS; i < sorted.length; i += WORDS) expect(compareRecords(sorted, i - WORDS, sorted, i)).toBe(-1);
  });

  it('tells apart UUIDs that differ in one hex digit of any word, and sequential ones', () => {
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

  it('keeps any other string by its SHA-256: an uppercase UUID stays distinct from its lowercase form', () => {
    const set = new KeyIdSet();
    const id = randomUUID();
    for (const other of [id.toUpperCase(), 'k1', `${id}x`, id.replaceAll('-', ''), '']) {
      expect(set.add(other), other).toBe(true);
      expect(set.has(other), other).toBe(true);
    }
    expect(set.has(id)).toBe(false);
    expect(set.add(id)).toBe(true);
    expect(set.add(id.toUpperCase())).toBe(false);
    expect(set.size).toBe(6);
    expect(hex(recordOf('k1', new Uint32Array(WORDS)))).toBe(createHash('sha256').update('k1').digest('hex').slice(0, 32));
  });
});
