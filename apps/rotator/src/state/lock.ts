// One writer per state directory. `run` holds the lock for its life; `rotate`, `init` and
// `certs renew` for the command. The lock is proper-lockfile's: a directory `.lock` made with
// mkdir (atomic) inside the state directory, its mtime refreshed every second while held. Beside
// it a holder record (pid, command, host, since) says who holds it, for the error a second writer
// gets and for the log line of a takeover.
// A lock whose holder died (SIGKILL, power loss) is taken over: at once (within ~2 s) when the
// record names a process on this host that is no longer running, otherwise once its mtime is
// older than STALE_MS. A holder that finds its lock taken (ECOMPROMISED) stops writing state:
// the store asks assertStateWritable() before every write.
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { writeFileAtomic } from '@qkd-macsec/cert-lcm';

export const LOCK_DIR = '.lock';
export const HOLDER_FILE = 'lock-holder.json';
/** A lock not refreshed for this long is stale: its holder is gone (or frozen), and it is taken over. */
export const STALE_MS = 10_000;
const UPDATE_MS = 1_000;
/** proper-lockfile's smallest staleness: used only when the holder is known dead. */
const DEAD_HOLDER_STALE_MS = 2_000;

export interface LockHolder {
  pid: number;
  /** e.g. `run`, `rotate`, `certs renew`. */
  command: string;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
}

interface LockLogger {
  info(...args: unknown[]): unknown;
  warn(...args: unknown[]): unknown;
  error(...args: unknown[]): unknown;
}

/** Another process holds the state directory. */
export class StateLockedError extends Error {
  override name = 'StateLockedError';
  constructor(
    readonly stateDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(`state directory ${stateDir} is locked by ${holder !== undefined ? describeHolder(holder) : 'another qkd-macsec process (no holder record yet)'}`);
  }
}

export interface StateLock {
  readonly stateDir: string;
  readonly holder: LockHolder;
  /** false once released or lost to another process. */
  held(): boolean;
  release(): Promise<void>;
}

export interface AcquireOptions {
  command: string;
  logger: LockLogger;
  /** Wait for the holder to finish instead of failing (polls every 500 ms until `signal` aborts). */
  wait?: boolean;
  signal?: AbortSignal;
  /** Called when the lock is lost to another process (after the error is logged). */
  onLost?: (err: Error) => void;
}

function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} (\`${h.command}\` on ${h.host}, since ${h.since})`;
}

// The locks this process holds, by state directory, with the identity of the lock directory it
// made (inode and birth time: a directory made anew can get the freed inode back): a save into a
// directory whose lock was lost, or taken over by another process, is refused.
const heldLocks = new Map<string, { identity: string; lost?: Error }>();
const identityOf = (st: { ino: number; birthtimeMs: number }) => `${st.ino}:${st.birthtimeMs}`;

/** Throws when this process took the lock of `stateDir` and no longer holds it. No-op for a directory it never locked. */
export function assertStateWritable(stateDir: string): void {
  const entry = heldLocks.get(resolve(stateDir));
  if (entry === undefined) return;
  let problem = entry.lost?.message;
  if (problem === undefined) {
    try {
      if (identityOf(statSync(join(stateDir, LOCK_DIR))) !== entry.identity) problem = 'another process has taken it over';
    } catch {
      problem = 'its lock directory is gone';
    }
  }
  if (problem !== undefined) throw new Error(`not writing state in ${stateDir}: this process lost its lock (${problem})`);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readHolder(stateDir: string): Promise<LockHolder | undefined> {
  try {
    const h = JSON.parse(await readFile(join(stateDir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number' || typeof h.command !== 'string' || typeof h.host !== 'string' || typeof h.since !== 'string') return undefined;
    return h as LockHolder;
  } catch {
    return undefined;
  }
}

async function writeHolder(stateDir: string, holder: LockHolder): Promise<void> {
  await writeFileAtomic(join(stateDir, HOLDER_FILE), `${JSON.stringify(holder)}\n`, { mode: 0o600 });
}

/** Is the lock there, and (if so) is its holder a dead process on this host? */
async function inspectLock(stateDir: string): Promise<{ exists: boolean; holder?: LockHolder; dead: boolean }> {
  const exists = await stat(join(stateDir, LOCK_DIR)).then(
    () => true,
    () => false,
  );
  const holder = await readHolder(stateDir);
  const dead = holder !== undefined && holder.host === hostname() && holder.pid !== process.pid && !pidAlive(holder.pid);
  return { exists, ...(holder !== undefined ? { holder } : {}), dead };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the lock of `stateDir` (created 0700 if missing), or throws StateLockedError naming the holder. */
export async function acquireStateLock(stateDir: string, options: AcquireOptions): Promise<StateLock> {
  const dir = resolve(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lockfilePath = join(dir, LOCK_DIR);
  let lost: Error | undefined;
  const onCompromised = (err: Error) => {
    lost = err;
    const entry = heldLocks.get(dir);
    if (entry !== undefined) entry.lost = err;
    options.logger.error(`lost the lock of state directory ${dir} (${err.message}): another process may have taken it over; this process writes no more state`);
    options.onLost?.(err);
  };
  let waitingLogged = false;
  let deadSince: number | undefined;
  for (;;) {
    const before = await inspectLock(dir);
    // A dead holder's lock is at most UPDATE_MS old when it dies: judge it with the smallest staleness.
    const stale = before.dead ? DEAD_HOLDER_STALE_MS : STALE_MS;
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(dir, { lockfilePath, realpath: false, stale, update: UPDATE_MS, onCompromised });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      if (before.dead) {
        // Its mtime goes stale within DEAD_HOLDER_STALE_MS; try again shortly (bounded).
        deadSince ??= Date.now();
        if (Date.now() - deadSince < STALE_MS) {
          await sleep(250);
          continue;
        }
      }
      if (options.wait !== true || options.signal?.aborted) throw new StateLockedError(dir, before.holder);
      if (!waitingLogged) {
        options.logger.info(`state directory ${dir} is locked by ${before.holder !== undefined ? describeHolder(before.holder) : 'another process'}: waiting for it`);
        waitingLogged = true;
      }
      await sleep(500);
      continue;
    }
    const holder: LockHolder = { pid: process.pid, command: options.command, host: hostname(), since: new Date().toISOString() };
    if (before.exists) {
      options.logger.warn(
        before.holder !== undefined
          ? `took over the lock of state directory ${dir} from ${describeHolder(before.holder)}: ${before.dead ? `pid ${before.holder.pid} is no longer running` : 'it stopped refreshing it'}; what it left unfinished is resolved from the journal`
          : `took over a stale lock of state directory ${dir} (no holder record): its holder stopped refreshing it`,
      );
    }
    await writeHolder(dir, holder);
    heldLocks.set(dir, { identity: identityOf(await stat(lockfilePath)) });
    let released = false;
    return {
      stateDir: dir,
      holder,
      held: () => !released && lost === undefined,
      async release() {
        if (released) return;
        released = true;
        heldLocks.delete(dir);
        if (lost !== undefined) return; // not ours any more: leave the other holder's record and lock alone
        // The record first: a lock directory without a record is read as "being taken".
        await rm(join(dir, HOLDER_FILE), { force: true });
        await release().catch(() => undefined);
      },
    };
  }
}
