// writeFileAtomic's contract, which the rotator may rely on for its state file: the new content
// replaces the old in one rename, with exactly the mode asked, both the file and its directory
// fsynced, no temp file left behind, and a failure that names the path.
import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileError } from './errors.js';
import { writeFileAtomic } from './index.js';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cert-lcm-atomic-'));
  dirs.push(dir);
  return dir;
}

describe('writeFileAtomic', () => {
  it('replaces the file with exactly the mode asked and leaves nothing else in the directory', async () => {
    const dir = await tempDir();
    const path = join(dir, 'state.json');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, '{"new":true}', { mode: 0o600 });
    expect(await readFile(path, 'utf8')).toBe('{"new":true}');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('fsyncs the new file before the rename and the directory after it', async () => {
    const dir = await tempDir();
    const probe = await open(dir, 'r');
    const FileHandle = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    await probe.close();
    const synced: string[] = [];
    const original = FileHandle.sync;
    vi.spyOn(FileHandle, 'sync').mockImplementation(async function (this: { fd: number }) {
      synced.push((await readdir(dir)).join(','));
      return original.call(this);
    });
    await writeFileAtomic(join(dir, 'state.json'), 'x', { mode: 0o644 });
    // First sync: only the temp file exists; second: after the rename, only the target.
    expect(synced).toHaveLength(2);
    expect(synced[0]).toMatch(/^\.state\.json\.[0-9a-f]{12}\.tmp$/);
    expect(synced[1]).toBe('state.json');
  });

  it('fails with a FileError naming the path when the directory does not exist', async () => {
    const path = join(await tempDir(), 'missing', 'state.json');
    const error = await writeFileAtomic(path, 'x', { mode: 0o600 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileError);
    expect((error as FileError).source).toBe(path);
    expect((error as Error).message).toMatch(/cannot write: ENOENT/);
  });
});
