// The state, in three files in the state directory, all mode 0600:
// - rotator-keyids.jsonl: every key_ID ever staged, appended and fsynced (keyid-log.ts), never
//   rewritten — a journal write no longer re-serialises the fleet's whole key_ID history; the
//   duplicate check keeps the recent key_IDs in memory and the rest in rotator-keyids.idx, a
//   sorted archive derived from the log (keyid-history.ts, keyid-archive.ts);
// - rotator-links.json: what each link has now, replaced atomically only by a write that changed
//   it (the store compares with what it last wrote, without serialising);
// - rotator-state.json: the journals, replaced atomically on every write.
// A write's file operations run on the writer thread (disk-writer.ts) in that order, and the
// update resolves once they are durable. Killed between two files, a write leaves the later ones
// behind the earlier: a key_ID the others do not mention yet (it is only kept from being
// installed again), or a link's outcome recorded while its journal is still there (resume
// settles the journal again, which finds every end done). Never a journal missing whose devices
// hold its key.
// Callers see one RotatorState (keyIds, links, journals) and the same load/save/update as before.
// A version 1 file (everything inside) is read as it is and migrated by the first write.
// update() reads afresh, changes and writes back; a process that took the directory's lock
// (lock.ts) and lost it writes nothing.
import { mkdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { DiskWriteError, writeToDisk, type DiskOp } from './disk-writer.js';
import { stateFileBytes } from './journal-text.js';
import { jsonEqual } from './json-equal.js';
import { KeyIdArchive } from './keyid-archive.js';
import { KeyIdHistory } from './keyid-history.js';
import { keyIdLines, readKeyIdLog } from './keyid-log.js';
import { assertStateWritable } from './lock.js';
import { describeIssues, linksFileSchema, stateFileSchema } from './schema.js';
import type { RotatorState } from './types.js';

export const STATE_FILE = 'rotator-state.json';
export const KEY_IDS_FILE = 'rotator-keyids.jsonl';
export const LINKS_FILE = 'rotator-links.json';
export const KEY_ID_ARCHIVE_FILE = 'rotator-keyids.idx';

export interface StateStoreOptions {
  /**
   * Recent key_IDs kept in memory before a write merges them into the archive on disk (default
   * 131,072: ~4.5 MiB). The merge runs in a write that leaves no journal, i.e. between cycles,
   * or in any write once there are four times as many.
   */
  compactAt?: number;
  /** Where a failed merge into the archive is reported (the key_IDs stay in memory; the next write tries again). */
  warn?: (message: string) => void;
}

export class StateError extends Error {
  override name = 'StateError';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A state file that is not JSON, or not a rotator state: the operator's to repair, never overwritten. */
export class CorruptStateError extends StateError {
  override name = 'CorruptStateError';
}

export interface StateStore {
  readonly file: string;
  /** The current state (read once, then kept in memory). */
  load(): Promise<RotatorState>;
  /**
   * Read-modify-write: the file is read afresh, changed and written back, under one in-process queue,
   * so concurrent updates never lose each other (across processes, the directory's lock keeps one writer).
   */
  update(fn: (state: RotatorState) => void): Promise<RotatorState>;
}

export function createStateStore(stateDir: string, { compactAt = 131_072, warn = (m) => process.emitWarning(m) }: StateStoreOptions = {}): StateStore {
  const file = join(stateDir, STATE_FILE);
  const logFile = join(stateDir, KEY_IDS_FILE);
  const archiveFile = join(stateDir, KEY_ID_ARCHIVE_FILE);
  const linksFile = join(stateDir, LINKS_FILE);
  // The links as the links file holds them (a copy), or undefined while there is no links file.
  let linksOnDisk: RotatorState['links'] | undefined;
  let current: RotatorState | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let logBytes = 0; // where the key_ID log's next append goes

  let written: string | undefined;
  // Synchronous: three stats, where an awaited call would wait a turn behind a fleet's replies.
  const fp = (f: string) => {
    const s = statSync(f, { bigint: true, throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}:${s.mtimeNs}` : '-';
  };
  const fingerprint = () => `${fp(file)}|${fp(linksFile)}|${fp(logFile)}`;
  function unchangedSinceOurWrite(): boolean {
    return current !== undefined && written !== undefined && fingerprint() === written;
  }

  async function load(): Promise<RotatorState> {
    return current ?? (current = await read());
  }

  /** A JSON file checked against `schema`; undefined when it does not exist. */
  async function readChecked<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T | undefined> {
    const fail = (message: string, cause?: unknown) => new StateError(message, path, { cause });
    const corrupt = (message: string, cause?: unknown) => new CorruptStateError(message, path, { cause });
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fail(`cannot read ${what} ${path}: ${(e as Error).message}`, e);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw corrupt(`${what} ${path} is not valid JSON: ${(e as Error).message}`, e);
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) throw corrupt(`${what} ${path} is not a rotator state: ${describeIssues(checked.error)}`);
    return checked.data;
  }

  async function read(): Promise<RotatorState> {
    const keyIds = await readKeyIds();
    const main = await readChecked(file, stateFileSchema, 'state file');
    const linksFromFile = (await readChecked(linksFile, linksFileSchema, 'links file'))?.links;
    linksOnDisk = linksFromFile && structuredClone(linksFromFile);
    // The links file wins: written before the state file, it is never older than a version 1 file's links.
    const state: RotatorState = { version: 1, keyIds, links: linksFromFile ?? (main?.version === 1 ? main.links : {}) };
    if (main?.journals) state.journals = main.journals;
    // Any key_ID a version 1 file held that the log lacks: pending, so the next write migrates it.
    if (main?.version === 1) for (const [keyId, entry] of Object.entries(main.keyIds)) state.keyIds.add(keyId, entry);
    return state;
  }

  /**
   * The key_ID history: the archive if it matches the log, and the log from the archive's end
   * (all of it without one, ~36–49 B a key_ID until the first write merges them). Reading writes
   * nothing: `status` and other readers load the state while the daemon writes it.
   */
  async function readKeyIds(): Promise<KeyIdHistory> {
    let archive: KeyIdArchive;
    try {
      archive = KeyIdArchive.open(archiveFile, logFile);
    } catch (e) {
      throw new StateError(`cannot read key_ID archive ${archiveFile}: ${(e as Error).message}`, archiveFile, { cause: e });
    }
    const history = new KeyIdHistory(archive, logFile);
    logBytes = archive.logBytes;
    for await (const chunk of readKeyIdLog(logFile, (m, cause) => new StateError(m, logFile, { cause }), { from: archive.logBytes })) {
      history.readFromLog(chunk.keyIds);
      logBytes = chunk.validBytes;
    }
    return history;
  }

  /** Merges the recent key_IDs into the archive; a failure costs memory, never the write it follows. */
  async function compact(history: KeyIdHistory): Promise<void> {
    try {
      assertStateWritable(stateDir);
    } catch {
      return; // not this process's directory to write (a reader, or a lock lost): the key_IDs stay in memory
    }
    try {
      await history.compact(logBytes);
    } catch (e) {
      warn(`cannot write key_ID archive ${archiveFile}: ${(e as Error).message}; ${history.recentSize} key_IDs stay in memory until a later write merges them`);
    }
  }

  /** `linksTouched`: the change may have touched the links (false: it never read or set state.links). */
  async function write(state: RotatorState, linksTouched = true): Promise<void> {
    try {
      assertStateWritable(stateDir);
    } catch (e) {
      throw new StateError((e as Error).message, file, { cause: e });
    }
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const ops: DiskOp[] = [];
    const fresh = state.keyIds.pending;
    if (fresh.size > 0) ops.push({ kind: 'append', file: logFile, at: logBytes, bytes: Buffer.from(keyIdLines(fresh), 'utf8') });
    let linksText: string | undefined;
    if (linksOnDisk === undefined || (linksTouched && !jsonEqual(state.links, linksOnDisk))) {
      linksText = JSON.stringify({ links: state.links });
      ops.push({ kind: 'replace', file: linksFile, bytes: Buffer.from(`${linksText}\n`, 'utf8') });
    }
    // Compact: rewritten on every journal write (several per cycle).
    ops.push({ kind: 'replace', file, bytes: stateFileBytes(state.journals) });
    let results;
    try {
      results = await writeToDisk(ops);
    } catch (e) {
      if (!(e instanceof DiskWriteError)) throw new StateError(`cannot write the state in ${stateDir}: ${(e as Error).message}`, file, { cause: e });
      const what = e.op.kind === 'append' ? `append to key_ID log ${e.op.file}` : `replace ${e.op.file}`;
      throw new StateError(`cannot ${what}: ${e.message}`, e.op.file, { cause: e });
    }
    if (fresh.size > 0) {
      logBytes = results[0]!.validBytes; // the append is the first op
      state.keyIds.written();
    }
    if (linksText !== undefined) linksOnDisk = (JSON.parse(linksText) as { links: RotatorState['links'] }).links; // a copy, as written
  }

  function update(fn: (state: RotatorState) => void): Promise<RotatorState> {
    const run = queue.then(async () => {
      // Afresh from the files — unless they are still exactly what this store last wrote (same
      // inode, size and mtime): then the state in memory is them, and re-reading a large fleet's
      // state on every journal write would cost more than the write.
      const next = unchangedSinceOurWrite() ? current! : (current = await read());
      written = undefined; // until this update's save succeeds, memory may be ahead of the files
      try {
        // A change that never reaches state.links (a cycle's journal writes) cannot have changed
        // them: the links are not even compared then.
        let linksTouched = false;
        fn(
          new Proxy(next, {
            get: (target, key, receiver) => ((linksTouched ||= key === 'links'), Reflect.get(target, key, receiver)),
            set: (target, key, value, receiver) => ((linksTouched ||= key === 'links'), Reflect.set(target, key, value, receiver)),
          }),
        );
        await write(next, linksTouched);
        const between = Object.keys(next.journals ?? {}).length === 0;
        if (next.keyIds.recentSize >= (between ? compactAt : 4 * compactAt)) await compact(next.keyIds);
        current = next;
      } catch (e) {
        current = undefined;
        throw e;
      }
      written = fingerprint();
      return next;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return { file, load, update };
}

