// A rename or a new file is durable only once its directory entry is: fsync the directory.
// Synchronous: called where the caller has nothing else to do meanwhile (the key_ID archive's
// merge, between cycles). A cycle's state writes do it on their own thread (disk-writer.ts).
import { closeSync, constants, fsyncSync, openSync } from 'node:fs';

export function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
