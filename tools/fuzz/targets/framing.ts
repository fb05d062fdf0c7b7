// junos-netconf's RFC 6242 frame decoder, both framings, fed in arbitrary chunks. Unmutated
// streams must decode to exactly the messages encoded; mutated ones may fail only with
// FramingError. A framing switch mid-stream (as after a hello) is exercised too.
import { FramingError, createFrameDecoder, encodeMessage, type Framing } from '@qkd-macsec/junos-netconf/framing';
import { mutateBytes } from '../mutate.js';
import type { Rng } from '../rng.js';
import { netconfSamples } from '../samples.js';
import type { Problem, Target, TargetRun } from '../types.js';

const FRAMING_TOKENS = [']]>]]>', ']]>]]', '\n#', '\n##\n', '\n#0\n', '\n#1\n', '\n#4294967295\n', '\n#4294967296\n', '\n#99999999999999999999\n', '\n#-1\n', '\n# 5\n', '\n#05\n', '#', '\n', '\r\n', '\u0000', '\xff', '\ud800'];

interface Input {
  /** Framing the stream starts in, and where (after which message) it switches to chunked, if at all. */
  framing: Framing;
  switchAfter: number | undefined;
  messages: string[];
  bytes: Buffer;
  chunks: number[];
  mutated: boolean;
  maxMessageBytes: number | undefined;
}

/** Encodes messages, chunked framing split into random chunk sizes (RFC 6242 allows any split). */
function encode(rng: Rng, xml: string, framing: Framing): Buffer {
  if (framing === 'eom' || rng.chance(0.5)) return Buffer.from(encodeMessage(xml, framing));
  const body = Buffer.from(xml, 'utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const n = Math.min(body.length - at, 1 + rng.size(200));
    parts.push(Buffer.from(`\n#${n}\n`), body.subarray(at, at + n));
    at += n;
  }
  parts.push(Buffer.from('\n##\n'));
  return Buffer.concat(parts);
}

function split(rng: Rng, length: number): number[] {
  const sizes: number[] = [];
  for (let left = length; left > 0; ) {
    const n = Math.min(left, rng.chance(0.2) ? 1 : 1 + rng.size(512));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

export const framingTarget: Target = {
  name: 'framing',
  description: 'junos-netconf createFrameDecoder: end-of-message and chunked framing, switches, arbitrary chunking',
  weight: 25,
  wire: false,
  async start(): Promise<TargetRun<Input>> {
    const corpus = netconfSamples();
    return {
      generate(rng) {
        const framing: Framing = rng.chance(0.5) ? 'eom' : 'chunked';
        const count = 1 + rng.size(4);
        const messages = Array.from({ length: count }, () => rng.pick(corpus));
        const switchAfter = framing === 'eom' && rng.chance(0.3) ? rng.int(count) : undefined;
        const parts = messages.map((m, i) => encode(rng, m, switchAfter !== undefined && i > switchAfter ? 'chunked' : framing));
        // Whitespace between messages is allowed (Junos sends "]]>]]>\n" before chunked framing).
        let bytes: Buffer = Buffer.concat(parts.flatMap((p) => (rng.chance(0.2) ? [Buffer.from('\n'), p] : [p])));
        const mutated = rng.chance(0.9);
        if (mutated) bytes = mutateBytes(rng, bytes, FRAMING_TOKENS);
        return { framing, switchAfter, messages, bytes, chunks: split(rng, bytes.length), mutated, maxMessageBytes: rng.chance(0.1) ? 1 + rng.size(4096) : undefined };
      },
      execute(input): Problem[] {
        const decoder = createFrameDecoder({ framing: input.framing, ...(input.maxMessageBytes ? { maxMessageBytes: input.maxMessageBytes } : {}) });
        const out: string[] = [];
        let at = 0;
        for (const n of input.chunks) {
          decoder.push(input.bytes.subarray(at, at + n));
          at += n;
          for (let m = decoder.next(); m !== undefined; m = decoder.next()) {
            out.push(m);
            if (input.switchAfter !== undefined && out.length === input.switchAfter + 1) decoder.setFraming('chunked');
          }
        }
        if (input.mutated || input.maxMessageBytes !== undefined) return [];
        const eom = (i: number) => input.framing === 'eom' && (input.switchAfter === undefined || i <= input.switchAfter);
        const expected = input.messages.map((m, i) => (eom(i) ? m.trimStart() : m));
        if (out.length !== expected.length || out.some((m, i) => m !== expected[i]))
          return [{ kind: 'wrong-result', summary: 'a valid stream did not decode to the messages encoded', detail: `got ${out.length} of ${expected.length} messages` }];
        return [];
      },
      show: (i) => `framing=${i.framing}${i.switchAfter !== undefined ? ` switch-after=${i.switchAfter}` : ''} chunks=[${i.chunks.join(',')}] bytes=${JSON.stringify(i.bytes.toString('latin1'))}`,
      isOwnError: (err) => err instanceof FramingError,
    };
  },
};
