import { AuthenticationError, HostKeyError, PoolClosedError } from '../errors.js';
import { defaultLogger, type Logger } from '../logger.js';

/** What the pool needs from a session: NetconfClient and JunosDevice both fit. */
export interface PooledSession {
  readonly closed: boolean;
  close(): Promise<void>;
}

export interface RetryOptions {
  /** Connection attempts per use() (default 3). */
  attempts?: number;
  /** First backoff delay; doubled each attempt, with jitter (default 500 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface SessionPoolOptions<T extends PooledSession> {
  /** Open a session to a device, e.g. `(host) => connectJunos({ host, ...common })`. */
  connect: (key: string) => Promise<T>;
  /** Devices worked on at once, and sessions kept open (default 8). */
  maxConcurrency?: number;
  retry?: RetryOptions;
  /** Which connect errors are worth retrying. Default: all but HostKeyError and AuthenticationError. */
  isRetryable?: (err: unknown) => boolean;
  /** Close sessions idle for longer than this (default 60 000 ms; 0 keeps them). */
  idleTimeoutMs?: number;
  /** Check idle sessions this often (default 30 000 ms; 0 disables); a failed check closes the session. */
  keepaliveIntervalMs?: number;
  /** The check, e.g. `(d) => d.rpc('<get-software-information/>')`. Without it, only closed sessions are dropped. */
  keepalive?: (session: T) => Promise<unknown>;
  logger?: Logger;
}

export interface SessionPool<T extends PooledSession> {
  /**
   * Run `fn` with the session for `key` (connecting, or reconnecting after a drop, with backoff).
   * One use() at a time per key; at most maxConcurrency keys at once. `fn` is never retried:
   * a failed configuration transaction must be looked at, not replayed.
   */
  use<R>(key: string, fn: (session: T) => Promise<R>): Promise<R>;
  /** Open sessions. */
  readonly size: number;
  /** use() calls running now. */
  readonly active: number;
  /** Wait for running work, then close every session. Later use() calls reject with PoolClosedError. */
  close(): Promise<void>;
}

interface Entry<T> {
  session?: T;
  /** A connect for this key is under way (counts towards the open-session bound). */
  connecting: boolean;
  busy: boolean;
  lastUsed: number;
  waiters: Array<() => void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createSessionPool<T extends PooledSession>(options: SessionPoolOptions<T>): SessionPool<T> {
  const max = options.maxConcurrency ?? 8;
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError(`maxConcurrency must be a positive integer, got ${String(max)}`);
  const attempts = options.retry?.attempts ?? 3;
  const baseDelay = options.retry?.baseDelayMs ?? 500;
  const maxDelay = options.retry?.maxDelayMs ?? 10_000;
  const isRetryable = options.isRetryable ?? ((e: unknown) => !(e instanceof HostKeyError || e instanceof AuthenticationError));
  const logger = options.logger ?? defaultLogger;
  const idleTimeout = options.idleTimeoutMs ?? 60_000;
  const entries = new Map<string, Entry<T>>();
  const slotWaiters: Array<() => void> = [];
  const running = new Set<Promise<unknown>>();
  let active = 0;
  let closed = false;

  const entryFor = (key: string): Entry<T> => {
    let e = entries.get(key);
    if (!e) entries.set(key, (e = { busy: false, connecting: false, lastUsed: 0, waiters: [] }));
    return e;
  };
  const openCount = (): number => [...entries.values()].filter((e) => e.connecting || (e.session && !e.session.closed)).length;

  async function acquireSlot(): Promise<void> {
    while (active >= max) await new Promise<void>((r) => slotWaiters.push(r));
    active++;
  }
  function releaseSlot(): void {
    active--;
    slotWaiters.shift()?.();
  }
  async function acquireKey(e: Entry<T>): Promise<void> {
    while (e.busy) await new Promise<void>((r) => e.waiters.push(r));
    e.busy = true;
  }
  function releaseKey(e: Entry<T>): void {
    e.busy = false;
    e.lastUsed = Date.now();
    e.waiters.shift()?.();
  }

  /** Keep at most `max` sessions open: close the least recently used idle one to make room. */
  async function makeRoom(): Promise<void> {
    while (openCount() >= max) {
      const idle = [...entries.entries()].filter(([, e]) => !e.busy && e.session && !e.session.closed).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (!idle) return;
      const s = idle[1].session!;
      idle[1].session = undefined;
      await s.close().catch(() => undefined);
    }
  }

  async function sessionFor(key: string, e: Entry<T>): Promise<T> {
    if (e.session && !e.session.closed) return e.session;
    e.session = undefined;
    await makeRoom();
    e.connecting = true;
    try {
      let lastErr: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (closed) throw new PoolClosedError(key);
        try {
          e.session = await options.connect(key);
          return e.session;
        } catch (err) {
          lastErr = err;
          if (!isRetryable(err) || attempt === attempts) break;
          const delay = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
          logger.warn(`connect to ${key} failed (attempt ${attempt}/${attempts}): ${err instanceof Error ? err.message : String(err)}; retrying in ${Math.round(delay)} ms`);
          await sleep(delay);
        }
      }
      throw lastErr;
    } finally {
      e.connecting = false;
    }
  }

  const sweeper =
    (options.keepaliveIntervalMs ?? 30_000) > 0
      ? setInterval(() => void sweep(), options.keepaliveIntervalMs ?? 30_000)
      : undefined;
  sweeper?.unref();

  async function sweep(): Promise<void> {
    const now = Date.now();
    for (const [key, e] of entries) {
      if (e.busy || !e.session) continue;
      if (e.session.closed) {
        e.session = undefined;
        continue;
      }
      if (idleTimeout > 0 && now - e.lastUsed > idleTimeout) {
        const s = e.session;
        e.session = undefined;
        await s.close().catch(() => undefined);
      } else if (options.keepalive) {
        e.busy = true;
        try {
          await options.keepalive(e.session);
        } catch (err) {
          logger.warn(`keepalive to ${key} failed: ${err instanceof Error ? err.message : String(err)}; closing the session`);
          const s = e.session;
          e.session = undefined;
          await s?.close().catch(() => undefined);
        } finally {
          e.busy = false;
          e.waiters.shift()?.();
        }
      }
    }
  }

  return {
    get size() {
      return openCount();
    },
    get active() {
      return active;
    },
    use<R>(key: string, fn: (session: T) => Promise<R>): Promise<R> {
      if (closed) return Promise.reject(new PoolClosedError(key));
      const run = (async () => {
        const e = entryFor(key);
        await acquireKey(e);
        try {
          await acquireSlot();
          try {
            return await fn(await sessionFor(key, e));
          } finally {
            releaseSlot();
          }
        } finally {
          releaseKey(e);
        }
      })();
      running.add(run);
      void run.catch(() => undefined).finally(() => running.delete(run));
      return run;
    },
    async close() {
      closed = true;
      if (sweeper) clearInterval(sweeper);
      await Promise.allSettled([...running]);
      await Promise.all(
        [...entries.values()].map(async (e) => {
          const s = e.session;
          e.session = undefined;
          if (s && !s.closed) await s.close().catch(() => undefined);
        }),
      );
    },
  };
}
