// Coalesced writes: many callers ask for "the state on disk as of now"; one write runs at a time and
// every request made while it runs is served by the single write that follows it. A write reads
// what to write when it starts, so a caller's changes made before its request are always in the
// write its promise waits for. Thousands of links becoming ready one by one cost a handful of
// atomic, fsynced writes, not thousands.
export interface Coalesced {
  (): Promise<void>;
  /**
   * No more requests are coming (the last link of a cycle asked): a write waiting out its gap
   * starts now, or right after the running one — the gap is there to gather later requests.
   */
  hurry(): void;
}

// After a write, the next one waits `gapFactor` times as long as it took (at least `minGapMs`, at
// most `maxGapMs`): writes take at most 1/(1 + gapFactor) of the time however fast requests come (a
// slow cycle of thousands of links trickles them), and each carries all that came meanwhile. The
// cap keeps one slow fsync (a disk busy with something else) from holding the next write back long.
export function coalesce(write: () => Promise<void>, options: { minGapMs?: number; gapFactor?: number; maxGapMs?: number } = {}): Coalesced {
  const minGap = options.minGapMs ?? 0;
  const factor = options.gapFactor ?? 1;
  const maxGap = options.maxGapMs ?? Infinity;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let earliest = 0;
  let hurried = false;
  let wake: (() => void) | undefined;
  const start = (): Promise<void> => {
    const began = performance.now();
    const p = write().finally(() => {
      earliest = performance.now() + Math.min(maxGap, Math.max(minGap, factor * (performance.now() - began)));
      if (running === p) running = undefined;
    });
    running = p;
    return p;
  };
  const startWhenDue = async (): Promise<void> => {
    const wait = earliest - performance.now();
    if (wait > 0 && !hurried) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    wake = undefined;
    hurried = false;
    next = undefined;
    return start();
  };
  const request = (): Promise<void> => {
    if (next) return next;
    if (!running && earliest <= performance.now()) return start();
    const after = (running ?? Promise.resolve()).catch(() => undefined).then(startWhenDue);
    next = after;
    return after;
  };
  return Object.assign(request, {
    hurry() {
      if (!next) return; // nothing waiting: the next request starts at once or after its gap
      hurried = true;
      wake?.();
    },
  });
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
