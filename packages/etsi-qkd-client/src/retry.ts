// Retry policy expressed with ky's own retry: only idempotent calls (status, dec_keys), only on
// 503 and on connection failures, exponential backoff with jitter, Retry-After honoured up to
// maxDelayMs. enc_keys is never retried: a lost answer may still have consumed keys on the KME.
import { isHTTPError, type RetryOptions } from 'ky';

export interface QkdRetryOptions {
  /** Retries after the first attempt (default 2; 0 disables). */
  limit: number;
  /** First backoff delay in ms, doubled at each retry (default 200). */
  baseDelayMs: number;
  /** Cap on one delay, Retry-After included (default 2000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: QkdRetryOptions = { limit: 2, baseDelayMs: 200, maxDelayMs: 2_000 };

export function resolveRetry(retry: Partial<QkdRetryOptions> | false | undefined): QkdRetryOptions {
  if (retry === false) return { ...DEFAULT_RETRY, limit: 0 };
  const merged = { ...DEFAULT_RETRY, ...retry };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry.${name} must be a non-negative number (got ${String(value)})`);
  }
  if (!Number.isSafeInteger(merged.limit)) throw new RangeError(`retry.limit must be a whole number of retries (got ${merged.limit})`);
  return merged;
}

/** ky retry options for one call. */
export function kyRetry(policy: QkdRetryOptions, idempotent: boolean, isTransient: (error: Error) => boolean): RetryOptions {
  if (!idempotent || policy.limit === 0) return { limit: 0 };
  return {
    limit: policy.limit,
    methods: ['get', 'post'],
    statusCodes: [503],
    afterStatusCodes: [503],
    maxRetryAfter: policy.maxDelayMs,
    delay: (attempt) => policy.baseDelayMs * 2 ** (attempt - 1),
    // "Equal jitter": half the delay fixed, half random, so a retry never comes at once.
    jitter: (delay) => delay / 2 + Math.random() * (delay / 2),
    backoffLimit: policy.maxDelayMs,
    retryOnTimeout: false,
    // true forces a retry, undefined lets ky apply statusCodes/Retry-After, false stops.
    shouldRetry: ({ error }) => {
      if (isHTTPError(error)) return error.response.status === 503 ? undefined : false;
      return isTransient(error);
    },
  };
}
