// etsi-qkd-client against a hostile KME: a real mutual-TLS server on loopback answers each call
// with a mutated response — status, headers, body (including huge Key containers), cut bodies,
// dropped connections, stalls past the call's timeout. The client must fail with a QkdError (with
// a message of sane length), in time, or return exactly what was asked for.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { QkdError, createQkdClient, type QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { createSimPki } from '@qkd-macsec/sim-kme';
import { mutateJson, type Json } from '../json-mutate.js';
import { mutate } from '../mutate.js';
import type { Rng } from '../rng.js';
import { UUIDS, etsiSamples } from '../samples.js';
import type { Problem, Target, TargetRun } from '../types.js';

/** Calls in flight: many inputs wait out the client's timeout, so overlap them. */
const LANES = 8;
/** The client's timeout: a stalled answer must end in a QkdTimeoutError well under the slow limit. */
const CALL_TIMEOUT_MS = 400;
const STATUSES = [200, 200, 200, 200, 400, 401, 404, 409, 500, 502, 503, 504, 204, 301, 418, 299, 600];

interface Input {
  call: 'getStatus' | 'getKey' | 'getKeyWithIds';
  number: number;
  size: number;
  status: number;
  contentType: string;
  body: string;
  /** How the answer is delivered. */
  delivery: 'whole' | 'cut' | 'drop' | 'stall' | 'wrong-length';
}

function validBody(call: Input['call'], number: number, size: number): Json {
  const status = etsiSamples().find((s) => s.schema === 'status')!.value as Json;
  if (call === 'getStatus') return status;
  const ids = call === 'getKeyWithIds' ? UUIDS.slice(0, number) : Array.from({ length: number }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  return { keys: ids.map((key_ID) => ({ key_ID, key: Buffer.alloc(size / 8, 0x5a).toString('base64') })) };
}

function generate(rng: Rng): Input {
  const call = rng.pick(['getStatus', 'getKey', 'getKeyWithIds'] as const);
  const number = call === 'getKeyWithIds' ? 1 + rng.int(UUIDS.length) : 1 + rng.size(4);
  const size = rng.pick([128, 256]);
  const status = rng.chance(0.7) ? 200 : rng.pick(STATUSES);
  let body = JSON.stringify(status >= 400 ? { message: 'refused', details: [{ a: 1 }] } : validBody(call, number, size));
  if (rng.chance(0.85)) {
    body = rng.chance(0.8) ? JSON.stringify(mutateJson(rng, JSON.parse(body) as Json)) : mutate(rng, body, { tokens: ['{', '}', '"', ',', '[', ']', '\u0000', 'null', '"keys":[]'], maxEdits: 3 });
  }
  if (rng.chance(0.003)) {
    // The shape of the 14 MB Key container: tens of thousands of invalid keys.
    const n = rng.range(20_000, 100_000);
    body = JSON.stringify({ keys: Array.from({ length: n }, (_, i) => ({ key_ID: `bad-${i}`, key: '!' })) });
  }
  const contentType = rng.chance(0.9) ? 'application/json' : rng.pick(['text/html', 'application/json; charset=latin1', '', 'application/problem+json']);
  const delivery = rng.chance(0.9) ? 'whole' : rng.pick(['cut', 'drop', 'stall', 'wrong-length'] as const);
  return { call, number, size, status, contentType, body, delivery };
}

function respond(input: Input, res: import('node:http').ServerResponse): void {
  const body = Buffer.from(input.body, 'utf8');
  switch (input.delivery) {
    case 'drop':
      return void res.socket?.destroy();
    case 'stall':
      return; // never answered; the server closes it at the end
    case 'cut':
      res.writeHead(input.status, { 'content-type': input.contentType, 'content-length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      return void setTimeout(() => res.socket?.destroy(), 5).unref();
    case 'wrong-length':
      res.writeHead(input.status, { 'content-type': input.contentType, 'content-length': body.length + 10 });
      res.end(body);
      return void setTimeout(() => res.socket?.destroy(), 5).unref();
    default:
      res.writeHead(input.status, { 'content-type': input.contentType, 'content-length': body.length });
      res.end(body);
  }
}

export const qkdClientTarget: Target = {
  name: 'qkd-client',
  description: 'etsi-qkd-client getStatus / getKey / getKeyWithIds against a hostile KME over real mTLS',
  weight: 2,
  wire: true,
  async start(): Promise<TargetRun<Input>> {
    const pki = await createSimPki({ kmeIds: ['KME_A'], saeIds: ['SAE_A'] });
    // Each call names its input in the slave SAE ID of its path, so concurrent calls get their own answers.
    const pending = new Map<string, Input>();
    const server: Server = createServer({ cert: pki.kmes.KME_A!.certPem, key: pki.kmes.KME_A!.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      req.resume();
      const sae = /^\/api\/v1\/keys\/([^/]+)\//.exec(req.url ?? '')?.[1];
      const input = sae ? pending.get(sae) : undefined;
      if (!input) return void res.writeHead(404).end();
      req.on('end', () => respond(input, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients: QkdClient[] = Array.from({ length: LANES }, () =>
      createQkdClient({ baseUrl: url, tls: { cert: pki.saes.SAE_A!.certPem, key: pki.saes.SAE_A!.keyPem, ca: pki.ca.certPem }, retry: false, timeoutMs: CALL_TIMEOUT_MS, logger: { warn() {} } }),
    );
    let seq = 0;
    return {
      concurrency: LANES,
      generate,
      async execute(input): Promise<Problem[]> {
        const sae = `SAE_${++seq}`;
        pending.set(sae, input);
        const client = clients[seq % LANES]!;
        try {
          if (input.call === 'getStatus') {
            await client.getStatus(sae);
            return [];
          }
          const result =
            input.call === 'getKey'
              ? await client.getKey(sae, { number: input.number, size: input.size })
              : await client.getKeyWithIds(sae, UUIDS.slice(0, input.number));
          const wrong = result.keys.length !== input.number || result.keys.some((k) => k.bytes.length * 8 !== (input.call === 'getKey' ? input.size : result.keys[0]!.bytes.length * 8));
          for (const k of result.keys) k.wipe();
          return wrong ? [{ kind: 'wrong-result', summary: `${input.call} returned keys that do not match the request` }] : [];
        } finally {
          pending.delete(sae);
        }
      },
      show: (i) => `${i.call}(number ${i.number}, size ${i.size}) answered ${i.status} ${i.delivery} ${i.contentType}: ${i.body.length > 3000 ? `${i.body.slice(0, 3000)}… (${i.body.length} characters)` : i.body}`,
      isOwnError: (err) => err instanceof QkdError,
      async close() {
        await Promise.all(clients.map((c) => c.close()));
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  },
};
