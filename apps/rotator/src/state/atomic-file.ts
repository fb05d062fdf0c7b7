// Whole-file writes that a SIGKILL or a power cut leaves either old or new, never torn: write a
// temp file (mode 0600), fsync it, rename it over the file, fsync the directory.
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `${basename(file)}.${process.pid}.tmp`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    await fh.writeFile(text);
    await fh.chmod(0o600); // in case a umask or an older temp file got in the way
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  // The rename is durable only once the directory entry is.
  await syncDir(dirname(file));
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
