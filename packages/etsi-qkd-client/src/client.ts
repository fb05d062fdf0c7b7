// createQkdClient: the three ETSI GS QKD 014 calls over one keep-alive mTLS Agent, every answer
// validated, every failure a QkdError naming endpoint and SAE IDs.
import ky, { type KyResponse, type Options } from 'ky';
import { QkdAbortError, QkdConfigError, QkdConnectionError, QkdError, QkdRequestError, QkdResponseError, QkdTimeoutError, type QkdErrorContext } from './errors.js';
import { httpError, isTransientNetworkFailure, networkError } from './failure.js';
import { decodeKey, type QkdKey } from './key.js';
import { defaultLogger, type Logger } from './logger.js';
import { kyRetry, resolveRetry, type QkdRetryOptions } from './retry.js';
import { keyContainerSchema, parseMessage, statusSchema, type KeyContainer, type KeyIds, type KeyRequest, type Status } from './schemas.js';
import { listProblems } from './problems.js';
import { buildTls, type QkdTlsOptions } from './tls.js';
import { endpointUrl, parseBaseUrl, type Operation } from './url.js';
import { decKeysProblems, encKeysProblems, keyIdsProblems, keyRequestProblems, type KeyRequestOptions } from './validate.js';

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

export interface QkdCallOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number;
}

export interface QkdGetKeyCallOptions extends QkdCallOptions {
  /** The slave's Status, to refuse out-of-range requests locally (else the last getStatus answer). */
  status?: Status;
}

export interface QkdKeyResult {
  keys: QkdKey[];
  keyContainerExtension?: Record<string, unknown>;
  /** The URL called (without query string). */
  endpoint: string;
  method: 'GET' | 'POST';
  /** Wall time of the call, retries included. */
  elapsedMs: number;
}

export interface QkdClient {
  /** GET /api/v1/keys/{slave}/status. Resolves to the Status with the spec's field names. */
  getStatus(slaveSaeId: string, options?: QkdCallOptions): Promise<Status>;
  /** enc_keys: new keys shared with `slaveSaeId` (and any additional slaves). Never retried. */
  getKey(slaveSaeId: string, request?: KeyRequestOptions, options?: QkdGetKeyCallOptions): Promise<QkdKeyResult>;
  /** dec_keys: the keys with these IDs, issued by `masterSaeId`. Safe to retry. */
  getKeyWithIds(masterSaeId: string, keyIds: string[], options?: QkdCallOptions): Promise<QkdKeyResult>;
  /** Closes the keep-alive connections. Later calls fail with QkdRequestError. */
  close(): Promise<void>;
}

interface Call {
  operation: Operation;
  /** endpointUrl(root, path SAE, operation), computed once by the caller. */
  endpoint: string;
  saeIds: string[];
  method: 'GET' | 'POST';
  searchParams?: Record<string, string>;
  json?: unknown;
  idempotent: boolean;
  options: QkdCallOptions | undefined;
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

export function createQkdClient(options: QkdClientOptions): QkdClient {
  if (typeof options !== 'object' || options === null) throw new QkdConfigError('createQkdClient needs an options object', { endpoint: '', saeIds: [] });
  const logger = options.logger ?? defaultLogger;
  const root = parseBaseUrl(options.baseUrl, options.allowPlainHttp === true);
  if (root.startsWith('http:')) logger.warn(`baseUrl ${root} is plain http: keys travel unencrypted. Local tests only.`);
  const method = options.method ?? 'auto';
  if (!['auto', 'get', 'post'].includes(method)) {
    throw new QkdConfigError(`method must be 'auto', 'get' or 'post' (got ${String(method)})`, { endpoint: root, saeIds: [] });
  }
  const defaultTimeout = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs', root);
  let retryPolicy: QkdRetryOptions;
  try {
    retryPolicy = resolveRetry(options.retry);
  } catch (error) {
    throw new QkdConfigError((error as Error).message, { endpoint: root, saeIds: [] });
  }
  if (options.connections !== undefined && !(Number.isSafeInteger(options.connections) && options.connections >= 1)) {
    throw new QkdConfigError(`connections must be a positive integer (got ${String(options.connections)})`, { endpoint: root, saeIds: [] });
  }
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!(Number.isSafeInteger(maxResponseBytes) && maxResponseBytes >= 1)) {
    throw new QkdConfigError(`maxResponseBytes must be a positive whole number of bytes (got ${String(maxResponseBytes)})`, { endpoint: root, saeIds: [] });
  }
  let tls: ReturnType<typeof buildTls>;
  try {
    tls = buildTls({ tls: options.tls, insecureSkipVerify: options.insecureSkipVerify === true, logger, connections: options.connections, maxResponseBytes });
  } catch (error) {
    // Say which KME the unusable TLS options were for.
    if (error instanceof QkdConfigError) throw new QkdConfigError(error.message, { endpoint: root, saeIds: [] });
    throw error;
  }
  const isTransient = (error: Error) => isTransientNetworkFailure(error, tls);
  const statusCache = new Map<string, Status>();
  let closed = false;

  type Reply = { body: unknown; status: number; endpoint: string; elapsedMs: number };

  async function send(call: Call): Promise<Reply> {
    const started = performance.now();
    try {
      return await exchange(call, started);
    } catch (error) {
      if (error instanceof QkdError && !(error instanceof QkdRequestError)) {
        const detail = [(error as { status?: number }).status, (error as { code?: string }).code].filter((x) => x !== undefined).join(' ');
        logger.debug?.(`${call.method} ${error.endpoint} failed in ${(performance.now() - started).toFixed(1)} ms: ${error.name}${detail ? ` ${detail}` : ''}`);
      }
      throw error;
    }
  }

  async function exchange(call: Call, started: number): Promise<Reply> {
    const { endpoint } = call;
    const context: QkdErrorContext = { endpoint, saeIds: call.saeIds, method: call.method };
    if (closed) throw new QkdRequestError(`client is closed; cannot call ${endpoint}`, context);
    let timeoutMs: number;
    try {
      timeoutMs = checkTimeout(call.options?.timeoutMs ?? defaultTimeout, 'timeoutMs', endpoint);
    } catch (error) {
      throw new QkdRequestError(`refused locally: ${(error as Error).message}`, context);
    }
    const callerSignal = call.options?.signal;
    if (callerSignal?.aborted) throw new QkdAbortError(`call to ${endpoint} aborted before it was sent`, { ...context, cause: callerSignal.reason });
    // One controller per call, fed by a timer and by the caller's signal: cheaper than
    // AbortSignal.timeout + AbortSignal.any (which costs ~0.1 ms a call on Node 20).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = controller.signal;

    let response: KyResponse | undefined;
    try {
      const kyOptions: Options = {
        method: call.method,
        ...(call.searchParams ? { searchParams: call.searchParams } : {}),
        ...(call.json !== undefined ? { json: call.json } : {}),
        headers: { accept: 'application/json' },
        // ETSI 014 has no redirects; following one could send the call (and take keys) elsewhere.
        redirect: 'manual',
        signal,
        // The call's budget is enforced by `signal`, across retries and backoff, not per attempt.
        timeout: false,
        retry: kyRetry(retryPolicy, call.idempotent, isTransient),
        hooks: {
          beforeRetry: [
            ({ error, retryCount }) => logger.debug?.(`retry ${retryCount} of ${call.method} ${endpoint} after ${error.name}`),
          ],
        },
      };
      // ky passes unknown options through to fetch; Node's fetch drives the undici 7 Agent
      // (keep-alive, mTLS). Set apart because Node's bundled undici types differ from undici 7's.
      Object.assign(kyOptions, { dispatcher: tls.agent });
      response = await ky(endpoint, kyOptions);
      const text = await response.text();
      const elapsedMs = performance.now() - started;
      logger.debug?.(`${call.method} ${endpoint} -> ${response.status} in ${elapsedMs.toFixed(1)} ms`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        // The raw text is not quoted: on a key call it could be key material.
        throw new QkdResponseError(`KME answer from ${endpoint} (${response.status}) is not JSON (${text.length} characters)`, { ...context, status: response.status });
      }
      return { body, status: response.status, endpoint, elapsedMs };
    } catch (error) {
      if (error instanceof QkdError) throw error;
      if (timedOut && !callerSignal?.aborted) {
        throw new QkdTimeoutError(`no complete answer from ${endpoint} within ${timeoutMs} ms${lostKeysNote(call)}`, { ...context, timeoutMs });
      }
      if (callerSignal?.aborted) throw new QkdAbortError(`call to ${endpoint} aborted by the caller${lostKeysNote(call)}`, { ...context, cause: callerSignal.reason });
      const mapped = (await httpError(error, context)) ?? networkError(error, context, tls, response?.status);
      if (mapped instanceof QkdConnectionError && (MAYBE_SENT.has(mapped.code) || mapped.code.startsWith('HPE_'))) mapped.message += lostKeysNote(call);
      if (mapped) throw mapped;
      // Unknown failure: its message only, no cause chain (which could hold raw response bytes).
      throw new QkdError(`call to ${endpoint} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`, context);
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  function parse<T>(schema: Parameters<typeof parseMessage<T>>[0], body: unknown, what: string, context: QkdErrorContext & { status: number }): T {
    try {
      return parseMessage(schema, body, what);
    } catch (error) {
      throw new QkdResponseError(`${(error as Error).message} (from ${context.endpoint})`, context);
    }
  }

  function refuse(problems: string[], context: QkdErrorContext): void {
    if (problems.length) throw new QkdRequestError(`refused locally, not sent to ${context.endpoint}: ${listProblems(problems)}`, context);
  }

  function keyResult(container: KeyContainer, reply: { endpoint: string; elapsedMs: number }, method: 'GET' | 'POST'): QkdKeyResult {
    return {
      keys: container.keys.map(decodeKey),
      ...(container.key_container_extension ? { keyContainerExtension: container.key_container_extension } : {}),
      endpoint: reply.endpoint,
      method,
      elapsedMs: reply.elapsedMs,
    };
  }

  return {
    async getStatus(slaveSaeId, callOptions) {
      const reply = await send({ operation: 'status', endpoint: endpointUrl(root, slaveSaeId, 'status'), saeIds: [slaveSaeId], method: 'GET', idempotent: true, options: callOptions });
      const context = { endpoint: reply.endpoint, saeIds: [slaveSaeId], method: 'GET', status: reply.status };
      const status = parse(statusSchema, reply.body, 'Status', context);
      if (status.slave_SAE_ID !== slaveSaeId) {
        throw new QkdResponseError(`Status from ${reply.endpoint} is for slave SAE ${status.slave_SAE_ID}, not the requested ${slaveSaeId}`, context);
      }
      if (status.min_key_size > status.max_key_size) {
        throw new QkdResponseError(`Status from ${reply.endpoint} has min_key_size ${status.min_key_size} > max_key_size ${status.max_key_size}`, context);
      }
      statusCache.set(slaveSaeId, status);
      return status;
    },

    async getKey(slaveSaeId, request = {}, callOptions) {
      if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        refuse(['the key request must be an object like { number, size }'], { endpoint: endpointUrl(root, slaveSaeId, 'enc_keys'), saeIds: [slaveSaeId] });
      }
      const extra = Array.isArray(request.additionalSlaveSaeIds) ? request.additionalSlaveSaeIds : [];
      const saeIds = [slaveSaeId, ...extra];
      const needsPost = extra.length > 0 || request.extensionMandatory !== undefined || request.extensionOptional !== undefined;
      const httpMethod = method === 'post' || (method === 'auto' && needsPost) ? 'POST' : 'GET';
      const endpoint = endpointUrl(root, slaveSaeId, 'enc_keys');
      const context = { endpoint, saeIds, method: httpMethod };
      const status = callOptions?.status ?? statusCache.get(slaveSaeId);
      refuse(keyRequestProblems(request, status), context);
      if (httpMethod === 'GET' && needsPost) {
        refuse(['method is "get" but additionalSlaveSaeIds and extensions can only be sent with POST'], context);
      }
      const number = request.number ?? 1;
      const body: KeyRequest = {
        ...(request.number !== undefined ? { number: request.number } : {}),
        ...(request.size !== undefined ? { size: request.size } : {}),
        ...(extra.length ? { additional_slave_SAE_IDs: extra } : {}),
        ...(request.extensionMandatory ? { extension_mandatory: request.extensionMandatory } : {}),
        ...(request.extensionOptional ? { extension_optional: request.extensionOptional } : {}),
      };
      const query: Record<string, string> = {};
      if (request.number !== undefined) query.number = String(request.number);
      if (request.size !== undefined) query.size = String(request.size);
      const reply = await send({
        operation: 'enc_keys',
        endpoint,
        saeIds,
        method: httpMethod,
        ...(httpMethod === 'POST' ? { json: body } : { searchParams: query }),
        idempotent: false,
        options: callOptions,
      });
      const replyContext = { ...context, status: reply.status };
      const container = parse(keyContainerSchema, reply.body, 'Key container', replyContext);
      const problems = encKeysProblems(container, { number, bits: request.size ?? status?.key_size });
      if (problems.length) throw new QkdResponseError(`enc_keys answer from ${reply.endpoint} does not match the request: ${listProblems(problems)}`, replyContext);
      return keyResult(container, reply, httpMethod);
    },

    async getKeyWithIds(masterSaeId, keyIds, callOptions) {
      const httpMethod = method === 'post' || (method === 'auto' && Array.isArray(keyIds) && keyIds.length !== 1) ? 'POST' : 'GET';
      const endpoint = endpointUrl(root, masterSaeId, 'dec_keys');
      const context = { endpoint, saeIds: [masterSaeId], method: httpMethod };
      refuse(keyIdsProblems(keyIds), context);
      if (httpMethod === 'GET' && keyIds.length !== 1) refuse(['method is "get" but the GET form of dec_keys carries exactly one key_ID'], context);
      const body: KeyIds = { key_IDs: keyIds.map((keyId) => ({ key_ID: keyId })) };
      const reply = await send({
        operation: 'dec_keys',
        endpoint,
        saeIds: [masterSaeId],
        method: httpMethod,
        ...(httpMethod === 'POST' ? { json: body } : { searchParams: { key_ID: keyIds[0]! } }),
        idempotent: true,
        options: callOptions,
      });
      const replyContext = { ...context, status: reply.status };
      const container = parse(keyContainerSchema, reply.body, 'Key container', replyContext);
      const problems = decKeysProblems(container, keyIds);
      if (problems.length) throw new QkdResponseError(`dec_keys answer from ${reply.endpoint} does not match the request: ${listProblems(problems)}`, replyContext);
      return keyResult(container, reply, httpMethod);
    },

    async close() {
      if (closed) return;
      closed = true;
      await tls.agent.close();
    },
  };
}

/** Connection failures after which the request may have reached the KME. */
const MAYBE_SENT = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

/** An enc_keys call that failed after it was sent may have taken keys from the KME's pool. */
function lostKeysNote(call: Call): string {
  return call.operation === 'enc_keys' ? '; enc_keys is not retried: the KME may already have issued keys for this call, which are then lost' : '';
}

function checkTimeout(value: number, name: string, endpoint: string): number {
  if (!Number.isFinite(value) || value <= 0 || value > 2_147_483_647) {
    throw new QkdConfigError(`${name} must be a positive number of milliseconds (got ${String(value)})`, { endpoint, saeIds: [] });
  }
  return value;
}
