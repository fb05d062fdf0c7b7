import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findKeyIdEntry, keyIdLines, readKeyIdLog, type KeyIdLogChunk } from './keyid-log.js';
import type { KeyIdEntry } from './types.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotator-keyid-log-'));
  file = join(dir, 'keyids.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fail = (message: string) => new Error(message);
/** The whole read: every key_ID in order and where the last chunk ended. */
async function readAll(options?: { from?: number; chunkBytes?: number }, at = file) {
  const chunks: KeyIdLogChunk[] = [];
  for await (const c of readKeyIdLog(at, fail, options)) chunks.push(c);
  return { keyIds: chunks.flatMap((c) => c.keyIds), validBytes: chunks.at(-1)?.validBytes ?? options?.from ?? 0, chunks: chunks.length };
}
const entries = (n: number): [string, KeyIdEntry][] =>
  Array.from({ length: n }, (_, i) => [i % 7 === 0 ? `kme-${i}` : randomUUID(), { link: `link-${i % 13}`, at: `2026-01-0${1 + (i % 9)}T00:00:00.000Z`, ...(i % 5 === 0 ? { kind: 'fallback' as const } : {}) }]);

describe('key_ID log', () => {
  it('reads a log a chunk at a time, whatever chunk a line straddles, and ends where the last whole line does', async () => {
    const all = entries(300);
    const text = keyIdLines(all);
    await writeFile(file, `${text}{"keyId":"torn`);
    for (const chunkBytes of [7, 64, 100, 4096, 1 << 20]) {
      const log = await readAll({ chunkBytes });
      expect(log.validBytes, `chunk ${chunkBytes}`).toBe(Buffer.byteLength(text));
      expect(log.keyIds, `chunk ${chunkBytes}`).toEqual(all.map(([k]) => k));
    }
    expect((await readAll({ chunkBytes: 4096 })).chunks).toBeGreaterThan(3);
    // From a line's start (where an archive ends): only what follows.
    const from = Buffer.byteLength(keyIdLines(all.slice(0, 120)));
    expect(await readAll({ from, chunkBytes: 100 })).toMatchObject({ keyIds: all.slice(120).map(([k]) => k), validBytes: Buffer.byteLength(text) });
  });

  it('takes lines in other forms (escapes, a field a later version adds, blank lines) through JSON and the schema', async () => {
    const lines = [`{"keyId":"a\\u0062","link":"L \\"1\\"","at":"x"}`, '', `{"link":"L2","keyId":"c","at":"y","note":"later"}`];
    await writeFile(file, `${lines.join('\n')}\n`);
    expect((await readAll({ chunkBytes: 16 })).keyIds).toEqual(['ab', 'c']);
  });

  it('names the file and the line of an entry that is not one', async () => {
    await writeFile(file, `${keyIdLines(entries(3))}{"keyId":"d","at":"x"}\n`);
    await expect(readAll()).rejects.toThrow(`key_ID log ${file} line 4 is not a key_ID entry: link:`);
    const two = keyIdLines(entries(2));
    await writeFile(file, `${two}not json\n`);
    await expect(readAll()).rejects.toThrow(new RegExp(`key_ID log ${file} line 3 is not valid JSON`));
    const first = Buffer.byteLength(two.slice(0, two.indexOf('\n') + 1));
    await expect(readAll({ from: first })).rejects.toThrow(new RegExp(`key_ID log ${file} the line at byte ${Buffer.byteLength(two)} is not valid JSON`));
  });

  it('a missing log is an empty one', async () => {
    expect(await readAll({}, join(dir, 'none'))).toEqual({ keyIds: [], validBytes: 0, chunks: 0 });
    expect(await findKeyIdEntry(join(dir, 'none'), 'k')).toBeUndefined();
  });

  it('finds the first entry of a key_ID on disk, across chunks, never one whose value merely contains it', async () => {
    const all = entries(200);
    const [target, entry] = all[150]!;
    const decoy: [string, KeyIdEntry] = ['decoy', { link: `{"keyId":"${target}",`, at: 'x' }];
    await writeFile(file, keyIdLines([decoy, ...all, [target, { link: 'second', at: 'y' }]]));
    for (const chunk of [50, 333, 1 << 20]) expect(await findKeyIdEntry(file, target, chunk), `chunk ${chunk}`).toEqual(entry);
    expect(await findKeyIdEntry(file, randomUUID())).toBeUndefined();
  });
});
