// Coalescing: the engine asks many devices at once (every read of a cycle, the stages after a
// journal write, the confirms after a decision, every MKA read), and each request costs both
// sides more CPU than its body. The POSTs made to one agent within one turn of the event loop
// leave together as one POST /v1/batch (protocol/schemas.ts): every item is still an ordinary
// request of its endpoint with its own requestId, validated alone, answered on its own line as it
// finishes — a fast item does not wait for a slow one. A lost connection or a timeout retries the
// items not yet answered, with the same requestIds. An agent without /v1/batch (404) gets them
// one by one from then on.
import type { z } from 'zod';
import { BATCH_PATH, ENDPOINTS, MAX_BODY_BYTES, MAX_BATCH_ITEMS, type EndpointName, type RequestOf, type ResponseOf } from '../protocol/schemas.js';
import { AgentError } from './errors.js';
import { JSON_HEADERS, flatHeaders, noAnswer, parseAnswer, requestBody, requestOptions, send, withRetries, withinBudget, type Body, type Transport } from './request.js';

/** Sends one request of `name` (with a fresh requestId), alone or in a batch. */
export type Call = <E extends EndpointName>(name: E, body: Body<E>) => Promise<ResponseOf<E>>;

interface Item {
  name: EndpointName;
  body: RequestOf<EndpointName>;
  /** `{"endpoint":…,"body":…}`, serialized once for every attempt. */
  json: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Half the agent's body limit: a batch never comes near it. */
const MAX_BATCH_BYTES = MAX_BODY_BYTES / 2;

export function createCaller(t: Transport): Call {
  let queue: Item[] = [];
  let batches = true;
  const one = (item: Item) => {
    const endpoint = ENDPOINTS[item.name];
    send(t, endpoint.path, 'post', item.body, endpoint.response as z.ZodType).then(item.resolve, item.reject);
  };
  const flush = () => {
    const items = queue;
    queue = [];
    if (items.length === 1 || !batches) return items.forEach(one);
    for (const chunk of chunks(items)) {
      void sendBatch(t, chunk).then((unsupported) => {
        if (!unsupported) return;
        batches = false;
        t.logger.debug(`agent ${t.site} has no ${BATCH_PATH}: one request per call from now on`);
        unsupported.forEach(one);
      });
    }
  };
  return <E extends EndpointName>(name: E, body: Body<E>): Promise<ResponseOf<E>> => {
    let full: RequestOf<E>;
    try {
      full = requestBody(t, name, body);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<ResponseOf<E>>((resolve, reject) => {
      const item: Item = { name, body: full, json: `{"endpoint":"${name}","body":${JSON.stringify(full)}}`, resolve: resolve as (v: unknown) => void, reject };
      if (queue.push(item) === 1) setImmediate(flush);
    });
  };
}

/** Items in batches within the item and byte limits. */
function chunks(items: Item[]): Item[][] {
  const out: Item[][] = [];
  let current: Item[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item.json);
    if (current.length > 0 && (current.length >= MAX_BATCH_ITEMS || bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size + 1;
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * One batch until every item is settled; the items left unsent when the agent has no
 * /v1/batch (undefined otherwise).
 */
async function sendBatch(t: Transport, items: Item[]): Promise<Item[] | undefined> {
  const open = new Set(items);
  const pathOf = (item: Item) => ENDPOINTS[item.name].path;
  const settle = (item: Item, status: number, body: unknown) => {
    if (!open.delete(item)) return;
    try {
      item.resolve(parseAnswer(t, pathOf(item), status, body, ENDPOINTS[item.name].response as z.ZodType));
    } catch (e) {
      item.reject(e);
    }
  };
  try {
    return await withRetries(t, items.map(pathOf), () => attempt(t, [...open], open, settle));
  } catch (e) {
    for (const item of open) item.reject(e instanceof AgentError ? e.forPath(pathOf(item)) : noAnswer(t, pathOf(item), e));
    return undefined;
  }
}

/** One attempt at a batch of `sent`: each answer line settles its item as it arrives. */
async function attempt(t: Transport, sent: Item[], open: ReadonlySet<Item>, settle: (item: Item, status: number, body: unknown) => void): Promise<Item[] | undefined> {
  const payload = `{"items":[${sent.map((i) => i.json).join(',')}]}`;
  let status = 0;
  let headers: Record<string, string> = {};
  let text = '';
  try {
    return await withinBudget(t, async (signal) => {
      const r = await t.dispatcher.request(requestOptions(t, BATCH_PATH, 'post', payload, signal));
      status = r.statusCode;
      headers = flatHeaders(r.headers);
      if (status === 404) {
        await r.body.dump();
        return sent;
      }
      if (status !== 200) {
        text = await r.body.text();
        // Refused as a whole (not the coordinator, too large, not JSON): the agent's error, for every item.
        parseAnswer(t, BATCH_PATH, status, text, ENDPOINTS.endTx.response);
        throw new AgentError(t.site, BATCH_PATH, status, 'bad-response', `HTTP ${status} to a batch`);
      }
      r.body.setEncoding('utf8');
      let rest = '';
      for await (const chunk of r.body as AsyncIterable<string>) {
        text += chunk;
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) answerLine(t, line, sent, settle);
      }
      if (rest.trim()) answerLine(t, rest, sent, settle);
      const unanswered = sent.filter((i) => open.has(i)).length;
      if (unanswered) throw new AgentError(t.site, BATCH_PATH, 200, 'bad-response', `the batch's answer ended with ${unanswered} of its ${sent.length} items unanswered`);
      return undefined;
    });
  } finally {
    if (status !== 0) {
      t.record?.({ site: t.site, method: 'POST', path: BATCH_PATH, requestHeaders: { ...JSON_HEADERS }, request: payload, status, responseHeaders: headers, response: text });
    }
  }
}

function answerLine(t: Transport, line: string, sent: Item[], settle: (item: Item, status: number, body: unknown) => void): void {
  let answer: { i?: unknown; status?: unknown; body?: unknown };
  try {
    answer = JSON.parse(line) as typeof answer;
  } catch {
    throw new AgentError(t.site, BATCH_PATH, 200, 'bad-response', 'an answer line that is not JSON');
  }
  const item = typeof answer.i === 'number' ? sent[answer.i] : undefined;
  if (!item || typeof answer.status !== 'number') throw new AgentError(t.site, BATCH_PATH, 200, 'bad-response', `an answer line without a valid item index and status (${sent.length} items sent)`);
  settle(item, answer.status, answer.body);
}
