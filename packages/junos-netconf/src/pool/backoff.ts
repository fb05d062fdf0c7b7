import { refuseRenamed } from '../renamed-options.js';

/** The workspace's retry options (CONTRIBUTING.md): the same names as etsi-qkd-client's. */
export interface RetryOptions {
  /** Retries after the first connect attempt of a use() (default 2: three attempts in all). 0 tries once. */
  limit?: number;
  /** First backoff delay; doubled after each consecutive failure, with jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Cap on the backoff delay (default 10 000 ms). */
  maxDelayMs?: number;
}

export interface Backoff {
  /** Retries after the first attempt. */
  readonly limit: number;
  /** Delay before the next try after `failures` consecutive failures (≥ 1): capped exponential, jittered. */
  delay(failures: number): number;
}

/** `retry: false` is `{ limit: 0 }`: one attempt, and still the backoff between a device's failed connects. */
export function createBackoff(o: RetryOptions | false = {}, random: () => number = Math.random): Backoff {
  const options = o === false ? { limit: 0 } : o;
  refuseRenamed(options, { attempts: 'limit (retries after the first attempt: attempts − 1)' }, 'retry');
  const limit = options.limit ?? 2;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 10_000;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`retry.limit must be an integer ≥ 0 (retries after the first attempt), got ${String(limit)}`);
  if (!(base >= 0) || !(max >= 0)) throw new TypeError(`retry delays must be ≥ 0 ms, got baseDelayMs ${String(base)}, maxDelayMs ${String(max)}`);
  return {
    limit,
    // "Equal jitter": between half and all of the capped delay, so a fleet that dropped at
    // once (a rotator-side network blip) does not reconnect in lockstep, yet never retries at once.
    delay: (failures) => Math.min(max, base * 2 ** Math.min(30, failures - 1)) * (0.5 + random() / 2),
  };
}
