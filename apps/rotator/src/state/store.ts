// The state, in three files in the state directory, all mode 0600:
// - rotator-keyids.jsonl: every key_ID ever staged, appended and fsynced (keyid-log.ts), never
//   rewritten — a journal write no longer re-serialises the fleet's whole key_ID history; the
//   duplicate check keeps the recent key_IDs in memory and the rest in rotator-keyids.idx, a
//   sorted archive derived from the log (keyid-history.ts, keyid-archive.ts);
// - rotator-links.json: what each link has now, replaced atomically only by a write that changed
//   it (the store compares with what it last wrote, without serialising);
// - rotator-state.json: the journals, replaced atomically on every write.
// Reading: read-state.ts; writing: write-state.ts. A write's file operations run on the writer
// thread (disk-writer.ts) in that order, and the update resolves once they are durable. Killed
// between two files, a write leaves the later ones behind the earlier: a key_ID the others do not
// mention yet (it is only kept from being installed again), or a link's outcome recorded while
// its journal is still there (resume settles the journal again, which finds every end done).
// Never a journal missing whose devices hold its key.
// Callers see one RotatorState (keyIds, links, journals) and the same load/save/update as before.
// A version 1 file (everything inside) is read as it is and migrated by the first write.
// update() reads afresh, changes and writes back; a process that took the directory's lock
// (lock.ts) and lost it writes nothing.
import { statSync } from 'node:fs';
import { stateFiles, type OnDisk, type StateFiles } from './files.js';
import { readState } from './read-state.js';
import type { RotatorState } from './types.js';
import { compactKeyIds, writeState } from './write-state.js';

export { CorruptStateError, StateError } from './errors.js';
export { KEY_ID_ARCHIVE_FILE, KEY_IDS_FILE, LINKS_FILE, STATE_FILE } from './files.js';

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
  const files = stateFiles(stateDir);
  let onDisk: OnDisk = { links: undefined, logBytes: 0 };
  let current: RotatorState | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  // The files' fingerprint right after this store's last write; undefined until a write succeeds.
  let written: string | undefined;

  async function read(): Promise<RotatorState> {
    const loaded = await readState(files);
    onDisk = loaded.onDisk;
    return loaded.state;
  }

  async function load(): Promise<RotatorState> {
    return current ?? (current = await read());
  }

  function update(fn: (state: RotatorState) => void): Promise<RotatorState> {
    const run = queue.then(async () => {
      // Afresh from the files — unless they are still exactly what this store last wrote (same
      // inode, size and mtime): then the state in memory is them, and re-reading a large fleet's
      // state on every journal write would cost more than the write.
      const unchanged = current !== undefined && written !== undefined && fingerprint(files) === written;
      const next = unchanged ? current! : (current = await read());
      written = undefined; // until this update's save succeeds, memory may be ahead of the files
      try {
        const linksTouched = changeWatchingLinks(next, fn);
        onDisk = await writeState(files, next, onDisk, linksTouched);
        const between = Object.keys(next.journals ?? {}).length === 0;
        if (next.keyIds.recentSize >= (between ? compactAt : 4 * compactAt)) await compactKeyIds(files, next.keyIds, onDisk.logBytes, warn);
        current = next;
      } catch (e) {
        current = undefined;
        throw e;
      }
      written = fingerprint(files);
      return next;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return { file: files.state, load, update };
}

/**
 * Applies `fn` to `state` and says whether it may have touched the links. A change that never
 * reaches state.links (a cycle's journal writes) cannot have changed them: the write does not even
 * compare them then.
 */
function changeWatchingLinks(state: RotatorState, fn: (state: RotatorState) => void): boolean {
  let linksTouched = false;
  fn(
    new Proxy(state, {
      get: (target, key, receiver) => ((linksTouched ||= key === 'links'), Reflect.get(target, key, receiver)),
      set: (target, key, value, receiver) => ((linksTouched ||= key === 'links'), Reflect.set(target, key, value, receiver)),
    }),
  );
  return linksTouched;
}

/** The three files' inode, size and mtime. Synchronous: three stats, where an awaited call would wait a turn behind a fleet's replies. */
function fingerprint(files: StateFiles): string {
  const fp = (f: string) => {
    const s = statSync(f, { bigint: true, throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}:${s.mtimeNs}` : '-';
  };
  return `${fp(files.state)}|${fp(files.links)}|${fp(files.keyIdLog)}`;
}
