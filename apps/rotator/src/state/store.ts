// The state, in three files in the state directory, all mode 0600:
// - rotator-keyids.jsonl: every key_ID ever staged, appended and fsynced (keyid-log.ts), never
//   rewritten — a journal write no longer re-serialises the fleet's whole key_ID history;
// - rotator-links.json: what each link has now, replaced atomically (atomic-file.ts) only by a
//   write that changed it (the store compares with what it last wrote, without serialising);
// - rotator-state.json: the journals, replaced atomically on every write.
// A write goes in that order, so killed between two files it leaves the later ones behind the
// earlier: a key_ID the others do not mention yet (it is only kept from being installed again),
// or a link's outcome recorded while its journal is still there (resume settles the journal
// again, which finds every end done). Never a journal missing whose devices hold its key.
// Callers see one RotatorState (keyIds, links, journals) and the same load/save/update as before.
// A version 1 file (everything inside) is read as it is and migrated by the first write.
// update() reads afresh, changes and writes back; a process that took the directory's lock
// (lock.ts) and lost it writes nothing.
import { mkdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { syncDir, writeFileAtomic } from './atomic-file.js';
import { jsonEqual } from './json-equal.js';
import { appendKeyIdLines, keyIdLines, readKeyIdLog } from './keyid-log.js';
import { assertStateWritable } from './lock.js';
import { describeIssues, linksFileSchema, stateFileSchema, type KeyIdEntry } from './schema.js';
import { emptyState, type RotatorState } from './types.js';

export const STATE_FILE = 'rotator-state.json';
export const KEY_IDS_FILE = 'rotator-keyids.jsonl';
export const LINKS_FILE = 'rotator-links.json';

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

export interface StateStore {
  readonly file: string;
  /** The current state (read once, then kept in memory). */
  load(): Promise<RotatorState>;
  /** Replace the state on disk atomically (new key_IDs appended to the key_ID log first). */
  save(state: RotatorState): Promise<void>;
  /**
   * Read-modify-write: the file is read afresh, changed and written back, under one in-process queue,
   * so concurrent updates never lose each other (across processes, the directory's lock keeps one writer).
   */
  update(fn: (state: RotatorState) => void): Promise<RotatorState>;
}

export function createStateStore(stateDir: string): StateStore {
  const file = join(stateDir, STATE_FILE);
  const logFile = join(stateDir, KEY_IDS_FILE);
  const linksFile = join(stateDir, LINKS_FILE);
  // The links as the links file holds them (a copy), or undefined while there is no links file.
  let linksOnDisk: RotatorState['links'] | undefined;
  let current: RotatorState | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  // The key_ID log as this store knows it: the IDs in it, where the next append goes, and the IDs
  // added in memory since (recorded by the keyIds proxy, so a write costs O(new IDs), not O(all)).
  let inLog = new Set<string>();
  let logBytes = 0;
  let tracked: Record<string, KeyIdEntry> | undefined;
  let added = new Set<string>();

  let written: string | undefined;
  // Synchronous, as the writes are (atomic-file.ts says why).
  const fp = (f: string) => {
    const s = statSync(f, { bigint: true, throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}:${s.mtimeNs}` : '-';
  };
  const fingerprint = () => `${fp(file)}|${fp(linksFile)}|${fp(logFile)}`;
  function unchangedSinceOurWrite(): boolean {
    return current !== undefined && written !== undefined && fingerprint() === written;
  }

  /** keyIds behind a proxy that notes every key_ID added; removing one is refused (the set only grows). */
  function track(keyIds: Record<string, KeyIdEntry>): Record<string, KeyIdEntry> {
    added = new Set(Object.keys(keyIds).filter((k) => !inLog.has(k)));
    return (tracked = new Proxy(keyIds, {
      set(target, key, value) {
        if (typeof key === 'string' && !inLog.has(key)) added.add(key);
        return Reflect.set(target, key, value);
      },
      deleteProperty(_target, key) {
        throw new StateError(`key_ID ${String(key)} cannot be removed from the state: a key_ID is kept forever, so it is never installed twice`, file);
      },
    }));
  }

  async function load(): Promise<RotatorState> {
    return current ?? (current = await read());
  }

  /** A JSON file checked against `schema`; undefined when it does not exist. */
  async function readChecked<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T | undefined> {
    const fail = (message: string, cause?: unknown) => new StateError(message, path, { cause });
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
      throw fail(`${what} ${path} is not valid JSON: ${(e as Error).message}`, e);
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) throw fail(`${what} ${path} is not a rotator state: ${describeIssues(checked.error)}`);
    return checked.data;
  }

  async function read(): Promise<RotatorState> {
    const log = await readKeyIdLog(logFile, (m, cause) => new StateError(m, logFile, { cause }));
    inLog = new Set(log.entries.keys());
    logBytes = log.validBytes;
    const main = await readChecked(file, stateFileSchema, 'state file');
    const linksFromFile = (await readChecked(linksFile, linksFileSchema, 'links file'))?.links;
    linksOnDisk = linksFromFile && structuredClone(linksFromFile);
    const state = emptyState();
    if (main?.journals) state.journals = main.journals;
    // The links file wins: written before the state file, it is never older than a version 1 file's links.
    state.links = linksFromFile ?? (main?.version === 1 ? main.links : {});
    // The log's entries, then any a version 1 file held that the log lacks (migrated by the next write).
    const v1KeyIds = main?.version === 1 ? Object.entries(main.keyIds).filter(([k]) => !inLog.has(k)) : [];
    state.keyIds = track(Object.assign(Object.fromEntries(log.entries), Object.fromEntries(v1KeyIds)));
    return state;
  }

  /** `linksTouched`: the change may have touched the links (false: it never read or set state.links). */
  function write(state: RotatorState, newKeyIds: string[], linksTouched = true): void {
    try {
      assertStateWritable(stateDir);
    } catch (e) {
      throw new StateError((e as Error).message, file, { cause: e });
    }
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const fresh = newKeyIds.filter((k) => state.keyIds[k] !== undefined && !inLog.has(k));
    if (fresh.length > 0) {
      try {
        const r = appendKeyIdLines(logFile, logBytes, keyIdLines(fresh.map((k) => [k, state.keyIds[k]!])));
        logBytes = r.validBytes;
        if (r.created) syncDir(stateDir); // the new log's entry durable before a state file that relies on it
      } catch (e) {
        throw new StateError(`cannot append to key_ID log ${logFile}: ${(e as Error).message}`, logFile, { cause: e });
      }
      for (const k of fresh) inLog.add(k);
    }
    if (linksOnDisk === undefined || (linksTouched && !jsonEqual(state.links, linksOnDisk))) {
      const text = JSON.stringify({ links: state.links });
      replace(linksFile, `${text}\n`);
      linksOnDisk = (JSON.parse(text) as { links: RotatorState['links'] }).links; // a copy, as written
    }
    // Compact: rewritten on every journal write (several per cycle).
    replace(file, `${JSON.stringify({ version: 2, ...(state.journals ? { journals: state.journals } : {}) })}\n`);
  }

  function replace(path: string, text: string): void {
    try {
      writeFileAtomic(path, text);
    } catch (e) {
      throw new StateError(`cannot replace ${path}: ${(e as Error).message}`, path, { cause: e });
    }
  }

  async function save(state: RotatorState): Promise<void> {
    write(state, Object.keys(state.keyIds));
    if (state.keyIds !== tracked) state.keyIds = track(state.keyIds);
    else added.clear();
    current = state;
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
        // keyIds replaced wholesale (not through the proxy): every ID not in the log is new.
        write(next, next.keyIds === tracked ? [...added] : Object.keys(next.keyIds), linksTouched);
        if (next.keyIds !== tracked) next.keyIds = track(next.keyIds);
        else added.clear();
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

  return { file, load, save, update };
}

