import { AuthenticationError, HostKeyError, PoolClosedError } from '../errors.js';
import { defaultLogger, type Logger } from '../logger.js';
import { createBackoff, type Backoff, type RetryOptions } from './backoff.js';
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

/** The options, checked, with their defaults filled in. */
interface PoolSettings<T extends PooledSession> {
  connect: (key: string) => Promise<T>;
  max: number;
  maxSessions: number;
  startsPerTurn: number;
  idleTimeout: number;
  interval: number;
  reconnectMode: 'on-use' | 'background';
  backoff: Backoff;
  isRetryable: (err: unknown) => boolean;
  keepalive: ((session: T) => Promise<unknown>) | undefined;
  logger: Logger;
}

function settingsOf<T extends PooledSession>(options: SessionPoolOptions<T>): PoolSettings<T> {
  const reconnectMode = options.reconnect ?? 'on-use';
  if (reconnectMode !== 'on-use' && reconnectMode !== 'background') throw new TypeError(`reconnect must be 'on-use' or 'background', got ${String(reconnectMode)}`);
  return {
    connect: options.connect,
    max: positiveInt('maxConcurrency', options.maxConcurrency ?? 8),
    maxSessions: positiveInt('maxSessions', options.maxSessions ?? 10_000),
    startsPerTurn: positiveInt('startsPerTurn', options.startsPerTurn ?? 128),
    idleTimeout: nonNegative('idleTimeoutMs', options.idleTimeoutMs ?? 0),
    interval: nonNegative('keepaliveIntervalMs', options.keepaliveIntervalMs ?? 30_000),
    reconnectMode,
    backoff: createBackoff(options.retry),
    isRetryable: options.isRetryable ?? ((e: unknown) => !(e instanceof HostKeyError || e instanceof AuthenticationError)),
    keepalive: options.keepalive,
    logger: options.logger ?? defaultLogger,
  };
}

export function createSessionPool<T extends PooledSession>(options: SessionPoolOptions<T>): SessionPool<T> {
  return new Pool(settingsOf(options));
}

/**
 * The pool's state in plain fields and its steps as methods, in four groups: the lanes (use,
 * dispatch, pump, run, finish), the sessions (adopt, detach, retire, makeRoom, connectOnce,
 * sessionFor), the background work (reconnects, keepalive probes, the sweep), and close().
 */
class Pool<T extends PooledSession> implements SessionPool<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Entries holding a session, least recently used first (re-inserted on each use). */
  private readonly lru = new Map<string, Entry<T>>();
  private readonly slotQueue = createKeyQueue<Entry<T>>();
  /** Keys whose next use is 'high' when they queued: served before slotQueue. */
  private readonly highSlotQueue = createKeyQueue<Entry<T>>();
  /** Sessions whose keepalive check is due, in the order they fell due. */
  private readonly dueQueue = createKeyQueue<Entry<T>>();
  /** Background work (reconnects, keepalives, idle closes), for close() to wait for. */
  private readonly running = new Set<Promise<unknown>>();
  private readonly counters: PoolStats = { opened: 0, reconnects: 0, closed: 0 };
  private readonly pace: (w: Waiter<T>, first?: boolean) => void;
  private readonly sweeper: ReturnType<typeof setInterval> | undefined;
  /** use() calls accepted and not yet settled, and who waits for them to be none (close()). */
  private accepted = 0;
  private drained: { promise: Promise<void>; resolve: () => void } | undefined = undefined;
  private normalActive = 0;
  private urgentActive = 0;
  private background = 0;
  private connecting = 0;
  private closed = false;

  constructor(private readonly settings: PoolSettings<T>) {
    this.pace = createPacer<Waiter<T>>(settings.startsPerTurn, (w) => this.run(w));
    // One cheap timer scans the sessions; the jittered checkAt spreads the checks themselves.
    const { interval, keepalive, idleTimeout } = settings;
    this.sweeper = interval > 0 && (keepalive || idleTimeout > 0) ? setInterval(() => this.sweep(), Math.max(5, Math.min(1000, interval / 4))) : undefined;
    this.sweeper?.unref?.();
  }

  get size(): number {
    return this.lru.size + this.connecting;
  }
  get active(): number {
    return this.normalActive + this.urgentActive;
  }
  get stats(): PoolStats {
    return { ...this.counters };
  }

  // --- The lanes: accepting a use(), giving it a slot and its turn, running it, settling it.

  use<R>(key: string, fn: (session: T) => Promise<R>, o: UseOptions = {}): Promise<R> {
    if (this.closed) return Promise.reject(new PoolClosedError(`session pool is closed (request for ${key})`, { key }));
    const priority = o.priority ?? 'normal';
    if (!Object.hasOwn(RANK, priority)) return Promise.reject(new TypeError(`use(${key}): priority must be 'normal', 'high' or 'urgent', got ${String(priority)}`));
    const rank = RANK[priority];
    const e = this.entryFor(key);
    const promise = new Promise<R>(take as (resolve: (value: R) => void, reject: (err: unknown) => void) => void);
    const waiter: Waiter<T> = { entry: e, rank, fn, resolve: takenResolve!, reject: takenReject! };
    this.accepted++;
    const after = rank < 2 ? e.waiters.findIndex((w) => w.rank > rank) : -1;
    if (after >= 0) e.waiters.splice(after, 0, waiter);
    else e.waiters.push(waiter);
    this.dispatch(e);
    return promise;
  }

  private entryFor(key: string): Entry<T> {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { key, running: false, queued: false, waiters: [], lastUsed: 0, checkAt: 0, failures: 0, retryAt: 0, everOpened: false, checkQueued: false }));
    return e;
  }

  private nextCheck(now: number): number {
    return now + this.settings.interval * (1 + Math.random() / 2);
  }

  /** Start the key's next waiter if it may run now, else queue the key for a slot. */
  private dispatch(e: Entry<T>): void {
    if (e.running || e.waiters.length === 0) return;
    const head = e.waiters[0]!;
    if (head.rank === 0 || this.normalActive < this.settings.max) {
      e.waiters.shift();
      e.running = true;
      if (head.rank === 0) this.urgentActive++;
      else this.normalActive++;
      this.pace(head, head.rank < 2);
    } else if (!e.queued) {
      e.queued = true;
      (head.rank === 1 ? this.highSlotQueue : this.slotQueue).push(e);
    }
  }
  /** Hand free slots to queued keys, in the order they queued. */
  private pump(): void {
    while (this.normalActive < this.settings.max) {
      const e = this.highSlotQueue.shift() ?? this.slotQueue.shift();
      if (!e) return;
      e.queued = false;
      this.dispatch(e);
    }
  }
  private release(e: Entry<T>): void {
    e.running = false;
    this.pump();
    this.dispatch(e);
  }

  /** Runs a waiter's fn on its key's session (an open one at once, without an await), then settles it. */
  private run(w: Waiter<T>): void {
    const e = w.entry;
    const s = e.session;
    let work: Promise<unknown>;
    try {
      work = s && !s.closed ? w.fn(s) : this.sessionFor(e).then(w.fn);
    } catch (err) {
      work = Promise.reject(err); // fn threw instead of rejecting
    }
    // The bookkeeping first (a caller resuming after its use sees the slot free), and the use
    // settled whatever it does.
    work.then(
      (value) => {
        try {
          this.finish(w);
        } finally {
          w.resolve(value);
        }
      },
      (err: unknown) => {
        try {
          this.finish(w);
        } finally {
          w.reject(err);
        }
      },
    );
  }
  private finish(w: Waiter<T>): void {
    const e = w.entry;
    if (w.rank === 0) this.urgentActive--;
    else this.normalActive--;
    e.lastUsed = Date.now();
    e.checkAt = this.nextCheck(e.lastUsed);
    if (e.session) {
      this.lru.delete(e.key); // most recently used last
      this.lru.set(e.key, e);
    }
    this.release(e);
    if (--this.accepted === 0) this.drained?.resolve();
  }

  // --- The sessions: opening (with retries and backoff), keeping, evicting, closing.

  private adopt(e: Entry<T>, s: T): void {
    e.session = s;
    this.lru.set(e.key, e);
    this.counters.opened++;
    if (e.everOpened) this.counters.reconnects++;
    e.everOpened = true;
    e.failures = 0;
    e.retryAt = 0;
    e.lastUsed = Date.now();
    e.checkAt = this.nextCheck(e.lastUsed);
    s.onClose?.(() => {
      if (e.session !== s) return; // the pool closed it itself
      this.detach(e);
      if (this.settings.reconnectMode === 'background') this.scheduleReconnect(e);
    });
  }
  private detach(e: Entry<T>): T | undefined {
    const s = e.session;
    if (!s) return undefined;
    e.session = undefined;
    this.lru.delete(e.key);
    this.counters.closed++;
    return s;
  }
  private async retire(e: Entry<T>): Promise<void> {
    const s = this.detach(e);
    if (s && !s.closed) await s.close().catch(() => undefined);
  }

  /** Keep at most maxSessions open: close the least recently used idle one to make room. */
  private async makeRoom(): Promise<void> {
    while (this.lru.size + this.connecting >= this.settings.maxSessions) {
      let victim: Entry<T> | undefined;
      for (const e of this.lru.values()) {
        if (!e.running && e.waiters.length === 0) {
          victim = e;
          break;
        }
      }
      if (!victim) return; // every open session is in use: go over the bound rather than deadlock
      await this.retire(victim);
    }
  }

  /** One connect attempt; a failure pushes the key's next attempt back (capped exponential, jittered). */
  private async connectOnce(e: Entry<T>): Promise<T> {
    await this.makeRoom();
    this.connecting++;
    try {
      const s = await this.settings.connect(e.key);
      this.adopt(e, s);
      return s;
    } catch (err) {
      e.failures++;
      e.retryAt = Date.now() + this.settings.backoff.delay(e.failures);
      throw err;
    } finally {
      this.connecting--;
    }
  }

  private async sessionFor(e: Entry<T>): Promise<T> {
    if (e.session && !e.session.closed) return e.session;
    if (e.session) await this.retire(e);
    const { backoff, isRetryable, logger } = this.settings;
    let lastErr: unknown;
    const attempts = backoff.limit + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const wait = e.retryAt - Date.now(); // a failure before this use() (e.g. in the background) still counts
      if (wait > 0) await sleep(wait);
      try {
        return await this.connectOnce(e);
      } catch (err) {
        lastErr = err;
        if (!isRetryable(err) || attempt === attempts) break;
        const retryInMs = Math.max(0, Math.round(e.retryAt - Date.now()));
        logger.warn(`connect to ${e.key} failed (attempt ${attempt}/${attempts}): ${message(err)}; retrying in ${retryInMs} ms`, { key: e.key, attempt, attempts, retryInMs, error: message(err) });
      }
    }
    throw lastErr;
  }

  // --- Background work: reconnects after a drop, keepalive probes, the sweep that finds them due.

  private track<R>(p: Promise<R>): Promise<R> {
    this.running.add(p);
    void p.catch(() => undefined).finally(() => this.running.delete(p));
    return p;
  }

  private scheduleReconnect(e: Entry<T>): void {
    if (this.closed || e.reconnectTimer) return;
    e.reconnectTimer = setTimeout(
      () => {
        e.reconnectTimer = undefined;
        if (this.closed || e.session || e.waiters.length > 0) return; // a queued use() reconnects it
        if (e.running || this.background >= this.settings.max) return this.scheduleReconnect(e); // try again later
        void this.track(this.backgroundReconnect(e));
      },
      Math.max(0, e.retryAt - Date.now(), this.settings.backoff.delay(e.failures + 1)),
    );
    e.reconnectTimer.unref?.();
  }
  private async backgroundReconnect(e: Entry<T>): Promise<void> {
    e.running = true;
    this.background++;
    try {
      await this.connectOnce(e);
    } catch (err) {
      if (this.settings.isRetryable(err)) this.scheduleReconnect(e);
      else this.settings.logger.warn(`background reconnect to ${e.key} failed: ${message(err)}; not retrying until the next use`, { key: e.key, error: message(err) });
    } finally {
      this.background--;
      this.release(e);
    }
  }

  private async probe(e: Entry<T>, s: T, keepalive: (session: T) => Promise<unknown>): Promise<void> {
    e.running = true;
    this.background++;
    try {
      await keepalive(s);
    } catch (err) {
      this.settings.logger.warn(`keepalive to ${e.key} failed: ${message(err)}; closing the session`, { key: e.key, error: message(err) });
      if (e.session === s) await this.retire(e);
      if (this.settings.reconnectMode === 'background') this.scheduleReconnect(e);
    } finally {
      this.background--;
      e.checkAt = this.nextCheck(Date.now());
      this.release(e);
      this.startProbes();
    }
  }
  /** Start due checks while fewer than maxConcurrency run; each one ending starts the next. */
  private startProbes(): void {
    const keepalive = this.settings.keepalive;
    while (keepalive && !this.closed && this.background < this.settings.max) {
      const e = this.dueQueue.shift();
      if (!e) return;
      e.checkQueued = false;
      const s = e.session;
      if (s && !s.closed && !e.running && e.waiters.length === 0 && Date.now() >= e.checkAt) void this.track(this.probe(e, s, keepalive));
    }
  }

  private sweep(): void {
    const now = Date.now();
    const { idleTimeout, keepalive } = this.settings;
    for (const e of [...this.lru.values()]) {
      if (e.running || e.waiters.length > 0 || !e.session) continue;
      if (e.session.closed) this.detach(e);
      else if (idleTimeout > 0 && now - e.lastUsed > idleTimeout) void this.track(this.retire(e));
      else if (keepalive && now >= e.checkAt && !e.checkQueued) {
        e.checkQueued = true;
        this.dueQueue.push(e);
      }
    }
    this.startProbes();
  }

  // --- close(): stop the background work, drain the accepted uses, close every session.

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const e of this.entries.values()) if (e.reconnectTimer) clearTimeout(e.reconnectTimer);
    if (this.accepted > 0) {
      if (!this.drained) {
        let resolve!: () => void;
        this.drained = { promise: new Promise<void>((r) => (resolve = r)), resolve };
      }
      await this.drained.promise;
    }
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await Promise.all([...this.lru.values()].map((e) => this.retire(e)));
  }
}
