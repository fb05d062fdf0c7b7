// The key_ID log: every key_ID ever staged, one JSON line each, appended and fsynced — never
// rewritten. The set only grows (a key_ID is installed at most once, so none is ever dropped),
// and rewriting it whole on each of a cycle's journal writes cost a large fleet more CPU than the
// rest of the state. A SIGKILL mid-append leaves a torn last line: it is ignored on read (its
// update never returned, so its keys reached no device) and cut off before the next append (the
// append itself: disk-writer.ts).
import { open } from 'node:fs/promises';
import { keyIdLineSchema, describeIssues } from './schema.js';
import type { KeyIdEntry } from './types.js';

/** The key_IDs of whole lines of the log, a chunk at a time, and where those lines end. */
export interface KeyIdLogChunk {
  keyIds: string[];
  /** Bytes up to and including the chunk's last complete line: where the next append goes, after the last chunk. */
  validBytes: number;
}

// The line keyIdLines writes, in the form that needs no JSON.parse to be known valid: a restart
// reads every key_ID of the history, millions after a year of a large fleet. Any other line
// (escapes, fields a later version adds) goes through JSON.parse and the schema.
const PLAIN_LINE = /^\{"keyId":"([^"\\\x00-\x1f]+)","link":"[^"\\\x00-\x1f]*","at":"[^"\\\x00-\x1f]+"(?:,"kind":"fallback")?\}$/;

/**
 * The log's complete lines, as buffers of whole lines a chunk at a time (a long history is larger
 * than one string may be), and in `at.validBytes` where they end. Nothing when there is no log.
 */
async function* wholeLines(file: string, at: { validBytes: number }, ioError: (e: Error) => Error, chunkBytes = 1 << 20): AsyncGenerator<Buffer> {
  let position = at.validBytes;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw ioError(e as Error);
  }
  try {
    let carry = Buffer.alloc(0); // the start of a line the previous chunk cut
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, chunkBytes, position));
      } catch (e) {
        throw ioError(e as Error);
      }
      if (bytesRead === 0) return; // what is left in carry is a torn append: ignored, cut off by the next one
      position += bytesRead;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const end = buf.lastIndexOf(0x0a) + 1; // a newline byte is never inside a multi-byte character
      carry = Buffer.from(buf.subarray(end));
      if (end === 0) continue;
      at.validBytes += end;
      yield buf.subarray(0, end);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads the log from byte `from` (0: all of it; the archive's end: what came after it), a chunk of
 * whole lines at a time; a missing file is an empty log. `onError` builds the caller's error (file,
 * message). `chunkBytes`: how much is read at a time (tests make lines straddle chunks).
 */
export async function* readKeyIdLog(
  file: string,
  onError: (message: string, cause?: unknown) => Error,
  { from = 0, chunkBytes }: { from?: number; chunkBytes?: number } = {},
): AsyncGenerator<KeyIdLogChunk> {
  const at = { validBytes: from };
  let lineNo = 0;
  const where = (lines: string[], i: number) =>
    from === 0 ? `line ${lineNo}` : `the line at byte ${at.validBytes - lines.slice(i).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)}`;
  for await (const chunk of wholeLines(file, at, (e) => onError(`cannot read key_ID log ${file}: ${e.message}`, e), chunkBytes)) {
    const keyIds: string[] = [];
    const lines = chunk.toString('utf8', 0, chunk.length - 1).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      lineNo++;
      if (line === '') continue;
      const plain = PLAIN_LINE.exec(line);
      if (plain) {
        keyIds.push(plain[1]!);
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw onError(`key_ID log ${file} ${where(lines, i)} is not valid JSON: ${(e as Error).message}`, e);
      }
      const parsed = keyIdLineSchema.safeParse(value);
      if (!parsed.success) throw onError(`key_ID log ${file} ${where(lines, i)} is not a key_ID entry: ${describeIssues(parsed.error)}`);
      keyIds.push(parsed.data.keyId);
    }
    yield { keyIds, validBytes: at.validBytes };
  }
}

/**
 * The entry the log holds for `keyId` (its first), read from disk: only a refusal's message needs
 * a key_ID's link and time, so they are not kept in memory. Undefined when the log lacks it.
 */
export async function findKeyIdEntry(file: string, keyId: string, chunkBytes?: number): Promise<KeyIdEntry | undefined> {
  const needle = Buffer.from(`{"keyId":${JSON.stringify(keyId)},`);
  for await (const lines of wholeLines(file, { validBytes: 0 }, (e) => e, chunkBytes)) {
    for (let at = lines.indexOf(needle); at >= 0; at = lines.indexOf(needle, at + 1)) {
      if (at > 0 && lines[at - 1] !== 0x0a) continue; // inside another line's value
      let parsed;
      try {
        parsed = keyIdLineSchema.safeParse(JSON.parse(lines.toString('utf8', at, lines.indexOf(0x0a, at))));
      } catch {
        return undefined; // the store checked every line it read: only a file changed since gets here
      }
      if (!parsed.success) return undefined;
      const { keyId: _, ...entry } = parsed.data;
      return entry;
    }
  }
  return undefined;
}

/** One line per key_ID, in the order given. */
export function keyIdLines(keyIds: Iterable<[string, KeyIdEntry]>): string {
  let out = '';
  for (const [keyId, e] of keyIds) out += `${JSON.stringify({ keyId, ...e })}\n`;
  return out;
}

/** Every key_ID the log holds, each once, in the order first written (memory grows with the log: for tools and tests). */
export async function keyIdsInLog(file: string): Promise<string[]> {
  const seen = new Set<string>();
  for await (const chunk of readKeyIdLog(file, (m, cause) => new Error(m, { cause }))) for (const k of chunk.keyIds) seen.add(k);
  return [...seen];
}
