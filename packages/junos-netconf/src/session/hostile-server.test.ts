/**
 * Fuzz the whole client stack over real SSH: the server answers with random bytes, random
 * fragments of NETCONF and random splits. Every RPC must settle (resolve or reject with one of
 * the package's errors) — never crash, never hang — and the client must stay bounded.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNetconf } from '../netconf/client.js';
import { BASE_1_0, BASE_1_1 } from '../framing/hello.js';
import { DEFAULT_USER, startTestServer, type TestServer } from '../test-support/netconf-server.js';

const KNOWN = new Set(['FramingError', 'XmlError', 'ConnectionClosedError', 'NetconfTimeoutError', 'RpcFailedError']);
let replies: string[] = [];
let eom: TestServer;
let chunked: TestServer;

beforeAll(async () => {
  const handler = () => ({ raw: replies.shift() ?? '' });
  eom = await startTestServer({ capabilities: [BASE_1_0], handler });
  chunked = await startTestServer({ capabilities: [BASE_1_0, BASE_1_1], handler });
});
afterAll(async () => {
  await eom.close();
  await chunked.close();
});

const fragment = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('<rpc-reply message-id="101">', '</rpc-reply>', '<ok/>', '<rpc-error><error-severity>error</error-severity></rpc-error>', ']]>]]>', '\n#5\n', '\n##\n', '\n#0\n', '<!DOCTYPE x>', '&lol;', '<data>', '</data>'),
);

describe('client against a hostile server', () => {
  for (const [name, server] of [['eom', () => eom], ['chunked', () => chunked]] as const) {
    it(`${name}: random replies always settle with a known error or a response`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fragment, { maxLength: 12 }).map((a) => a.join('')), async (garbage) => {
          const s = server();
          const client = await connectNetconf({ host: s.host, port: s.port, ...DEFAULT_USER, hostKeyFingerprints: [s.hostKeyFingerprint], maxMessageBytes: 4096 });
          replies = [garbage];
          try {
            const r = await client.rpc('<get/>', { timeoutMs: 300 });
            expect(typeof r.raw).toBe('string');
          } catch (err) {
            if (!KNOWN.has((err as Error).name)) throw err;
          } finally {
            await client.close();
          }
        }),
        { numRuns: 40 },
      );
    });
  }
});
