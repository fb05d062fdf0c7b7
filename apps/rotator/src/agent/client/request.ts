// One request to an agent: JSON body validated against the endpoint's schema before it leaves,
// answer validated after; connection failures and timeouts retried with the SAME requestId (the
// agent answers a repeat with the first answer), with the retry/timeout option names of
// etsi-qkd-client. undici's request() on the site's dispatcher: no WHATWG Request, Headers or
// streams per call (fetch, and ky over it, cost more CPU than the rest of the exchange).
import { randomUUID } from 'node:crypto';
import { DEFAULT_RETRY, type QkdRetryOptions } from '@qkd-macsec/etsi-qkd-client';
import type { Agent, Dispatcher } from 'undici';
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

export const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };
const GET_HEADERS = { accept: 'application/json' };

/** The full body of `name` with a fresh requestId, checked against its schema (refused locally when it does not fit). */
export function requestBody<E extends EndpointName>(t: Pick<Transport, 'site'>, name: E, body: Body<E>): RequestOf<E> {
  const endpoint = ENDPOINTS[name];
  const checked = endpoint.request.safeParse({ requestId: randomUUID(), ...body });
  if (!checked.success) throw new AgentError(t.site, endpoint.path, 0, 'bad-request', `refused locally: ${issues(checked.error)}`);
  return checked.data as RequestOf<E>;
}

export async function post<E extends EndpointName>(t: Transport, name: E, body: Body<E>): Promise<ResponseOf<E>> {
  const endpoint = ENDPOINTS[name];
  return send(t, endpoint.path, 'post', requestBody(t, name, body), endpoint.response as unknown as z.ZodType<ResponseOf<E>>);
}

/** The answer as it came: status, headers, body text. */
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export async function send<T>(t: Transport, path: string, method: 'get' | 'post', json: unknown, schema: z.ZodType<T>, searchParams?: URLSearchParams): Promise<T> {
  const payload = json === undefined ? undefined : JSON.stringify(json);
  const query = searchParams?.toString();
  let answer: RawAnswer;
  try {
    answer = await withRetries(t, path, () => exchange(t, `${path}${query ? `?${query}` : ''}`, method, payload));
  } catch (e) {
    throw e instanceof AgentError ? e : noAnswer(t, path, e);
  }
  t.record?.({
    site: t.site,
    method: method === 'get' ? 'GET' : 'POST',
    path,
    requestHeaders: payload === undefined ? { ...GET_HEADERS } : { ...JSON_HEADERS },
    ...(payload !== undefined ? { request: payload } : {}),
    status: answer.status,
    responseHeaders: answer.headers,
    response: answer.text,
  });
  return parseAnswer(t, path, answer.status, answer.text, schema);
}

/** The agent's answer to one request as T, or the AgentError it amounts to. */
export function parseAnswer<T>(t: Pick<Transport, 'site'>, path: string, status: number, text: string | unknown, schema: z.ZodType<T>): T {
  let body: unknown = text;
  if (typeof text === 'string') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new AgentError(t.site, path, status, 'bad-response', `HTTP ${status} with a body that is not JSON`);
    }
  }
  if (status < 200 || status >= 300) {
    const err = errorBodySchema.safeParse(body);
    if (!err.success) throw new AgentError(t.site, path, status, 'bad-response', `HTTP ${status} without an error body`);
    throw new AgentError(t.site, path, status, err.data.error.code, err.data.error.message, err.data);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AgentError(t.site, path, status, 'bad-response', `the answer does not fit the protocol: ${issues(parsed.error)}`);
  return parsed.data;
}

/** One attempt: the answer, whatever its status; throws only when no answer came (lost connection, timeout). */
function exchange(t: Transport, pathAndQuery: string, method: 'get' | 'post', payload: string | undefined): Promise<RawAnswer> {
  return withinBudget(t, async (signal) => {
    const r = await t.dispatcher.request(requestOptions(t, pathAndQuery, method, payload, signal));
    return { status: r.statusCode, headers: flatHeaders(r.headers), text: await r.body.text() };
  });
}

/** undici's options for one attempt at `pathAndQuery` of the agent. */
export function requestOptions(t: Transport, pathAndQuery: string, method: 'get' | 'post', payload: string | undefined, signal: AbortSignal): Dispatcher.RequestOptions {
  return {
    origin: originOf(t.url),
    path: `${basePathOf(t.url)}${pathAndQuery}`,
    method: method === 'get' ? 'GET' : 'POST',
    headers: payload === undefined ? GET_HEADERS : JSON_HEADERS,
    ...(payload !== undefined ? { body: payload } : {}),
    signal,
  };
}

/** `fn` with one attempt's budget, connect to last byte (undici's own timeouts cover one phase each). */
export async function withinBudget<T>(t: Transport, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new AttemptTimeout(t.timeoutMs)), t.timeoutMs);
  try {
    return await fn(abort.signal);
  } catch (e) {
    throw abort.signal.aborted ? abort.signal.reason : e;
  } finally {
    clearTimeout(timer);
  }
}

/** An attempt that got no answer within its budget. */
class AttemptTimeout extends Error {
  override name = 'TimeoutError';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * `attempt` until it returns, retrying a lost connection or a timeout (never an answer: the agent
 * decided) up to retry.limit times with exponential backoff and equal jitter. `paths`: what the
 * attempt asks for (one path; a batch's items' paths), as the retry is logged and the error named.
 */
export async function withRetries<T>(t: Transport, paths: string | readonly string[], attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (e instanceof AgentError) throw e;
      if (n >= t.retry.limit) throw e;
      const delay = Math.min(t.retry.baseDelayMs * 2 ** n, t.retry.maxDelayMs);
      const list = typeof paths === 'string' ? [paths] : [...new Set(paths)];
      const batch = typeof paths === 'string' ? '' : ` (in a batch of ${paths.length})`;
      for (const path of list) t.logger.debug(`agent ${t.site} ${path}: retry ${n + 1} after ${(e as Error).name}${batch}`);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
    }
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** The AgentError for an exchange that got no answer. */
export function noAnswer(t: Transport, path: string, e: unknown): AgentError {
  const err = e as { code?: string; message?: string; name?: string };
  const timeout = (err.code !== undefined && TIMEOUT_CODES.has(err.code)) || err.name === 'TimeoutError';
  const why = timeout ? `no answer within ${t.timeoutMs} ms` : `cannot reach ${t.url}: ${err.code ?? err.message ?? String(e)}`;
  return new AgentError(t.site, path, 0, timeout ? 'timeout' : 'unreachable', `${why} (after ${t.retry.limit} retries)`, undefined, { cause: e });
}

const origins = new Map<string, { origin: string; base: string }>();
function split(url: string) {
  let s = origins.get(url);
  if (!s) {
    const u = new URL(url);
    origins.set(url, (s = { origin: u.origin, base: u.pathname.replace(/\/+$/, '') }));
  }
  return s;
}
const originOf = (url: string) => split(url).origin;
const basePathOf = (url: string) => split(url).base;

export function flatHeaders(h: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function issues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .slice(0, 5)
    .join('; ');
}

export function resolveRetry(retry: Partial<AgentRetryOptions> | false | undefined): AgentRetryOptions {
  return retry === false ? { ...DEFAULT_RETRY, limit: 0 } : { ...DEFAULT_RETRY, ...retry };
}
