// Idempotency by requestId: a repeat of a request returns the first answer without doing anything
// again — the same promise while the first is still running, the same outcome (answer or error)
// once it is done. Bounded: at most maxEntries remembered, each for ttlMs after it finished.

export interface IdempotencyCache {
  /** Runs `work` once per requestId; `what` (the endpoint) must match the first use. */
  run<T>(requestId: string, what: string, work: () => Promise<T>): Promise<T>;
  readonly size: number;
}

export class RequestIdReusedError extends Error {
  override name = 'RequestIdReusedError';
}

interface Entry {
  what: string;
  promise: Promise<unknown>;
  doneAt?: number;
}

export function createIdempotencyCache(options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}): IdempotencyCache {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 30 * 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let prunedAt = -Infinity;
  // A scan of every entry, so not on every request: when full, or a second after the last one
  // (the TTL is minutes). When full it frees a tenth, so the next requests do not scan again.
  const prune = () => {
    const t = now();
    const full = entries.size >= maxEntries;
    if (!full && t - prunedAt < 1000) return;
    prunedAt = t;
    for (const [id, e] of entries) if (e.doneAt !== undefined && t - e.doneAt > ttlMs) entries.delete(id);
    // Still too many: forget the oldest finished ones (Map order is insertion order).
    for (const [id, e] of entries) {
      if (entries.size < maxEntries * 0.9) break;
      if (e.doneAt !== undefined) entries.delete(id);
    }
  };
  return {
    run<T>(requestId: string, what: string, work: () => Promise<T>): Promise<T> {
      const seen = entries.get(requestId);
      if (seen) {
        if (seen.what !== what) return Promise.reject(new RequestIdReusedError(`requestId ${requestId} was used for ${seen.what}, not ${what}`));
        return seen.promise as Promise<T>;
      }
      prune();
      const entry: Entry = { what, promise: Promise.resolve() };
      const promise = (async () => work())();
      entry.promise = promise;
      const done = () => {
        entry.doneAt = now();
      };
      promise.then(done, done);
      entries.set(requestId, entry);
      return promise;
    },
    get size() {
      return entries.size;
    },
  };
}
