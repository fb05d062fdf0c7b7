export interface RetryOptions {
  /** Connection attempts per use() (default 3). */
  attempts?: number;
  /** First backoff delay; doubled after each consecutive failure, with jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Cap on the backoff delay (default 10 000 ms). */
  maxDelayMs?: number;
}

export interface Backoff {
  readonly attempts: number;
  /** Delay before the next try after `failures` consecutive failures (≥ 1): capped exponential, jittered. */
  delay(failures: number): number;
}

export function createBackoff(o: RetryOptions = {}, random: () => number = Math.random): Backoff {
  const attempts = o.attempts ?? 3;
  const base = o.baseDelayMs ?? 500;
  const max = o.maxDelayMs ?? 10_000;
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new TypeError(`retry.attempts must be a positive integer, got ${String(attempts)}`);
  if (!(base >= 0) || !(max >= 0)) throw new TypeError(`retry delays must be ≥ 0 ms, got baseDelayMs ${String(base)}, maxDelayMs ${String(max)}`);
  return {
    attempts,
    // "Equal jitter": between half and all of the capped delay, so a fleet that dropped at
    // once (a rotator-side network blip) does not reconnect in lockstep, yet never retries at once.
    delay: (failures) => Math.min(max, base * 2 ** Math.min(30, failures - 1)) * (0.5 + random() / 2),
  };
}
