// The state file: JSON in the state directory, written atomically (temp file, fsync, rename,
// fsync of the directory) with mode 0600, so a SIGKILL at any instant leaves either the old or the
// new state, never a torn one. update() reads the file afresh, changes it and writes it back, and
// a process that took the directory's lock (lock.ts) and lost it writes nothing.
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertStateWritable } from './lock.js';
import { emptyState, type RotatorState } from './types.js';

export const STATE_FILE = 'rotator-state.json';

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
  /** Replace the state on disk atomically. */
  save(state: RotatorState): Promise<void>;
  /**
   * Read-modify-write: the file is read afresh, changed and written back, under one in-process queue,
   * so concurrent updates never lose each other (across processes, the directory's lock keeps one writer).
   */
  update(fn: (state: RotatorState) => void): Promise<RotatorState>;
}

function checkShape(value: unknown, file: string): RotatorState {
  const v = value as Partial<RotatorState> | null;
  if (!v || typeof v !== 'object' || v.version !== 1 || typeof v.keyIds !== 'object' || typeof v.links !== 'object' || !v.keyIds || !v.links) {
    throw new StateError(`state file ${file} is not a version 1 rotator state (expected { version: 1, keyIds, links })`, file);
  }
  return v as RotatorState;
}

export function createStateStore(stateDir: string): StateStore {
  const file = join(stateDir, STATE_FILE);
  let current: RotatorState | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  let written: string | undefined;
  async function fingerprint(): Promise<string | undefined> {
    try {
      const s = await stat(file, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch {
      return undefined;
    }
  }
  async function unchangedSinceOurWrite(): Promise<boolean> {
    return current !== undefined && written !== undefined && (await fingerprint()) === written;
  }

  async function load(): Promise<RotatorState> {
    return current ?? (current = await read());
  }

  async function read(): Promise<RotatorState> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw new StateError(`cannot read state file ${file}: ${(e as Error).message}`, file, { cause: e });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new StateError(`state file ${file} is not valid JSON: ${(e as Error).message}`, file, { cause: e });
    }
    return checkShape(parsed, file);
  }

  async function save(state: RotatorState): Promise<void> {
    try {
      assertStateWritable(stateDir);
    } catch (e) {
      throw new StateError((e as Error).message, file, { cause: e });
    }
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
    try {
      // Compact: the file is rewritten several times per cycle (journal, decisions), and a large
      // fleet's keyIds make indentation a noticeable share of the rotator's CPU.
      await fh.writeFile(`${JSON.stringify(state)}\n`);
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
    const dir = await open(stateDir, constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    current = state;
  }

  function update(fn: (state: RotatorState) => void): Promise<RotatorState> {
    const run = queue.then(async () => {
      // Afresh from the file — unless the file is still exactly what this store last wrote (same
      // inode, size and mtime): then the state in memory is it, and re-parsing a large fleet's
      // state on every journal write would cost more than the write.
      const next = (await unchangedSinceOurWrite()) ? current! : await read();
      written = undefined; // until this update's save succeeds, memory may be ahead of the file
      try {
        fn(next);
        await save(next);
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
