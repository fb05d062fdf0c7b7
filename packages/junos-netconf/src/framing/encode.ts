import { FramingError } from './errors.js';

/** base:1.0 end-of-message marker. */
export const EOM_DELIMITER = ']]>]]>';

/** The two RFC 6242 framings: base:1.0 end-of-message marker, base:1.1 chunked. */
export type Framing = 'eom' | 'chunked';

const END_OF_CHUNKS = '\n##\n';

/**
 * Frame one XML message for the wire. Chunked framing sends the message as a single chunk;
 * the end-of-message form refuses a message that contains the marker itself, since the peer
 * would cut it there.
 */
export function encodeMessage(xml: string, framing: Framing): Buffer {
  return encodeWrapped('', xml, '', framing);
}

// The marker's proper prefixes and the rest of it: where two parts could hold it between them.
const MARKER_SPLITS = Array.from({ length: EOM_DELIMITER.length - 1 }, (_, k) => [EOM_DELIMITER.slice(0, k + 1), EOM_DELIMITER.slice(k + 1)] as const);
const straddles = (a: string, b: string): boolean => MARKER_SPLITS.some(([end, start]) => a.endsWith(end) && b.startsWith(start));

/**
 * Frames `head + body + tail` without joining them into one string first: a request is its
 * operation inside an `<rpc>` wrapper, and the joined string (a flattened copy of the whole
 * operation) was made per RPC only to be written into the buffer and dropped.
 */
export function encodeWrapped(head: string, body: string, tail: string, framing: Framing): Buffer {
  const headBytes = Buffer.byteLength(head, 'utf8');
  const bodyBytes = Buffer.byteLength(body, 'utf8');
  const size = headBytes + bodyBytes + Buffer.byteLength(tail, 'utf8');
  if (framing === 'eom') {
    const marked =
      body.length < EOM_DELIMITER.length
        ? (head + body + tail).includes(EOM_DELIMITER)
        : head.includes(EOM_DELIMITER) || body.includes(EOM_DELIMITER) || tail.includes(EOM_DELIMITER) || straddles(head, body) || straddles(body, tail);
    if (marked) {
      throw new FramingError(`message contains the base:1.0 end-of-message marker "${EOM_DELIMITER}"`, { reason: 'delimiter-in-message' });
    }
    // Nothing after the marker: a peer switching to chunked framing right after the hello
    // would read a trailing LF as the start of a (broken) chunk header.
    const out = Buffer.allocUnsafe(size + EOM_DELIMITER.length); // one buffer per message, no concat
    writeParts(out, 0, head, headBytes, body, bodyBytes, tail);
    out.write(EOM_DELIMITER, size, 'latin1');
    return out;
  }
  if (size === 0) {
    throw new FramingError('chunked framing cannot carry an empty message', { reason: 'empty-message' });
  }
  const header = `\n#${size}\n`;
  const out = Buffer.allocUnsafe(header.length + size + END_OF_CHUNKS.length);
  out.write(header, 0, 'latin1');
  writeParts(out, header.length, head, headBytes, body, bodyBytes, tail);
  out.write(END_OF_CHUNKS, header.length + size, 'latin1');
  return out;
}

function writeParts(out: Buffer, at: number, head: string, headBytes: number, body: string, bodyBytes: number, tail: string): void {
  if (headBytes > 0) out.write(head, at, 'utf8');
  if (bodyBytes > 0) out.write(body, at + headBytes, 'utf8');
  if (tail.length > 0) out.write(tail, at + headBytes + bodyBytes, 'utf8');
}
