// The key log: every key a KME hands out, as JSON lines, so a leak scanner has its needles.
// It is the one place sim-kme writes key material on purpose; off unless asked for. Lines are
// written synchronously before the reply goes out, so a key a client holds is always in the
// file, even if the simulator is killed the next instant.
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import type { IssuedKey } from './key-stream.js';

export interface KeyLog {
  readonly file: string;
  /** Appends one line per key handed out by KME `kmeId`. */
  record(kmeId: string, keys: readonly IssuedKey[]): void;
  close(): void;
}

/** The warning `sim-kme` prints and logs when the key log is on. */
export const keyLogWarning = (file: string) =>
  `key log on: every key handed out is written in clear to ${file} (mode 0600); for tests only, never with real keys`;

export function openKeyLog(file: string): KeyLog {
  let fd: number;
  try {
    // Created 0600; a file that already exists is narrowed to 0600, never widened.
    fd = openSync(file, 'a', 0o600);
    fchmodSync(fd, 0o600);
  } catch (err) {
    throw new Error(`key log ${file}: cannot open for writing: ${(err as Error).message}`, { cause: err });
  }
  let open = true;
  return {
    file,
    record(kmeId, keys) {
      if (!open || keys.length === 0) return;
      const at = new Date().toISOString();
      let lines = '';
      for (const k of keys)
        lines += `${JSON.stringify({ at, source: 'sim-kme', id: kmeId, keyId: k.keyId, hex: k.key.toString('hex'), base64: k.key.toString('base64') })}\n`;
      writeSync(fd, lines);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
