import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFrameDecoder } from './decoder.js';
import { encodeMessage, encodeWrapped, type Framing } from './encode.js';
import { FramingError } from './errors.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

function drain(dec: ReturnType<typeof createFrameDecoder>): string[] {
  const out: string[] = [];
  for (let m = dec.next(); m !== undefined; m = dec.next()) out.push(m);
  return out;
}

/** Split `buf` at the given cut points (any order, duplicates allowed). */
function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    pieces.push(buf.subarray(prev, p));
    prev = p;
  }
  pieces.push(buf.subarray(prev));
  return pieces;
}

function decodeAll(framing: Framing, pieces: Buffer[], maxMessageBytes?: number): string[] {
  const dec = createFrameDecoder({ framing, ...(maxMessageBytes ? { maxMessageBytes } : {}) });
  const out: string[] = [];
  for (const p of pieces) {
    dec.push(p);
    out.push(...drain(dec));
  }
  return out;
}

// Messages as a NETCONF peer sends them: no leading whitespace, never containing the marker.
const message = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
  .map((s) => `<m>${s}</m>`)
  .filter((s) => !s.includes(']]>]]>'));

describe('frame decoder: base:1.0 end-of-message framing', () => {
  it('decodes one message and the whitespace Junos sends after the marker', () => {
    const dec = createFrameDecoder();
    dec.push(bytes('<hello/>]]>]]>\n<rpc-reply/>]]>]]>\n'));
    expect(drain(dec)).toEqual(['<hello/>', '<rpc-reply/>']);
    expect(dec.bufferedBytes).toBe(0);
  });

  it('finds the marker split across every possible boundary', () => {
    const wire = bytes('<a>x]]</a>]]>]]><b/>]]>]]>');
    for (let i = 0; i <= wire.length; i++) {
      for (let j = i; j <= wire.length; j++) {
        expect(decodeAll('eom', [wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)])).toEqual(['<a>x]]</a>', '<b/>']);
      }
    }
  });

  it('refuses a message above maxMessageBytes instead of buffering it', () => {
    const dec = createFrameDecoder({ maxMessageBytes: 10 });
    dec.push(bytes('<aaaaaaaaaaaaaaa'));
    expect(() => dec.next()).toThrow(FramingError);
    try {
      dec.next();
    } catch (e) {
      expect((e as FramingError).reason).toBe('message-too-large');
    }
  });

  it('accepts a message of exactly maxMessageBytes', () => {
    expect(decodeAll('eom', [bytes('0123456789]]>]]>')], 10)).toEqual(['0123456789']);
    expect(() => decodeAll('eom', [bytes('0123456789A]]>]]>')], 10)).toThrow(/exceeds/);
  });

  it('refuses invalid UTF-8', () => {
    const dec = createFrameDecoder();
    dec.push(Buffer.concat([bytes('<a>'), Buffer.from([0xff, 0xfe]), bytes('</a>]]>]]>')]));
    expect(() => dec.next()).toThrow(expect.objectContaining({ reason: 'invalid-utf8' }));
  });

  // ASCII is read with a one-byte copy (no UTF-8 decoder): a message whose non-ASCII bytes arrive
  // in a later push, or after an ASCII message in the same chunk, must still be decoded (or refused) as UTF-8.
  it('decodes UTF-8 that follows ASCII in a later push or the same chunk, and refuses invalid bytes there too', () => {
    const utf8Message = bytes('<a>Zürich €</a>]]>]]>');
    for (const framing of ['eom', 'chunked'] as const) {
      const wire = framing === 'eom' ? Buffer.concat([bytes('<x/>]]>]]>'), utf8Message]) : bytes('\n#4\n<x/>\n##\n\n#18\n<a>Zürich €</a>\n##\n');
      for (let cut = 0; cut <= wire.length; cut++) expect(decodeAll(framing, [wire.subarray(0, cut), wire.subarray(cut)])).toEqual(['<x/>', '<a>Zürich €</a>']);
    }
    const dec = createFrameDecoder();
    dec.push(bytes('<a>'));
    dec.push(Buffer.concat([Buffer.from([0xc3]), bytes('</a>]]>]]>')])); // a lone lead byte
    expect(() => dec.next()).toThrow(expect.objectContaining({ reason: 'invalid-utf8' }));
  });
});

describe('frame decoder: base:1.1 chunked framing', () => {
  it('decodes several chunks into one message', () => {
    const dec = createFrameDecoder({ framing: 'chunked' });
    dec.push(bytes('\n#4\n<rpc\n#18\n message-id="102"\n\n#2\n/>\n##\n'));
    expect(drain(dec)).toEqual(['<rpc message-id="102"\n/>']);
    expect(dec.bufferedBytes).toBe(0);
  });

  it('joins a multi-byte character split across two chunks', () => {
    const euro = bytes('€'); // 3 bytes
    const wire = Buffer.concat([bytes('\n#1\n'), euro.subarray(0, 1), bytes('\n#2\n'), euro.subarray(1), bytes('\n##\n')]);
    expect(decodeAll('chunked', [wire])).toEqual(['€']);
  });

  it('switches from end-of-message to chunked after the hello, decoding what is already buffered', () => {
    const dec = createFrameDecoder();
    dec.push(bytes('<hello/>]]>]]>\n\n#5\n<ok/>\n##\n'));
    expect(dec.next()).toBe('<hello/>');
    dec.setFraming('chunked');
    expect(dec.framing).toBe('chunked');
    expect(drain(dec)).toEqual(['<ok/>']);
  });

  it.each([
    ['#5\n<ok/>\n##\n', 'bad-chunk-header'], // no LF before '#'
    ['\n#0\n\n##\n', 'bad-chunk-size'],
    ['\n#05\n<ok/>\n##\n', 'bad-chunk-size'],
    ['\n#4294967296\n', 'bad-chunk-size'],
    ['\n#99999999999999\n', 'bad-chunk-size'],
    ['\n#5 \n<ok/>\n##\n', 'bad-chunk-header'], // missing LF after the size
    ['\n#x\n', 'bad-chunk-size'],
    ['\n##\n', 'empty-message'],
    ['\n#5\n<ok/>##\n', 'bad-chunk-header'], // chunk not followed by LF
    ['\n#5\n<ok/>\n##x', 'bad-chunk-header'],
    ['\n#1\na\n#', 'incomplete'],
  ])('refuses %j (%s), whatever the split', (wire, reason) => {
    const buf = bytes(wire);
    for (let i = 0; i <= buf.length; i++) {
      const run = (): string[] => decodeAll('chunked', [buf.subarray(0, i), buf.subarray(i)]);
      if (reason === 'incomplete') {
        expect(run()).toEqual([]);
      } else {
        expect(run).toThrow(expect.objectContaining({ name: 'FramingError', reason }));
      }
    }
  });

  it('accepts the largest legal chunk size in a header', () => {
    const dec = createFrameDecoder({ framing: 'chunked', maxMessageBytes: 2 ** 33 });
    dec.push(bytes('\n#4294967295\nabc'));
    expect(dec.next()).toBeUndefined();
  });

  it('refuses a chunk that would take the message over maxMessageBytes as soon as its header arrives', () => {
    const dec = createFrameDecoder({ framing: 'chunked', maxMessageBytes: 8 });
    dec.push(bytes('\n#5\n<ok/>\n#4\n'));
    expect(() => dec.next()).toThrow(expect.objectContaining({ reason: 'message-too-large' }));
    // The decoder stays failed.
    expect(() => dec.next()).toThrow(FramingError);
  });

  it('names the stream offset of the problem', () => {
    const dec = createFrameDecoder({ framing: 'chunked' });
    dec.push(bytes('\n#5\n<ok/>\n##\n\n#0\n'));
    expect(dec.next()).toBe('<ok/>');
    expect(() => dec.next()).toThrow(/at stream byte 15/);
  });

  it('refuses to switch framing in the middle of a chunked message', () => {
    const dec = createFrameDecoder({ framing: 'chunked' });
    dec.push(bytes('\n#5\n<o'));
    expect(dec.next()).toBeUndefined();
    expect(() => dec.setFraming('eom')).toThrow(expect.objectContaining({ reason: 'framing-switch-mid-message' }));
  });
});

describe('frame decoder: properties', () => {
  for (const framing of ['eom', 'chunked'] as const) {
    it(`${framing}: every message list round-trips through encodeMessage under every random split`, () => {
      fc.assert(
        fc.property(fc.array(message, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
          const wire = Buffer.concat(msgs.map((m) => encodeMessage(m, framing)));
          expect(decodeAll(framing, splitAt(wire, cuts))).toEqual(msgs);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('chunked: messages cut into arbitrary chunks round-trip under every random split', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(message, fc.array(fc.nat(), { maxLength: 6 })), { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 30 }), (msgs, cuts) => {
        const wire = Buffer.concat(
          msgs.map(([m, chunkCuts]) => {
            const body = bytes(m);
            const chunks = splitAt(body, chunkCuts).filter((c) => c.length > 0);
            return Buffer.concat([...chunks.flatMap((c) => [bytes(`\n#${c.length}\n`), c]), bytes('\n##\n')]);
          }),
        );
        expect(decodeAll('chunked', splitAt(wire, cuts))).toEqual(msgs.map(([m]) => m));
      }),
      { numRuns: 300 },
    );
  });

  for (const framing of ['eom', 'chunked'] as const) {
    it(`${framing}: random bytes never crash, hang or buffer past the limit`, () => {
      const max = 256;
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (pieces) => {
          const dec = createFrameDecoder({ framing, maxMessageBytes: max });
          try {
            for (const p of pieces) {
              dec.push(p);
              drain(dec);
              // Unconsumed bytes are at most one message, its marker/headers and one pushed piece.
              expect(dec.bufferedBytes).toBeLessThanOrEqual(max + 200 + 16);
            }
          } catch (e) {
            if (!(e instanceof FramingError)) throw e;
          }
        }),
        { numRuns: 500 },
      );
    });
  }

  it('chunked: random bytes biased towards header characters never crash', () => {
    const headerish = fc.array(fc.constantFrom(...'\n#0123456789#\n<a/>'.split('')), { maxLength: 80 }).map((a) => a.join(''));
    fc.assert(
      fc.property(headerish, fc.array(fc.nat(), { maxLength: 10 }), (text, cuts) => {
        try {
          decodeAll('chunked', splitAt(bytes(text), cuts), 64);
        } catch (e) {
          if (!(e instanceof FramingError)) throw e;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('encodeMessage', () => {
  it('frames base:1.0 with the marker (and nothing after it) and refuses a message containing it', () => {
    expect(encodeMessage('<a/>', 'eom').toString()).toBe('<a/>]]>]]>');
    expect(() => encodeMessage('<a>]]>]]></a>', 'eom')).toThrow(expect.objectContaining({ reason: 'delimiter-in-message' }));
  });

  it('frames base:1.1 as one chunk counted in bytes, not characters', () => {
    expect(encodeMessage('<a>€</a>', 'chunked').toString()).toBe('\n#10\n<a>€</a>\n##\n');
    expect(() => encodeMessage('', 'chunked')).toThrow(FramingError);
  });

  // A request is framed from its parts (the <rpc> wrapper and the operation), not a joined string.
  it('frames head + body + tail exactly as the joined message, and finds the marker wherever the parts split it', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(']', ']', '>', 'a', '€'), maxLength: 24 }), fc.nat(), fc.nat(), (xml, i, j) => {
        const [a, b] = [i % (xml.length + 1), j % (xml.length + 1)].sort((x, y) => x - y) as [number, number];
        for (const framing of ['eom', 'chunked'] as const) {
          const joined = (() => {
            try {
              return encodeMessage(xml, framing).toString('hex');
            } catch (e) {
              return (e as FramingError).reason;
            }
          })();
          const parts = (() => {
            try {
              return encodeWrapped(xml.slice(0, a), xml.slice(a, b), xml.slice(b), framing).toString('hex');
            } catch (e) {
              return (e as FramingError).reason;
            }
          })();
          expect(parts).toBe(joined);
        }
      }),
      { numRuns: 3000 },
    );
    expect(() => encodeWrapped('<rpc>]]', '>]]>xyz', '</rpc>', 'eom')).toThrow(expect.objectContaining({ reason: 'delimiter-in-message' }));
    expect(() => encodeWrapped('<rpc>', 'xyzw]]>]', ']></rpc>', 'eom')).toThrow(expect.objectContaining({ reason: 'delimiter-in-message' }));
  });
});

describe('frame decoder: releasing the receive buffer', () => {
  for (const framing of ['eom', 'chunked'] as const) {
    it(`gives back the buffer a 1 MiB ${framing} message grew, and keeps a partial message`, () => {
      const d = createFrameDecoder({ framing });
      const big = `<rpc-reply>${'x'.repeat(1 << 20)}</rpc-reply>`;
      const bytes = encodeMessage(big, framing);
      for (let i = 0; i < bytes.length; i += 32 * 1024) d.push(bytes.subarray(i, i + 32 * 1024));
      expect(d.next()).toBe(big);
      expect(d.capacityBytes).toBeGreaterThanOrEqual(32 * 1024);
      d.release();
      expect(d.capacityBytes).toBe(0);
      const small = encodeMessage('<rpc-reply><ok/></rpc-reply>', framing);
      d.push(small.subarray(0, 10));
      d.release(); // 10 bytes are live: kept
      expect(d.bufferedBytes).toBe(10);
      d.push(small.subarray(10));
      expect(d.next()).toBe('<rpc-reply><ok/></rpc-reply>');
    });
  }
});

describe('frame decoder: reading chunks in place', () => {
  for (const framing of ['eom', 'chunked'] as const) {
    it(`reads a whole ${framing} message from the pushed chunk without a buffer of its own, and never writes into a chunk`, () => {
      const d = createFrameDecoder({ framing });
      const one = encodeMessage('<rpc-reply message-id="1"><ok/></rpc-reply>', framing);
      d.push(one);
      expect(d.capacityBytes).toBe(one.length); // the chunk itself: nothing allocated, nothing copied
      expect(d.next()).toBe('<rpc-reply message-id="1"><ok/></rpc-reply>');
      // A message over three chunks, the first holding the end of the previous message too.
      const two = Buffer.concat([encodeMessage('<a>1</a>', framing), encodeMessage('<rpc-reply>€ two</rpc-reply>', framing)]);
      const pieces = [two.subarray(0, 20), two.subarray(20, 27), two.subarray(27)].map((p) => Buffer.from(p));
      const copies = pieces.map((p) => Buffer.from(p));
      const out: string[] = [];
      for (const p of pieces) {
        d.push(p);
        for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
      }
      expect(out).toEqual(['<a>1</a>', '<rpc-reply>€ two</rpc-reply>']);
      expect(pieces).toEqual(copies);
    });
  }
});
