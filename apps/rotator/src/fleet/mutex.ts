// Per-device mutual exclusion: never two transactions on one device at once. Several keys are
// taken in sorted order, so two callers wanting overlapping sets cannot deadlock.
export interface KeyedMutex {
  /** Run `fn` holding every key in `keys`. */
  withKeys<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T>;
  /** Keys held now (for tests and status). */
  held(): string[];
}

export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<void>>();
  const holding = new Set<string>();

  async function acquire(key: string): Promise<() => void> {
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    tails.set(key, tail);
    await previous;
    holding.add(key);
    return () => {
      holding.delete(key);
      if (tails.get(key) === tail) tails.delete(key);
      release();
    };
  }

  return {
    async withKeys(keys, fn) {
      const sorted = [...new Set(keys)].sort();
      const releases: Array<() => void> = [];
      try {
        for (const k of sorted) releases.push(await acquire(k));
        return await fn();
      } finally {
        for (const r of releases.reverse()) r();
      }
    },
    held: () => [...holding].sort(),
  };
}
