// The key_ID log: every key_ID ever staged, one JSON line each, appended and fsynced — never
// rewritten. The set only grows (a key_ID is installed at most once, so none is ever dropped),
// and rewriting it whole on each of a cycle's journal writes cost a large fleet more CPU than the
// rest of the state. A SIGKILL mid-append leaves a torn last line: it is ignored on read (its
// update never returned, so its keys reached no device) and cut off before the next append.
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, ftruncateSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeAll } from './atomic-file.js';
import { keyIdLineSchema, describeIssues, type KeyIdEntry } from './schema.js';

export interface KeyIdLog {
  entries: Map<string, KeyIdEntry>;
  /** Bytes up to and including the last complete line: where the next append goes. */
  validBytes: number;
}

/** Reads the log; a missing file is an empty log. `onError` builds the caller's error (file, message). */
export async function readKeyIdLog(file: string, onError: (message: string, cause?: unknown) => Error): Promise<KeyIdLog> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: new Map(), validBytes: 0 };
    throw onError(`cannot read key_ID log ${file}: ${(e as Error).message}`, e);
  }
  const validBytes = buf.lastIndexOf(0x0a) + 1; // after the last newline; what follows is a torn append
  const entries = new Map<string, KeyIdEntry>();
  // A link's name and a cycle's instant recur on thousands of lines: one string each, not one per
  // line (JSON.parse makes every value anew; ~64 B a key_ID of a history kept in memory for good).
  const shared = new Map<string, string>();
  const one = (v: string): string => shared.get(v) ?? (shared.set(v, v), v);
  const lines = buf.toString('utf8', 0, validBytes).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw onError(`key_ID log ${file} line ${i + 1} is not valid JSON: ${(e as Error).message}`, e);
    }
    const parsed = keyIdLineSchema.safeParse(value);
    if (!parsed.success) throw onError(`key_ID log ${file} line ${i + 1} is not a key_ID entry: ${describeIssues(parsed.error)}`);
    const { keyId, ...entry } = parsed.data;
    entry.link = one(entry.link);
    entry.at = one(entry.at);
    if (!entries.has(keyId)) entries.set(keyId, entry);
  }
  return { entries, validBytes };
}

/** One line per key_ID, in the order given. */
export function keyIdLines(keyIds: Iterable<[string, KeyIdEntry]>): string {
  let out = '';
  for (const [keyId, e] of keyIds) out += `${JSON.stringify({ keyId, ...e })}\n`;
  return out;
}

/**
 * Appends `text` (whole lines) at `validBytes` — cutting off a torn line a killed writer left —
 * and fsyncs. Mode 0600. Returns the new end and whether the file was created (its directory
 * entry then needs an fsync of the directory to be durable). Synchronous, as every state write
 * (atomic-file.ts says why).
 */
export function appendKeyIdLines(file: string, validBytes: number, text: string): { validBytes: number; created: boolean } {
  let created = false;
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
    created = true;
  }
  try {
    const { size } = fstatSync(fd);
    if (size < validBytes) throw new Error(`key_ID log ${file} shrank to ${size} bytes since it was read (${validBytes}): another writer?`);
    if (size > validBytes) ftruncateSync(fd, validBytes);
    const bytes = Buffer.from(text, 'utf8');
    writeAll(fd, bytes);
    if (created) fchmodSync(fd, 0o600); // in case a umask got in the way
    fsyncSync(fd);
    return { validBytes: validBytes + bytes.length, created };
  } finally {
    closeSync(fd);
  }
}
