// The state, in two files in the state directory:
// - rotator-state.json: links and journals, written atomically (temp file, fsync, rename, fsync
//   of the directory) with mode 0600, so a SIGKILL at any instant leaves the old or the new one;
// - rotator-keyids.jsonl: every key_ID ever staged, appended and fsynced (keyid-log.ts), never
//   rewritten — a journal write no longer re-serialises the fleet's whole key_ID history.
// A write appends the new key_IDs first, then replaces the state file: killed in between, the log
// holds a key_ID the file does not mention yet, which only keeps it from being installed again.
// Callers see one RotatorState (keyIds included) and the same load/save/update as before. A
// version 1 file (keyIds inside) is read as it is and migrated by the first write.
// update() reads afresh, changes and writes back; a process that took the directory's lock
// (lock.ts) and lost it writes nothing.
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { appendKeyIdLines, keyIdLines, readKeyIdLog } from './keyid-log.js';
import { assertStateWritable } from './lock.js';
import { describeIssues, stateFileSchema, type KeyIdEntry } from './schema.js';
import { emptyState, type RotatorState } from './types.js';

export const STATE_FILE = 'rotator-state.json';
export const KEY_IDS_FILE = 'rotator-keyids.jsonl';

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
  let current: RotatorState | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  // The key_ID log as this store knows it: the IDs in it, where the next append goes, and the IDs
  // added in memory since (recorded by the keyIds proxy, so a write costs O(new IDs), not O(all)).
  let inLog = new Set<string>();
  let logBytes = 0;
  let tracked: Record<string, KeyIdEntry> | undefined;
  let added = new Set<string>();

  let written: string | undefined;
  const fp = async (f: string) => {
    try {
      const s = await stat(f, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch {
      return '-';
    }
  };
  const fingerprint = async () => `${await fp(file)}|${await fp(logFile)}`;
  async function unchangedSinceOurWrite(): Promise<boolean> {
    return current !== undefined && written !== undefined && (await fingerprint()) === written;
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

  async function read(): Promise<RotatorState> {
    const fail = (message: string, cause?: unknown) => new StateError(message, file, { cause });
    const log = await readKeyIdLog(logFile, (m, cause) => new StateError(m, logFile, { cause }));
    inLog = new Set(log.entries.keys());
    logBytes = log.validBytes;
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fail(`cannot read state file ${file}: ${(e as Error).message}`, e);
    }
    const state = emptyState();
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw fail(`state file ${file} is not valid JSON: ${(e as Error).message}`, e);
      }
      const checked = stateFileSchema.safeParse(parsed);
      if (!checked.success) throw fail(`state file ${file} is not a rotator state: ${describeIssues(checked.error)}`);
      const { version, ...rest } = checked.data;
      void version; // in memory the shape is unchanged (version 1: keyIds, links, journals)
      Object.assign(state, rest, { version: 1 });
    }
    // The log's entries, then any a version 1 file held that the log lacks (migrated by the next write).
    state.keyIds = Object.assign(Object.fromEntries(log.entries), Object.fromEntries(Object.entries(state.keyIds).filter(([k]) => !inLog.has(k))));
    state.keyIds = track(state.keyIds);
    return state;
  }

  async function write(state: RotatorState, newKeyIds: string[]): Promise<void> {
    try {
      assertStateWritable(stateDir);
    } catch (e) {
      throw new StateError((e as Error).message, file, { cause: e });
    }
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const fresh = newKeyIds.filter((k) => state.keyIds[k] !== undefined && !inLog.has(k));
    if (fresh.length > 0) {
      try {
        const r = await appendKeyIdLines(logFile, logBytes, keyIdLines(fresh.map((k) => [k, state.keyIds[k]!])));
        logBytes = r.validBytes;
        if (r.created) await syncDir(stateDir); // the new log's entry durable before a state file that relies on it
      } catch (e) {
        throw new StateError(`cannot append to key_ID log ${logFile}: ${(e as Error).message}`, logFile, { cause: e });
      }
      for (const k of fresh) inLog.add(k);
    }
    const { keyIds: _inTheLog, version: _inMemory, ...rest } = state;
    const tmp = `${file}.${process.pid}.tmp`;
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      await fh.writeFile(`${JSON.stringify({ version: 2, ...rest })}\n`);
      await fh.chmod(0o600); // in case a umask or an older temp file got in the way
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new StateError(`cannot replace state file ${file}: ${(e as Error).message}`, file, { cause: e });
    }
    // The rename is durable only once the directory entry is.
    await syncDir(stateDir);
  }

  async function save(state: RotatorState): Promise<void> {
    await write(state, Object.keys(state.keyIds));
    if (state.keyIds !== tracked) state.keyIds = track(state.keyIds);
    else added.clear();
    current = state;
  }

  function update(fn: (state: RotatorState) => void): Promise<RotatorState> {
    const run = queue.then(async () => {
      // Afresh from the files — unless they are still exactly what this store last wrote (same
      // inode, size and mtime): then the state in memory is them, and re-reading a large fleet's
      // state on every journal write would cost more than the write.
      const next = (await unchangedSinceOurWrite()) ? current! : (current = await read());
      written = undefined; // until this update's save succeeds, memory may be ahead of the files
      try {
        fn(next);
        // keyIds replaced wholesale (not through the proxy): every ID not in the log is new.
        await write(next, next.keyIds === tracked ? [...added] : Object.keys(next.keyIds));
        if (next.keyIds !== tracked) next.keyIds = track(next.keyIds);
        else added.clear();
        current = next;
      } catch (e) {
        current = undefined;
        throw e;
      }
      written = await fingerprint();
      return next;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return { file, load, save, update };
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
