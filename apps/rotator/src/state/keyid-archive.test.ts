import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyIdArchive } from './keyid-archive.js';
import { keyIdLines } from './keyid-log.js';
import { KeyIdSet, recordOf, WORDS } from './keyid-set.js';

let dir: string;
let file: string;
let log: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotator-keyid-archive-'));
  file = join(dir, 'keyids.idx');
  log = join(dir, 'keyids.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const r = (id: string) => recordOf(id, new Uint32Array(WORDS));
const setOf = (ids: string[]) => {
  const s = new KeyIdSet();
  for (const id of ids) s.add(id);
  return s;
};
/** Appends the key_IDs to the log; returns its length. */
const logged = (ids: string[]) => {
  appendFileSync(log, keyIdLines(ids.map((k) => [k, { link: 'L', at: 'x' }])));
  return statSync(log).size;
};

describe('KeyIdArchive', () => {
  it('merges batches into one sorted file and finds every key_ID in it, and none other, after reopening', async () => {
    let archive = KeyIdArchive.none(file);
    const all: string[] = [];
    // Batches of several sizes: blocks of 256 records, 1 MiB write buffers (65,536), and overlaps.
    for (const n of [1, 300, 70_000, 255, 1000]) {
      const batch: string[] = Array.from({ length: n }, () => randomUUID());
      if (all.length > 0) batch.push(all[all.length - 1]!, all[0]!); // already archived: kept once
      all.push(...batch.slice(0, n));
      archive = await archive.merge(setOf(batch).sorted(), log, logged(batch));
      expect(archive.count).toBe(all.length);
    }
    expect(statSync(file).size).toBe(64 + all.length * 16);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    const reopened = KeyIdArchive.open(file, log);
    expect([reopened.count, reopened.logBytes]).toEqual([all.length, statSync(log).size]);
    for (const id of all) expect(reopened.has(r(id)), id).toBe(true);
    for (let i = 0; i < 2000; i++) expect(reopened.has(r(randomUUID()))).toBe(false);
    for (const edge of ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'k1']) expect(reopened.has(r(edge))).toBe(false);
  });

  it('is not trusted beyond the log: a torn file, a log that is not the one it was built from, or none at all', async () => {
    const ids = Array.from({ length: 600 }, () => randomUUID());
    await KeyIdArchive.none(file).merge(setOf(ids).sorted(), log, logged(ids));
    const good = readFileSync(file);
    const cases: [string, () => void][] = [
      ['torn', () => writeFileSync(file, good.subarray(0, good.length - 5))],
      ['bad magic', () => writeFileSync(file, Buffer.concat([Buffer.from('NOTANIDX'), good.subarray(8)]))],
      ['a record damaged', () => writeFileSync(file, Buffer.from(good).fill(0x55, 64 + 300 * 16 + 3, 64 + 300 * 16 + 4))],
      [
        'records out of order, with a matching hash',
        () => {
          const swapped = Buffer.from(good);
          good.subarray(64 + 16, 64 + 32).copy(swapped, 64);
          good.subarray(64, 64 + 16).copy(swapped, 64 + 16);
          createHash('sha256').update(swapped.subarray(64)).digest().copy(swapped, 56, 0, 8);
          writeFileSync(file, swapped);
        },
      ],
      ['log rewritten near its end', () => writeFileSync(log, readFileSync(log, 'utf8').replace(/"L"(?![^]*"L")/, '"M"'))],
      ['log shorter', () => writeFileSync(log, readFileSync(log).subarray(0, 100))],
    ];
    const logText = readFileSync(log);
    for (const [what, damage] of cases) {
      writeFileSync(file, good);
      writeFileSync(log, logText);
      expect(KeyIdArchive.open(file, log).count, `intact before ${what}`).toBe(600);
      damage();
      const opened = KeyIdArchive.open(file, log);
      expect([opened.count, opened.logBytes, opened.has(r(ids[0]!))], what).toEqual([0, 0, false]);
    }
    writeFileSync(file, good);
    writeFileSync(log, logText);
    appendFileSync(log, keyIdLines([[randomUUID(), { link: 'L', at: 'y' }]])); // the log went on: still the archive's log
    expect(KeyIdArchive.open(file, log).count).toBe(600);
    await rm(file);
    expect(KeyIdArchive.open(file, log).count).toBe(0);
  });

  it('lets go of its file descriptor once nothing reaches it (a state read earlier may still be looking up in it until then)', async () => {
    const ids = Array.from({ length: 10 }, () => randomUUID());
    await KeyIdArchive.none(file).merge(setOf(ids).sorted(), log, logged(ids));
    const fds = () => readdirSync('/proc/self/fd').length;
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const before = fds();
    let kept = Array.from({ length: 200 }, () => KeyIdArchive.open(file, log));
    expect(fds()).toBeGreaterThanOrEqual(before + 200);
    expect(kept.every((a) => a.has(r(ids[3]!)))).toBe(true);
    kept = [];
    for (let i = 0; i < 20 && fds() > before + 5; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(fds()).toBeLessThanOrEqual(before + 5);
  });
});

