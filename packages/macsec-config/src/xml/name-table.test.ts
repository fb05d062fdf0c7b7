import { describe, expect, it } from 'vitest';
import { parseXml } from './parse.js';
import { MAX_SAME_HASH, NameTable } from './reader.js';

// "Aa" and "BB" have the same 31-based hash, so every name made of them collides: 2^k names of 2k characters.
const colliding = (k: number): string[] => Array.from({ length: 2 ** k }, (_, i) => Array.from({ length: k }, (_, b) => ((i >> b) & 1 ? 'BB' : 'Aa')).join(''));
const hashOf = (s: string): number => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 0);

describe('the reader’s table of names already checked', () => {
  it(`keeps at most ${MAX_SAME_HASH} names per hash, so colliding names from a peer are not all walked at every tag`, () => {
    const names = colliding(8);
    expect(new Set(names.map(hashOf)).size).toBe(1);
    const table = new NameTable();
    for (const n of names) table.add(hashOf(n), n, n);
    const cached = names.filter((n) => table.find(n, 0, n.length, hashOf(n)) !== undefined);
    expect(cached).toEqual(names.slice(0, MAX_SAME_HASH));
  });

  it('reads a document of colliding element names, cached or not, to the same tree', () => {
    const names = colliding(6);
    const xml = `<r>${names.map((n, i) => `<${n} a${n}="${i}">${i}</${n}>`).join('')}</r>`;
    const tree = parseXml(xml)['r'] as Record<string, { '#text': string } & Record<string, string>>;
    expect(Object.keys(tree)).toEqual(names);
    names.forEach((n, i) => expect(tree[n]).toEqual({ '#text': String(i), [`@_a${n}`]: String(i) }));
  });
});
