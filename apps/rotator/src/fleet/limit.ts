// A concurrency limit for work that is not a device session (KME fetches).
export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

export function createLimiter(max: number): Limiter {
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError(`concurrency must be a positive integer, got ${String(max)}`);
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    while (active >= max) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Promise.allSettled over items with a limit. */
async function mapLimited<I, O>(items: readonly I[], limit: Limiter, fn: (item: I) => Promise<O>): Promise<PromiseSettledResult<O>[]> {
  return Promise.allSettled(items.map((item) => limit(() => fn(item))));
}
