// One POST to an agent: JSON body validated against the endpoint's schema before it leaves,
// answer validated after; connection failures and timeouts retried with the SAME requestId (the
// agent answers a repeat with the first answer), with ky's retry and the retry/timeout option
// names of etsi-qkd-client.
import { randomUUID } from 'node:crypto';
import { DEFAULT_RETRY, type QkdRetryOptions } from '@qkd-macsec/etsi-qkd-client';
import ky, { isHTTPError, type Options } from 'ky';
import type { Agent } from 'undici';
import type { z } from 'zod';
import { ENDPOINTS, errorBodySchema, type EndpointName, type RequestOf, type ResponseOf } from '../protocol/schemas.js';
import { AgentError } from './errors.js';

export type AgentRetryOptions = QkdRetryOptions;

export interface Transport {
  site: string;
  url: string;
  dispatcher: Agent;
  /** One attempt's budget (default 30 000 ms: a commit on a big box takes a while). */
  timeoutMs: number;
  retry: AgentRetryOptions;
  logger: { debug(...args: unknown[]): unknown };
  record?: RecordExchange;
}

/** One coordinator↔agent exchange as it crossed the wire (for leak tests and audits). */
export interface AgentExchange {
  site: string;
  method: 'GET' | 'POST';
  path: string;
  requestHeaders: Record<string, string>;
  request?: string;
  status: number;
  responseHeaders: Record<string, string>;
  response: string;
}
export type RecordExchange = (exchange: AgentExchange) => void;

/** Body without requestId: a fresh one is made per call, and kept across its retries. */
export type Body<E extends EndpointName> = Omit<RequestOf<E>, 'requestId'>;

export async function post<E extends EndpointName>(t: Transport, name: E, body: Body<E>): Promise<ResponseOf<E>> {
  const endpoint = ENDPOINTS[name];
  const full = { requestId: randomUUID(), ...body };
  const checked = endpoint.request.safeParse(full);
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).slice(0, 5);
    throw new AgentError(t.site, endpoint.path, 0, 'bad-request', `refused locally: ${problems.join('; ')}`);
  }
  return send(t, endpoint.path, 'post', checked.data, endpoint.response as unknown as z.ZodType<ResponseOf<E>>);
}

export async function send<T>(t: Transport, path: string, method: 'get' | 'post', json: unknown, schema: z.ZodType<T>, searchParams?: URLSearchParams): Promise<T> {
  const options: Options = {
    method,
    ...(json !== undefined ? { json } : {}),
    ...(searchParams ? { searchParams } : {}),
    headers: { accept: 'application/json' },
    redirect: 'manual',
    timeout: t.timeoutMs,
    throwHttpErrors: false,
    retry: {
      limit: t.retry.limit,
      methods: ['get', 'post'],
      statusCodes: [],
      retryOnTimeout: true,
      delay: (attempt) => t.retry.baseDelayMs * 2 ** (attempt - 1),
      jitter: (delay) => delay / 2 + Math.random() * (delay / 2),
      backoffLimit: t.retry.maxDelayMs,
      // An answer is never retried (the agent decided); a lost connection or a timeout is.
      shouldRetry: ({ error }) => !isHTTPError(error),
    },
    hooks: { beforeRetry: [({ error, retryCount }) => void t.logger.debug(`agent ${t.site} ${path}: retry ${retryCount} after ${error.name}`)] },
  };
  Object.assign(options, { dispatcher: t.dispatcher });
  let status: number;
  let text: string;
  try {
    const response = await ky(`${t.url}${path}`, options);
    status = response.status;
    text = await response.text();
    t.record?.({
      site: t.site,
      method: method === 'get' ? 'GET' : 'POST',
      path,
      requestHeaders: { accept: 'application/json', ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(json !== undefined ? { request: JSON.stringify(json) } : {}),
      status,
      responseHeaders: Object.fromEntries(response.headers),
      response: text,
    });
  } catch (e) {
    const timeout = (e as Error).name === 'TimeoutError';
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = timeout ? `no answer within ${t.timeoutMs} ms` : `cannot reach ${t.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`;
    throw new AgentError(t.site, path, 0, timeout ? 'timeout' : 'unreachable', `${why} (after ${t.retry.limit} retries)`, undefined, { cause: e });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AgentError(t.site, path, status, 'bad-response', `HTTP ${status} with a body that is not JSON`);
  }
  if (status < 200 || status >= 300) {
    const err = errorBodySchema.safeParse(body);
    if (!err.success) throw new AgentError(t.site, path, status, 'bad-response', `HTTP ${status} without an error body`);
    throw new AgentError(t.site, path, status, err.data.error.code, err.data.error.message, err.data);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).slice(0, 5);
    throw new AgentError(t.site, path, status, 'bad-response', `the answer does not fit the protocol: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export function resolveRetry(retry: Partial<AgentRetryOptions> | false | undefined): AgentRetryOptions {
  return retry === false ? { ...DEFAULT_RETRY, limit: 0 } : { ...DEFAULT_RETRY, ...retry };
}
