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
  const size = Buffer.byteLength(xml, 'utf8');
  if (framing === 'eom') {
    if (xml.includes(EOM_DELIMITER)) {
      throw new FramingError('delimiter-in-message', `message contains the base:1.0 end-of-message marker "${EOM_DELIMITER}"`);
    }
    // Nothing after the marker: a peer switching to chunked framing right after the hello
    // would read a trailing LF as the start of a (broken) chunk header.
    const out = Buffer.allocUnsafe(size + EOM_DELIMITER.length); // one buffer per message, no concat
    out.write(xml, 0, 'utf8');
    out.write(EOM_DELIMITER, size, 'latin1');
    return out;
  }
  if (size === 0) {
    throw new FramingError('empty-message', 'chunked framing cannot carry an empty message');
  }
  const header = `\n#${size}\n`;
  const out = Buffer.allocUnsafe(header.length + size + END_OF_CHUNKS.length);
  out.write(header, 0, 'latin1');
  out.write(xml, header.length, 'utf8');
  out.write(END_OF_CHUNKS, header.length + size, 'latin1');
  return out;
}
