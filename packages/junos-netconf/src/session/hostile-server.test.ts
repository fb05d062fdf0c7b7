/**
 * Fuzz the whole client stack over real SSH: the server answers with random bytes, random
 * fragments of NETCONF and random splits. Every RPC must settle (resolve or reject with one of
 * the package's errors) — never crash, never hang — and the client must stay bounded.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNetconf } from '../netconf/client.js';
import { BASE_1_0, BASE_1_1 } from '../framing/hello.js';
import { escapeXmlText } from '../xml/escape.js';
import { DEFAULT_USER, startTestServer, type TestServer } from '../testing/netconf-server.js';

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

describe('replies split at random points on the wire', () => {
  it('chunked: any split of a multi-chunk reply yields the same response', async () => {
    let nextReply: (id: string | undefined) => Buffer[] = () => [];
    const server = await startTestServer({ handler: () => ({ framedPieces: (id) => nextReply(id) }) });
    const client = await connectNetconf({ host: server.host, port: server.port, ...DEFAULT_USER, hostKeyFingerprints: [server.hostKeyFingerprint] });
    try {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), async (text, chunkCuts, wireCuts) => {
          const value = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').trim();
          nextReply = (id) => {
            const body = Buffer.from(`<rpc-reply message-id="${id}"><v>${escapeXmlText(value)}</v></rpc-reply>`);
            const chunks = cut(body, chunkCuts).filter((c) => c.length > 0);
            const wire = Buffer.concat([...chunks.flatMap((c) => [Buffer.from(`\n#${c.length}\n`), c]), Buffer.from('\n##\n')]);
            return cut(wire, wireCuts).filter((p) => p.length > 0);
          };
          const r = await client.rpc('<get/>');
          expect(r.result['v'] ?? '').toBe(value);
        }),
        { numRuns: 60 },
      );
    } finally {
      await client.close();
      await server.close();
    }
  });
});

function cut(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

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
