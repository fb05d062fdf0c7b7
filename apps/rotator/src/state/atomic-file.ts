// Whole-file writes that a SIGKILL or a power cut leaves either old or new, never torn: write a
// temp file (mode 0600), fsync it, rename it over the file, fsync the directory.
// Synchronous on purpose (the key_ID log's append too): a state write gates a cycle's stages and
// confirms, and as a chain of a dozen awaited fs calls each call waited a full event-loop turn —
// with thousands of sessions' replies in every turn, one write took 0.3–0.7 s at 2,000 links. Done
// in one go it blocks the loop for its syscalls only (two fsyncs: ~1–2 ms on an SSD).
import { closeSync, constants, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    writeAll(fd, Buffer.from(text, 'utf8'));
    fchmodSync(fd, 0o600); // in case a umask or an older temp file got in the way
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  // The rename is durable only once the directory entry is.
  syncDir(dirname(file));
}

/** writeSync may write less than asked (a full disk mid-way throws; a signal can cut it short). */
export function writeAll(fd: number, bytes: Buffer): void {
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
