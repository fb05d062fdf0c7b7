// The writer thread's contract: a write's operations run in order, each durable before the next,
// and the first that fails stops the series (those before it stand, those after it are not tried).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskWriteError, writeToDisk } from './disk-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'disk-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('writeToDisk', () => {
  it('appends at the given end (cutting off what lies beyond it) and replaces files, mode 0600, in order', async () => {
    const log = join(dir, 'log');
    const file = join(dir, 'state.json');
    const first = await writeToDisk([{ kind: 'append', file: log, at: 0, bytes: bytes('a\n') }, { kind: 'replace', file, bytes: bytes('{"n":1}\n') }]);
    expect(first).toEqual([{ validBytes: 2, created: true }, null]);
    await writeFile(log, 'a\ntorn', { flag: 'w' }); // a killed writer's half line
    const second = await writeToDisk([{ kind: 'append', file: log, at: 2, bytes: bytes('b\n') }, { kind: 'replace', file, bytes: bytes('{"n":2}\n') }]);
    expect(second).toEqual([{ validBytes: 4, created: false }, null]);
    expect(readFileSync(log, 'utf8')).toBe('a\nb\n');
    expect(readFileSync(file, 'utf8')).toBe('{"n":2}\n');
    for (const f of [log, file]) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('stops at the first operation that fails: those before it stand, those after it are not tried', async () => {
    const [a, b, c] = [join(dir, 'a'), join(dir, 'b'), join(dir, 'c')] as const;
    await mkdir(`${b}.${process.pid}.tmp`); // b's temp file path taken
    const write = writeToDisk([a, b, c].map((file) => ({ kind: 'replace' as const, file, bytes: bytes(file) })));
    await expect(write).rejects.toBeInstanceOf(DiskWriteError);
    await expect(write).rejects.toMatchObject({ op: { kind: 'replace', file: b }, code: 'EISDIR' });
    expect(readFileSync(a, 'utf8')).toBe(a);
    expect(existsSync(b)).toBe(false);
    expect(existsSync(c)).toBe(false);
    // The thread is still there for the next write.
    await expect(writeToDisk([{ kind: 'replace', file: c, bytes: bytes('c') }])).resolves.toEqual([null]);
  });

  it('refuses to append to a log that shrank since it was read (another writer)', async () => {
    const log = join(dir, 'log');
    await writeFile(log, 'a\n');
    await expect(writeToDisk([{ kind: 'append', file: log, at: 10, bytes: bytes('b\n') }])).rejects.toThrow(`${log} shrank to 2 bytes since it was read (10): another writer?`);
    expect(readFileSync(log, 'utf8')).toBe('a\n');
  });

  it('a writer thread that dies fails the write under way, saying so; the next write starts a new thread', async () => {
    const file = join(dir, 'state.json');
    // Paths that add up to more than the thread's 16 MB heap: it runs out of memory taking the message in.
    const huge = Array.from({ length: 12 }, (_, i) => ({ kind: 'replace' as const, file: join(dir, String(i).repeat(3 * 2 ** 20)), bytes: bytes('{}\n') }));
    await expect(writeToDisk(huge)).rejects.toThrow(/^the state writer thread stopped \(.+\); nothing after the last completed write is known to be on disk$/);
    expect(await writeToDisk([{ kind: 'replace', file, bytes: bytes('{"n":1}\n') }])).toEqual([null]);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
  });
});
