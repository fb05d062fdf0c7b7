// Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it over
// the target, fsync the directory. A reader sees the old file or the new one, never a mix, and
// after a crash the directory holds one of them (plus, at worst, a stray temp file that the next
// write of the same target does not collide with).
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError } from './errors.js';

export const PRIVATE_MODE = 0o600;
export const PUBLIC_MODE = 0o644;

/** An errno error as "CODE (message)", for FileError messages. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}${e.message ? ` (${e.message.replace(/^[A-Z]+: /, '')})` : ''}` : String(err);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `path` atomically with exactly `mode` (not reduced by the umask). */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode: number }): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', opts.mode);
    try {
      await handle.chmod(opts.mode); // open() applies the umask; the key mode must be exact
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await fsyncDir(dir);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new FileError(`${path}: cannot write: ${errnoText(err)}`, { source: path, cause: err });
  }
}

/** Renames and makes the rename durable. */
export async function renameDurable(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
    await fsyncDir(dirname(to));
  } catch (err) {
    throw new FileError(`${to}: cannot rename ${from} into place: ${errnoText(err)}`, { source: to, cause: err });
  }
}

/** Removes a file if present; true when something was removed. */
export async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new FileError(`${path}: cannot remove: ${errnoText(err)}`, { source: path, cause: err });
  }
}
