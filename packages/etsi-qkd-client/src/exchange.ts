// One HTTP exchange with the KME: the call's time budget and the caller's AbortSignal, ky with
// the retry policy over the mTLS Agent, the body read as JSON, and every failure mapped to a
// QkdError naming the endpoint and the SAE IDs.
import ky, { type KyResponse, type Options } from 'ky';
import type { Reply } from './answers.js';
import { QkdAbortError, QkdConnectionError, QkdError, QkdRequestError, QkdResponseError, QkdTimeoutError, type QkdErrorContext } from './errors.js';
import { httpError, isTransientNetworkFailure, networkError } from './failure.js';
import type { Logger } from './logger.js';
import { checkTimeout } from './options.js';
import type { Call } from './requests.js';
import { kyRetry, type QkdRetryOptions } from './retry.js';
import type { TlsSetup } from './tls.js';

export interface Transport {
  send(call: Call): Promise<Reply>;
  /** Closes the keep-alive connections; later calls are refused. */
  close(): Promise<void>;
}

interface Settings {
  tls: TlsSetup;
  logger: Logger;
  retry: QkdRetryOptions;
  /** The client's timeoutMs, for calls that do not set their own. */
  timeoutMs: number;
}

export function createTransport(settings: Settings): Transport {
  const { tls, logger } = settings;
  const isTransient = (error: Error) => isTransientNetworkFailure(error, tls);
  let closed = false;

  async function exchange(call: Call, started: number): Promise<Reply> {
    const { endpoint } = call;
    const context: QkdErrorContext = { endpoint, saeIds: call.saeIds, method: call.method };
    if (closed) throw new QkdRequestError(`client is closed; cannot call ${endpoint}`, context);
    const timeoutMs = callTimeout(call, settings.timeoutMs, context);
    const callerSignal = call.options?.signal;
    if (callerSignal?.aborted) throw new QkdAbortError(`call to ${endpoint} aborted before it was sent`, { ...context, cause: callerSignal.reason });
    const budget = callBudget(timeoutMs, callerSignal);
    let response: KyResponse | undefined;
    try {
      const options = kyOptions(call, budget.signal, settings.retry, isTransient, logger);
      // ky passes unknown options through to fetch; Node's fetch drives the undici 7 Agent
      // (keep-alive, mTLS). Set apart because Node's bundled undici types differ from undici 7's.
      Object.assign(options, { dispatcher: tls.agent });
      response = await ky(endpoint, options);
      const text = await response.text();
      const elapsedMs = performance.now() - started;
      logger.debug?.(`${call.method} ${endpoint} -> ${response.status} in ${elapsedMs.toFixed(1)} ms`);
      return { body: parseJson(text, response.status, context), status: response.status, endpoint, elapsedMs };
    } catch (error) {
      throw await failure(error, { call, context, timeoutMs, timedOut: budget.timedOut(), callerSignal, tls, status: response?.status });
    } finally {
      budget.dispose();
    }
  }

  return {
    async send(call) {
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
    },
    async close() {
      if (closed) return;
      closed = true;
      await tls.agent.close();
    },
  };
}

/** The call's own timeoutMs, else the client's; a bad one refuses the call. */
function callTimeout(call: Call, clientTimeoutMs: number, context: QkdErrorContext): number {
  try {
    return checkTimeout(call.options?.timeoutMs ?? clientTimeoutMs, 'timeoutMs', call.endpoint);
  } catch (error) {
    throw new QkdRequestError(`refused locally: ${(error as Error).message}`, context);
  }
}

/**
 * One controller per call, fed by a timer and by the caller's signal: cheaper than
 * AbortSignal.timeout + AbortSignal.any (which costs ~0.1 ms a call on Node 20).
 */
function callBudget(timeoutMs: number, callerSignal: AbortSignal | undefined): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}

function kyOptions(call: Call, signal: AbortSignal, retry: QkdRetryOptions, isTransient: (error: Error) => boolean, logger: Logger): Options {
  return {
    method: call.method,
    ...(call.searchParams ? { searchParams: call.searchParams } : {}),
    ...(call.json !== undefined ? { json: call.json } : {}),
    headers: { accept: 'application/json' },
    // ETSI 014 has no redirects; following one could send the call (and take keys) elsewhere.
    redirect: 'manual',
    signal,
    // The call's budget is enforced by `signal`, across retries and backoff, not per attempt.
    timeout: false,
    retry: kyRetry(retry, call.idempotent, isTransient),
    hooks: {
      beforeRetry: [({ error, retryCount }) => logger.debug?.(`retry ${retryCount} of ${call.method} ${call.endpoint} after ${error.name}`)],
    },
  };
}

function parseJson(text: string, status: number, context: QkdErrorContext): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // The raw text is not quoted: on a key call it could be key material.
    throw new QkdResponseError(`KME answer from ${context.endpoint} (${status}) is not JSON (${text.length} characters)`, { ...context, status });
  }
}

/** What went wrong, as the QkdError to throw. */
async function failure(
  error: unknown,
  at: { call: Call; context: QkdErrorContext; timeoutMs: number; timedOut: boolean; callerSignal: AbortSignal | undefined; tls: TlsSetup; status: number | undefined },
): Promise<QkdError> {
  const { call, context, callerSignal } = at;
  const { endpoint } = call;
  if (error instanceof QkdError) return error;
  if (at.timedOut && !callerSignal?.aborted) {
    return new QkdTimeoutError(`no complete answer from ${endpoint} within ${at.timeoutMs} ms${lostKeysNote(call)}`, { ...context, timeoutMs: at.timeoutMs });
  }
  if (callerSignal?.aborted) return new QkdAbortError(`call to ${endpoint} aborted by the caller${lostKeysNote(call)}`, { ...context, cause: callerSignal.reason });
  const mapped = (await httpError(error, context)) ?? networkError(error, context, at.tls, at.status);
  if (mapped instanceof QkdConnectionError && (MAYBE_SENT.has(mapped.code) || mapped.code.startsWith('HPE_'))) mapped.message += lostKeysNote(call);
  if (mapped) return mapped;
  // Unknown failure: its message only, no cause chain (which could hold raw response bytes).
  return new QkdError(`call to ${endpoint} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`, context);
}

/** Connection failures after which the request may have reached the KME. */
const MAYBE_SENT = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

/** An enc_keys call that failed after it was sent may have taken keys from the KME's pool. */
function lostKeysNote(call: Call): string {
  return call.operation === 'enc_keys' ? '; enc_keys is not retried: the KME may already have issued keys for this call, which are then lost' : '';
}
