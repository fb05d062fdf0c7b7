import { AuthenticationError, HostKeyError, PoolClosedError } from '../errors.js';
import { defaultLogger, type Logger } from '../logger.js';
import { createBackoff, type RetryOptions } from './backoff.js';
import { createKeyQueue } from './key-queue.js';
import { createPacer } from './pacer.js';

export type { RetryOptions } from './backoff.js';

/** What the pool needs from a session: NetconfClient and JunosDevice both fit. */
export interface PooledSession {
  readonly closed: boolean;
  close(): Promise<void>;
  /** If present, the pool hears of a drop at once (and can reconnect in the background). */
  onClose?(listener: (err?: Error) => void): void;
}

export interface SessionPoolOptions<T extends PooledSession> {
  /** Open a session to a device, e.g. `(host) => connectJunos({ host, ...common })`. */
  connect: (key: string) => Promise<T>;
  /** use() calls of the normal lane running at once (default 8). Urgent uses are not counted. */
  maxConcurrency?: number;
  /**
   * Sessions kept open (default 10 000): one per device for the whole fleet. Past it, the least
   * recently used idle session is closed to make room.
   */
  maxSessions?: number;
  /**
   * use() calls started in one turn of the event loop (default 128), both lanes; more start in the
   * turns that follow, in order. A burst of thousands (a fleet's cycle) then sends its first
   * requests while the rest are prepared, not all of them at the end of one long turn.
   */
  startsPerTurn?: number;
  /** Connect retries per use() and the backoff between them (default `{ limit: 2, baseDelayMs: 500, maxDelayMs: 10_000 }`); false: one attempt. */
  retry?: RetryOptions | false;
  /** Which connect errors are worth retrying. Default: all but HostKeyError and AuthenticationError. */
  isRetryable?: (err: unknown) => boolean;
  /** Close sessions idle for longer than this (default 0: keep them). Enforced by the keepalive sweep. */
  idleTimeoutMs?: number;
  /**
   * Check an idle session about this often (default 30 000 ms; 0 disables the sweep, and with it
   * idleTimeoutMs). Each session's check falls at a random point in [1, 1.5) intervals after its
   * last use, and at most maxConcurrency checks run at once, so thousands of sessions opened
   * together are not all probed together. A failed check closes the session.
   */
  keepaliveIntervalMs?: number;
  /** The check, e.g. `(d) => d.rpc('<get-software-information/>')`. Without it, only closed sessions are dropped. */
  keepalive?: (session: T) => Promise<unknown>;
  /**
   * 'on-use' (default): a dropped session is reopened by the next use(). 'background': also
   * reopened right away, after a jittered backoff, at most maxConcurrency at once.
   */
  reconnect?: 'on-use' | 'background';
  logger?: Logger;
}

export interface UseOptions {
  /**
   * 'high': counted against maxConcurrency like 'normal', but started before every normal use
   * still waiting — for a slot, or for its turn (startsPerTurn) — and ahead of that key's queued
   * normal uses. For the next step of work already under way (a device's stage after its read),
   * which would otherwise wait behind a fleet's burst of new work. (A key already waiting for a
   * slot keeps its place in the normal queue when a high use joins it.)
   * 'urgent': does not wait for a slot — not counted against maxConcurrency, not queued behind it
   * — and started before high and normal uses waiting for their turn, but still one use() per key
   * at a time, ahead of that key's queued high and normal uses. For work whose delay costs more
   * than the load it adds, e.g. confirming a commit before its timeout.
   */
  priority?: Priority;
}

type Priority = 'normal' | 'high' | 'urgent';
/** Lower goes first. */
const RANK: Record<Priority, 0 | 1 | 2> = { urgent: 0, high: 1, normal: 2 };

export interface PoolStats {
  /** Sessions set up (successful connects), since the pool was created. */
  opened: number;
  /** Of those, sessions set up for a key that had one before (after a drop, eviction or idle close). */
  reconnects: number;
  /** Sessions that left the pool: dropped by the peer, failed a keepalive, idle, evicted, or closed by close(). */
  closed: number;
}

export interface SessionPool<T extends PooledSession> {
  /**
   * Run `fn` with the session for `key` (connecting, or reconnecting after a drop, with backoff).
   * One use() at a time per key; at most maxConcurrency normal uses at once. `fn` is never
   * retried: a failed configuration transaction must be looked at, not replayed.
   */
  use<R>(key: string, fn: (session: T) => Promise<R>, options?: UseOptions): Promise<R>;
  /** Open sessions (and connects under way). */
  readonly size: number;
  /** use() calls running now, both lanes. */
  readonly active: number;
  /** A snapshot of the counters. */
  readonly stats: PoolStats;
  /**
   * Stop the keepalives and background reconnects, wait for every use() already accepted (running
   * or queued, connecting if need be), then close every session. Later use() calls reject with
   * PoolClosedError.
   */
  close(): Promise<void>;
}

/**
 * A use() waiting for its turn, and what settles it. Plain data, started by one function (run):
 * a fleet's cycle keeps thousands of uses in flight across their devices' commits, and each
 * closure, promise and async frame a use holds meanwhile outlives the young generation.
 */
interface Waiter<T> {
  entry: Entry<T>;
  /** RANK of its priority: 0 urgent, 1 high, 2 normal. */
  rank: 0 | 1 | 2;
  fn: (session: T) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Entry<T> {
  key: string;
  session?: T;
  /** A use(), connect or keepalive holds this key. */
  running: boolean;
  /** In a queue of keys waiting for a slot of the normal lane (high or normal). */
  queued: boolean;
  /** Uses waiting for this key; by rank (urgent, high, normal), in order within each. */
  waiters: Array<Waiter<T>>;
  lastUsed: number;
  /** When the next keepalive check is due. */
  checkAt: number;
  /** Consecutive failed connects, and when the next may start. */
  failures: number;
  retryAt: number;
  everOpened: boolean;
  /** In the queue of due keepalive checks. */
  checkQueued: boolean;
  reconnectTimer?: ReturnType<typeof setTimeout>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// A promise's resolving functions, taken by one shared executor (no executor closure per use()).
let takenResolve: ((value: unknown) => void) | undefined;
let takenReject: ((err: unknown) => void) | undefined;
function take(resolve: (value: unknown) => void, reject: (err: unknown) => void): void {
  takenResolve = resolve;
  takenReject = reject;
}
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function positiveInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`${name} must be a positive integer, got ${String(v)}`);
  return v;
}
function nonNegative(name: string, v: number): number {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new TypeError(`${name} must be a number ≥ 0, got ${String(v)}`);
  return v;
}

export function createSessionPool<T extends PooledSession>(options: SessionPoolOptions<T>): SessionPool<T> {
  const max = positiveInt('maxConcurrency', options.maxConcurrency ?? 8);
  const maxSessions = positiveInt('maxSessions', options.maxSessions ?? 10_000);
  const pace = createPacer<Waiter<T>>(positiveInt('startsPerTurn', options.startsPerTurn ?? 128), run);
  const idleTimeout = nonNegative('idleTimeoutMs', options.idleTimeoutMs ?? 0);
  const interval = nonNegative('keepaliveIntervalMs', options.keepaliveIntervalMs ?? 30_000);
  const reconnectMode = options.reconnect ?? 'on-use';
  if (reconnectMode !== 'on-use' && reconnectMode !== 'background') throw new TypeError(`reconnect must be 'on-use' or 'background', got ${String(reconnectMode)}`);
  const backoff = createBackoff(options.retry);
  const isRetryable = options.isRetryable ?? ((e: unknown) => !(e instanceof HostKeyError || e instanceof AuthenticationError));
  const logger = options.logger ?? defaultLogger;

  const entries = new Map<string, Entry<T>>();
  /** Entries holding a session, least recently used first (re-inserted on each use). */
  const lru = new Map<string, Entry<T>>();
  const slotQueue = createKeyQueue<Entry<T>>();
  /** Keys whose next use is 'high' when they queued: served before slotQueue. */
  const highSlotQueue = createKeyQueue<Entry<T>>();
  /** Sessions whose keepalive check is due, in the order they fell due. */
  const dueQueue = createKeyQueue<Entry<T>>();
  /** Background work (reconnects, keepalives, idle closes), for close() to wait for. */
  const running = new Set<Promise<unknown>>();
  const stats: PoolStats = { opened: 0, reconnects: 0, closed: 0 };
  /** use() calls accepted and not yet settled, and who waits for them to be none (close()). */
  let accepted = 0;
  let drained: { promise: Promise<void>; resolve: () => void } | undefined;
  let active = 0;
  let urgentActive = 0;
  let background = 0;
  let connecting = 0;
  let closed = false;

  const track = <R>(p: Promise<R>): Promise<R> => {
    running.add(p);
    void p.catch(() => undefined).finally(() => running.delete(p));
    return p;
  };
  const nextCheck = (now: number): number => now + interval * (1 + Math.random() / 2);

  const entryFor = (key: string): Entry<T> => {
    let e = entries.get(key);
    if (!e) entries.set(key, (e = { key, running: false, queued: false, waiters: [], lastUsed: 0, checkAt: 0, failures: 0, retryAt: 0, everOpened: false, checkQueued: false }));
    return e;
  };

  /** Start the key's next waiter if it may run now, else queue the key for a slot. */
  function dispatch(e: Entry<T>): void {
    if (e.running || e.waiters.length === 0) return;
    const head = e.waiters[0]!;
    if (head.rank === 0 || active < max) {
      e.waiters.shift();
      e.running = true;
      if (head.rank === 0) urgentActive++;
      else active++;
      pace(head, head.rank < 2);
    } else if (!e.queued) {
      e.queued = true;
      (head.rank === 1 ? highSlotQueue : slotQueue).push(e);
    }
  }
  /** Hand free slots to queued keys, in the order they queued. */
  function pump(): void {
    while (active < max) {
      const e = highSlotQueue.shift() ?? slotQueue.shift();
      if (!e) return;
      e.queued = false;
      dispatch(e);
    }
  }
  function release(e: Entry<T>): void {
    e.running = false;
    pump();
    dispatch(e);
  }

  function adopt(e: Entry<T>, s: T): void {
    e.session = s;
    lru.set(e.key, e);
    stats.opened++;
    if (e.everOpened) stats.reconnects++;
    e.everOpened = true;
    e.failures = 0;
    e.retryAt = 0;
    e.lastUsed = Date.now();
    e.checkAt = nextCheck(e.lastUsed);
    s.onClose?.(() => {
      if (e.session !== s) return; // the pool closed it itself
      detach(e);
      if (reconnectMode === 'background') scheduleReconnect(e);
    });
  }
  function detach(e: Entry<T>): T | undefined {
    const s = e.session;
    if (!s) return undefined;
    e.session = undefined;
    lru.delete(e.key);
    stats.closed++;
    return s;
  }
  async function retire(e: Entry<T>): Promise<void> {
    const s = detach(e);
    if (s && !s.closed) await s.close().catch(() => undefined);
  }

  /** Keep at most maxSessions open: close the least recently used idle one to make room. */
  async function makeRoom(): Promise<void> {
    while (lru.size + connecting >= maxSessions) {
      let victim: Entry<T> | undefined;
      for (const e of lru.values()) {
        if (!e.running && e.waiters.length === 0) {
          victim = e;
          break;
        }
      }
      if (!victim) return; // every open session is in use: go over the bound rather than deadlock
      await retire(victim);
    }
  }

  /** One connect attempt; a failure pushes the key's next attempt back (capped exponential, jittered). */
  async function connectOnce(e: Entry<T>): Promise<T> {
    await makeRoom();
    connecting++;
    try {
      const s = await options.connect(e.key);
      adopt(e, s);
      return s;
    } catch (err) {
      e.failures++;
      e.retryAt = Date.now() + backoff.delay(e.failures);
      throw err;
    } finally {
      connecting--;
    }
  }

  async function sessionFor(e: Entry<T>): Promise<T> {
    if (e.session && !e.session.closed) return e.session;
    if (e.session) await retire(e);
    let lastErr: unknown;
    const attempts = backoff.limit + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const wait = e.retryAt - Date.now(); // a failure before this use() (e.g. in the background) still counts
      if (wait > 0) await sleep(wait);
      try {
        return await connectOnce(e);
      } catch (err) {
        lastErr = err;
        if (!isRetryable(err) || attempt === attempts) break;
        const retryInMs = Math.max(0, Math.round(e.retryAt - Date.now()));
        logger.warn(`connect to ${e.key} failed (attempt ${attempt}/${attempts}): ${message(err)}; retrying in ${retryInMs} ms`, { key: e.key, attempt, attempts, retryInMs, error: message(err) });
      }
    }
    throw lastErr;
  }

  /** Runs a waiter's fn on its key's session (an open one at once, without an await), then settles it. */
  function run(w: Waiter<T>): void {
    const e = w.entry;
    const s = e.session;
    let work: Promise<unknown>;
    try {
      work = s && !s.closed ? w.fn(s) : sessionFor(e).then(w.fn);
    } catch (err) {
      work = Promise.reject(err); // fn threw instead of rejecting
    }
    // The bookkeeping first (a caller resuming after its use sees the slot free), and the use
    // settled whatever it does.
    work.then(
      (value) => {
        try {
          finish(w);
        } finally {
          w.resolve(value);
        }
      },
      (err: unknown) => {
        try {
          finish(w);
        } finally {
          w.reject(err);
        }
      },
    );
  }
  function finish(w: Waiter<T>): void {
    const e = w.entry;
    if (w.rank === 0) urgentActive--;
    else active--;
    e.lastUsed = Date.now();
    e.checkAt = nextCheck(e.lastUsed);
    if (e.session) {
      lru.delete(e.key); // most recently used last
      lru.set(e.key, e);
    }
    release(e);
    if (--accepted === 0) drained?.resolve();
  }

  function scheduleReconnect(e: Entry<T>): void {
    if (closed || e.reconnectTimer) return;
    e.reconnectTimer = setTimeout(() => {
      e.reconnectTimer = undefined;
      if (closed || e.session || e.waiters.length > 0) return; // a queued use() reconnects it
      if (e.running || background >= max) return scheduleReconnect(e); // try again later
      void track(backgroundReconnect(e));
    }, Math.max(0, e.retryAt - Date.now(), backoff.delay(e.failures + 1)));
    e.reconnectTimer.unref?.();
  }
  async function backgroundReconnect(e: Entry<T>): Promise<void> {
    e.running = true;
    background++;
    try {
      await connectOnce(e);
    } catch (err) {
      if (isRetryable(err)) scheduleReconnect(e);
      else logger.warn(`background reconnect to ${e.key} failed: ${message(err)}; not retrying until the next use`, { key: e.key, error: message(err) });
    } finally {
      background--;
      release(e);
    }
  }

  async function probe(e: Entry<T>, s: T, keepalive: (session: T) => Promise<unknown>): Promise<void> {
    e.running = true;
    background++;
    try {
      await keepalive(s);
    } catch (err) {
      logger.warn(`keepalive to ${e.key} failed: ${message(err)}; closing the session`, { key: e.key, error: message(err) });
      if (e.session === s) await retire(e);
      if (reconnectMode === 'background') scheduleReconnect(e);
    } finally {
      background--;
      e.checkAt = nextCheck(Date.now());
      release(e);
      startProbes();
    }
  }
  /** Start due checks while fewer than maxConcurrency run; each one ending starts the next. */
  function startProbes(): void {
    const keepalive = options.keepalive;
    while (keepalive && !closed && background < max) {
      const e = dueQueue.shift();
      if (!e) return;
      e.checkQueued = false;
      const s = e.session;
      if (s && !s.closed && !e.running && e.waiters.length === 0 && Date.now() >= e.checkAt) void track(probe(e, s, keepalive));
    }
  }

  function sweep(): void {
    const now = Date.now();
    for (const e of [...lru.values()]) {
      if (e.running || e.waiters.length > 0 || !e.session) continue;
      if (e.session.closed) detach(e);
      else if (idleTimeout > 0 && now - e.lastUsed > idleTimeout) void track(retire(e));
      else if (options.keepalive && now >= e.checkAt && !e.checkQueued) {
        e.checkQueued = true;
        dueQueue.push(e);
      }
    }
    startProbes();
  }
  // One cheap timer scans the sessions; the jittered checkAt spreads the checks themselves.
  const sweeper = interval > 0 && (options.keepalive || idleTimeout > 0) ? setInterval(sweep, Math.max(5, Math.min(1000, interval / 4))) : undefined;
  sweeper?.unref?.();

  return {
    get size() {
      return lru.size + connecting;
    },
    get active() {
      return active + urgentActive;
    },
    get stats() {
      return { ...stats };
    },
    use<R>(key: string, fn: (session: T) => Promise<R>, o: UseOptions = {}): Promise<R> {
      if (closed) return Promise.reject(new PoolClosedError(`session pool is closed (request for ${key})`, { key }));
      const priority = o.priority ?? 'normal';
      if (!Object.hasOwn(RANK, priority)) return Promise.reject(new TypeError(`use(${key}): priority must be 'normal', 'high' or 'urgent', got ${String(priority)}`));
      const rank = RANK[priority];
      const e = entryFor(key);
      const promise = new Promise<R>(take as (resolve: (value: R) => void, reject: (err: unknown) => void) => void);
      const waiter: Waiter<T> = { entry: e, rank, fn, resolve: takenResolve!, reject: takenReject! };
      accepted++;
      const after = rank < 2 ? e.waiters.findIndex((w) => w.rank > rank) : -1;
      if (after >= 0) e.waiters.splice(after, 0, waiter);
      else e.waiters.push(waiter);
      dispatch(e);
      return promise;
    },
    async close() {
      closed = true;
      if (sweeper) clearInterval(sweeper);
      for (const e of entries.values()) if (e.reconnectTimer) clearTimeout(e.reconnectTimer);
      if (accepted > 0) {
        if (!drained) {
          let resolve!: () => void;
          drained = { promise: new Promise<void>((r) => (resolve = r)), resolve };
        }
        await drained.promise;
      }
      while (running.size > 0) await Promise.allSettled([...running]);
      await Promise.all([...lru.values()].map(retire));
    },
  };
}
