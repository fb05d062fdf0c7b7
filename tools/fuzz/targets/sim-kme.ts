// sim-kme over the wire: real mutual-TLS connections to an in-process simulator, carrying ETSI 014
// requests with mutated methods, paths, headers and bodies, and some with broken HTTP framing.
// Every request must get a prompt answer; every error answer must be an ETSI Error body
// ({"message": ...}); a 2xx must be a valid Status or Key container; 500s are findings, and a
// valid status request must still succeed every so often (the server is alive).
import { etsiErrorSchema, keyContainerSchema, parseMessage, statusSchema } from '@qkd-macsec/etsi-qkd-client/schemas';
import { createQkdClient } from '@qkd-macsec/etsi-qkd-client';
import { startSimKme } from '@qkd-macsec/sim-kme';
import { mutateJson, type Json } from '../json-mutate.js';
import { mutate } from '../mutate.js';
import { createRawHttp, type RawOutcome } from '../raw-http.js';
import type { Rng } from '../rng.js';
import { UUIDS, etsiSamples } from '../samples.js';
import type { Problem, Target, TargetRun } from '../types.js';

const LANES = 6;
/** The simulator's HTTP timeouts for this run: an incomplete request is answered 408 after them. */
const HTTP_TIMEOUTS = { headersTimeoutMs: 2000, requestTimeoutMs: 3000 };
/**
 * Every request must be answered within this, partial ones included (the simulator's request
 * timeout is set to 3 s below). Shorter than the harness's hang timeout, so a lane is never
 * abandoned while busy.
 */
const ANSWER_MS = 8000;
const PATH_TOKENS = ['%', '%00', '%zz', '%2F', '%25', '..', '/', '//', '?', '#', '&', '=', ';', ' ', '\t', 'ä', '\u0000', '\r\n', 'SAE_A', 'SAE_B', 'SAE_X', '__proto__', 'constructor', 'status', 'enc_keys', 'dec_keys', 'number=', 'size=', 'key_ID=', '-1', '0', '99999999999999999999', 'x'.repeat(300)];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'G\u0000T', 'XYZ'];
const HEADERS = [
  'Content-Type: application/json', 'Content-Type: text/plain', 'Content-Type: application/json; charset=utf-16', 'Accept: */*',
  'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip', 'Content-Encoding: gzip', 'Expect: 100-continue', 'Connection: close',
  'Connection: keep-alive, Upgrade', 'Upgrade: websocket', 'Content-Length: abc', 'Content-Length: -1', 'Content-Length: 99999999999',
  'Content-Length: 1, 2', 'X-Nul: a\u0000b', 'X-Ctl: a\u0001b', 'X-Big: ' + 'a'.repeat(20_000), 'Host:', 'Host: a b', ' Folded: x',
  'NoColon', ': empty', 'X-Utf8: ä😀', '__proto__: x', 'Cookie: ' + 'c=1; '.repeat(500),
];

interface Input {
  bytes: Buffer;
  head: boolean;
  /** Mutated below the HTTP framing: use a fresh connection. */
  raw: boolean;
  caller: 'SAE_A' | 'SAE_B';
  /** Set by execute: the server answered 408, its own timeout for an incomplete request. */
  timedOut?: boolean;
}

function request(method: string, path: string, headers: string[], body: string): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function generate(rng: Rng): Input {
  const samples = etsiSamples();
  const keyRequest = samples.find((s) => s.schema === 'keyRequest')!.value as Json;
  const keyIds = samples.find((s) => s.schema === 'keyIds')!.value as Json;
  const caller = rng.chance(0.85) ? 'SAE_A' : 'SAE_B';
  const templates: Array<[string, string, Json | undefined]> = [
    ['GET', '/api/v1/keys/SAE_B/status', undefined],
    ['GET', '/api/v1/keys/SAE_B/enc_keys?number=1&size=256', undefined],
    ['POST', '/api/v1/keys/SAE_B/enc_keys', keyRequest],
    ['POST', '/api/v1/keys/SAE_B/enc_keys', { number: 1, size: 128 }],
    ['GET', `/api/v1/keys/SAE_B/dec_keys?key_ID=${UUIDS[0]}`, undefined],
    ['POST', '/api/v1/keys/SAE_B/dec_keys', keyIds],
    ['POST', '/sim/v1/relay', { from: 'KME_B', to: 'KME_A', keys: [] }],
  ];
  let [method, path, body] = rng.pick(templates);
  let headers = body === undefined ? [] : ['Content-Type: application/json'];
  if (rng.chance(0.3)) path = mutate(rng, path, { tokens: PATH_TOKENS, maxEdits: 3 });
  if (rng.chance(0.15)) method = rng.pick(METHODS);
  if (rng.chance(0.2)) headers = [...headers, ...Array.from({ length: 1 + rng.size(3) }, () => rng.pick(HEADERS))];
  let text = body === undefined ? '' : JSON.stringify(body);
  if (body !== undefined && rng.chance(0.6)) text = rng.chance(0.8) ? JSON.stringify(mutateJson(rng, body)) : mutate(rng, text, { tokens: ['{', '}', '"', ',', ':', '[', '\\', '\u0000', 'null'], maxEdits: 3 });
  let bytes = Buffer.from(request(method, path, headers, text), 'utf8');
  let raw = /Content-Length:|Transfer-Encoding|Expect|Connection: close|X-Nul|X-Ctl|NoColon|Folded|Upgrade/.test(headers.join('\n')) || /[\s\u0000]/.test(path);
  if (rng.chance(0.12)) {
    // Below the framing: cut, splice or corrupt the request bytes (a cut body is a partial request).
    const s = mutate(rng, bytes.toString('latin1'), { tokens: ['\r\n', '\r\n\r\n', ' ', ':', '\u0000', 'HTTP/1.1', 'HTTP/2.0', 'Content-Length: 5\r\n', '0\r\n\r\n'], maxEdits: 3 });
    bytes = Buffer.from(s, 'latin1');
    raw = true;
  }
  return { bytes, head: /^HEAD /i.test(bytes.toString('latin1', 0, 5)), raw, caller };
}

/** What is wrong with the server's answer, if anything. */
function judge(outcome: RawOutcome, head: boolean, method: string): Problem[] {
  if (outcome.kind === 'timeout') return [{ kind: 'hang', summary: `no answer within ${ANSWER_MS} ms (connection still open)`, detail: `${outcome.received} bytes received` }];
  if (outcome.kind === 'closed') return [{ kind: 'wrong-result', summary: `connection closed without an answer to a ${method} request`, detail: `${outcome.received} bytes received` }];
  const { status, body } = outcome.response;
  if (!(status >= 200 && status <= 599)) return [{ kind: 'wrong-result', summary: 'answer is not an HTTP/1.1 response', detail: body.toString('latin1', 0, 80) }];
  if (status >= 500 && status !== 503) return [{ kind: 'wrong-result', summary: `status ${status}`, detail: body.toString('utf8', 0, 200) }];
  if (head || status === 204) return [];
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    if (status === 401 && body.length === 0) return []; // ETSI: a 401 may have no body
    return [{ kind: 'wrong-result', summary: `status ${status} without a JSON body`, detail: JSON.stringify(body.toString('utf8', 0, 120)) }];
  }
  try {
    if (status >= 400) parseMessage(etsiErrorSchema, json, 'Error');
    else if (!statusSchema.safeParse(json).success) parseMessage(keyContainerSchema, json, 'Key container');
  } catch (err) {
    return [{ kind: 'wrong-result', summary: `status ${status} with a body that is not an ETSI ${status >= 400 ? 'Error' : 'Status or Key container'}`, detail: (err as Error).message.slice(0, 200) }];
  }
  return [];
}

export const simKmeTarget: Target = {
  name: 'sim-kme',
  description: 'sim-kme over real mTLS: mutated ETSI 014 requests (method, path, headers, body, HTTP framing)',
  weight: 2,
  wire: true,
  async start(): Promise<TargetRun<Input>> {
    const sim = await startSimKme({ defaults: { maxKeyCount: 10_000_000, keyRateBps: 1e12 }, http: HTTP_TIMEOUTS });
    const pki = sim.pki!;
    const kme = sim.kmes.KME_A!;
    const lanes = (sae: 'SAE_A' | 'SAE_B') =>
      Array.from({ length: LANES }, () => createRawHttp({ host: '127.0.0.1', port: kme.port, tls: { cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem } }));
    const pool = { SAE_A: lanes('SAE_A'), SAE_B: lanes('SAE_B') };
    const free = { SAE_A: [...pool.SAE_A], SAE_B: [...pool.SAE_B] };
    const client = createQkdClient({ baseUrl: kme.url, tls: { cert: pki.saes.SAE_A!.certPem, key: pki.saes.SAE_A!.keyPem, ca: pki.ca.certPem }, retry: false });
    return {
      concurrency: LANES,
      generate,
      async execute(input) {
        const lane = free[input.caller].pop() ?? pool[input.caller][0]!;
        try {
          const t0 = performance.now();
          const outcome = await lane.send(input.bytes, ANSWER_MS, { head: input.head, fresh: input.raw });
          const ms = performance.now() - t0;
          input.timedOut = outcome.kind === 'response' && outcome.response.status === 408;
          const problems = judge(outcome, input.head, /^[^ \r\n]{0,16}/.exec(input.bytes.toString('latin1', 0, 16))![0]);
          if (input.timedOut && ms > HTTP_TIMEOUTS.requestTimeoutMs + 1000)
            problems.push({ kind: 'slow', summary: `408 came ${Math.round(ms)} ms after the request, the request timeout is ${HTTP_TIMEOUTS.requestTimeoutMs} ms` });
          return problems;
        } catch (err) {
          return [{ kind: 'server-dead', summary: 'cannot connect', detail: (err as Error).message }];
        } finally {
          if (input.raw) lane.close();
          free[input.caller].push(lane);
        }
      },
      show: (i) => `as ${i.caller}${i.raw ? ', new connection' : ''}: ${JSON.stringify(i.bytes.toString('latin1'))}`,
      // Nothing is thrown by design: the server's answers are judged instead.
      isOwnError: () => false,
      slowAllowed: (input) => input.timedOut === true,
      async liveness() {
        try {
          await client.getStatus('SAE_B', { timeoutMs: 5000 });
          return undefined;
        } catch (err) {
          return `a valid status request failed: ${(err as Error).message.slice(0, 200)}`;
        }
      },
      async close() {
        for (const l of [...pool.SAE_A, ...pool.SAE_B]) l.close();
        await client.close();
        await sim.close();
      },
    };
  },
};
