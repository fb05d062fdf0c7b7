// Time as the simulated devices see it. Tests use a manual clock and advance it without sleeping;
// the CLI and demos use the real one. Commit-confirmed timers run on this clock.
export interface Clock {
  now(): number;
  /** Runs `fn` once the clock reaches `at` (epoch ms). Returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

export interface ManualClock extends Clock {
  readonly kind: 'manual';
  /** Moves time forward, firing due timers in time order (each sees `now()` = its due time). */
  advance(ms: number): void;
  /** Jumps to an absolute time (never backwards). */
  set(epochMs: number): void;
}

export interface RealClock extends Clock {
  readonly kind: 'real';
}

export function realClock(): RealClock {
  return {
    kind: 'real',
    now: () => Date.now(),
    at(at, fn) {
      // setTimeout caps at ~24.8 days; re-arm until due.
      let timer: NodeJS.Timeout;
      const arm = () => {
        const wait = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
        timer = setTimeout(() => (Date.now() >= at ? fn() : arm()), wait);
        timer.unref();
      };
      arm();
      return () => clearTimeout(timer);
    },
  };
}

export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const runUntil = (target: number) => {
    if (target < now) throw new RangeError(`manual clock cannot go backwards (now ${new Date(now).toISOString()}, asked ${new Date(target).toISOString()})`);
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      timers.delete(next[0]);
      now = Math.max(now, next[1].at);
      next[1].fn();
    }
    now = target;
  };
  return {
    kind: 'manual',
    now: () => now,
    at(at, fn) {
      const id = ++seq;
      timers.set(id, { at, fn });
      return () => timers.delete(id);
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
      runUntil(now + ms);
    },
    set(epochMs) {
      runUntil(epochMs);
    },
  };
}
