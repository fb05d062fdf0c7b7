import { FramingError } from './errors.js';

/** base:1.0 end-of-message marker. */
export const EOM_DELIMITER = ']]>]]>';

/** The two RFC 6242 framings: base:1.0 end-of-message marker, base:1.1 chunked. */
export type Framing = 'eom' | 'chunked';

/**
 * Frame one XML message for the wire. Chunked framing sends the message as a single chunk;
 * the end-of-message form refuses a message that contains the marker itself, since the peer
 * would cut it there.
 */
export function encodeMessage(xml: string, framing: Framing): Buffer {
  const body = Buffer.from(xml, 'utf8');
  if (framing === 'eom') {
    if (xml.includes(EOM_DELIMITER)) {
      throw new FramingError('delimiter-in-message', `message contains the base:1.0 end-of-message marker "${EOM_DELIMITER}"`);
    }
    // Nothing after the marker: a peer switching to chunked framing right after the hello
    // would read a trailing LF as the start of a (broken) chunk header.
    return Buffer.concat([body, Buffer.from(EOM_DELIMITER, 'latin1')]);
  }
  if (body.length === 0) {
    throw new FramingError('empty-message', 'chunked framing cannot carry an empty message');
  }
  return Buffer.concat([Buffer.from(`\n#${body.length}\n`, 'latin1'), body, Buffer.from('\n##\n', 'latin1')]);
}
