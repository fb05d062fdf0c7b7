// Coalesced writes: many callers ask for "the state on disk as of now"; one write runs at a time and
// every request made while it runs is served by the single write that follows it. A write reads
// what to write when it starts, so a caller's changes made before its request are always in the
// write its promise waits for. Thousands of links becoming ready one by one cost a handful of
// atomic, fsynced writes, not thousands.
export type Coalesced = () => Promise<void>;

export function coalesce(write: () => Promise<void>): Coalesced {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const p = write().finally(() => {
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  return () => {
    if (next) return next;
    if (!running) return start();
    const after = running.catch(() => undefined).then(() => {
      next = undefined;
      return start();
    });
    next = after;
    return after;
  };
}

/** A promise with its resolve function outside (the cycle's per-link and per-device milestones). */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
