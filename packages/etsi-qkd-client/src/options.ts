// createQkdClient's options, checked once at creation: an unusable value is a QkdConfigError
// naming the option and the KME, before anything is sent.
import { QkdConfigError } from './errors.js';
import { defaultLogger, type Logger } from './logger.js';
import { resolveRetry, type QkdRetryOptions } from './retry.js';
import type { QkdTlsOptions } from './tls.js';
import { parseBaseUrl } from './url.js';

export type QkdMethod = 'auto' | 'get' | 'post';

export interface QkdClientOptions {
  /** The KME URL up to (not including) /api/v1/keys: https://host:port or https://host/prefix. */
  baseUrl: string;
  /** Client certificate, key and CA bundle, inline PEM or file paths. */
  tls?: QkdTlsOptions;
  /** Do not verify the KME's server certificate. Logged as a warning. Local tests only. */
  insecureSkipVerify?: boolean;
  /** Accept an http:// baseUrl. Logged as a warning. Local tests only. */
  allowPlainHttp?: boolean;
  /** Time budget of one call, retries and backoff included (default 10 000 ms). */
  timeoutMs?: number;
  /** Retries of idempotent calls (status, dec_keys) on 503 and connection failures; false disables. */
  retry?: Partial<QkdRetryOptions> | false;
  /** 'auto' (default): GET when the spec allows it, POST otherwise. */
  method?: QkdMethod;
  /** Most connections kept to the KME; further concurrent calls queue (default: no limit). */
  connections?: number;
  /**
   * Largest answer read, in bytes (default DEFAULT_MAX_RESPONSE_BYTES, 1 MiB). Reading stops as
   * soon as an answer passes it (QkdResponseTooLargeError). Raise it only for a KME that hands
   * out more than about 1000 keys of 4096 bits in one answer.
   */
  maxResponseBytes?: number;
  logger?: Logger;
}

/** The options with their defaults, all checked. */
export interface ResolvedOptions {
  /** Origin and path prefix of the KME, no trailing slash. */
  root: string;
  method: QkdMethod;
  timeoutMs: number;
  retry: QkdRetryOptions;
  connections: number | undefined;
  maxResponseBytes: number;
  logger: Logger;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Default maxResponseBytes. The largest legitimate answer is a Key container of
 * max_key_per_request keys of max_key_size bits: one key is about 60 bytes of JSON around its
 * key_ID plus 4/3 of its bytes in Base64, so 1 MiB holds 1024 keys of 4096 bits (≈ 760 kB) with
 * room for extensions — far above what KMEs advertise (sim-kme: 128 keys of at most 1024 bits,
 * ≈ 30 kB) — while a hostile answer costs at most 1 MiB of memory and parsing.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

export function resolveOptions(options: QkdClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new QkdConfigError('createQkdClient needs an options object', { endpoint: '', saeIds: [] });
  const logger = options.logger ?? defaultLogger;
  const root = parseBaseUrl(options.baseUrl, options.allowPlainHttp === true);
  if (root.startsWith('http:')) logger.warn(`baseUrl ${root} is plain http: keys travel unencrypted. Local tests only.`);
  const fail = (message: string) => new QkdConfigError(message, { endpoint: root, saeIds: [] });
  const method = options.method ?? 'auto';
  if (!['auto', 'get', 'post'].includes(method)) throw fail(`method must be 'auto', 'get' or 'post' (got ${String(method)})`);
  const timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs', root);
  let retry: QkdRetryOptions;
  try {
    retry = resolveRetry(options.retry);
  } catch (error) {
    throw fail((error as Error).message);
  }
  const { connections } = options;
  if (connections !== undefined && !(Number.isSafeInteger(connections) && connections >= 1)) {
    throw fail(`connections must be a positive integer (got ${String(connections)})`);
  }
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!(Number.isSafeInteger(maxResponseBytes) && maxResponseBytes >= 1)) {
    throw fail(`maxResponseBytes must be a positive whole number of bytes (got ${String(maxResponseBytes)})`);
  }
  return { root, method, timeoutMs, retry, connections, maxResponseBytes, logger };
}

export function checkTimeout(value: number, name: string, endpoint: string): number {
  if (!Number.isFinite(value) || value <= 0 || value > 2_147_483_647) {
    throw new QkdConfigError(`${name} must be a positive number of milliseconds (got ${String(value)})`, { endpoint, saeIds: [] });
  }
  return value;
}
