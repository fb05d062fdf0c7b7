import { EOM_DELIMITER, type Framing } from './encode.js';
import { FramingError } from './errors.js';

export interface FrameDecoderOptions {
  /** Framing to start with; 'eom' until the hello exchange says otherwise. */
  framing?: Framing;
  /** Largest message accepted, in bytes of XML (after removing framing). Default 64 MiB. */
  maxMessageBytes?: number;
}

export interface FrameDecoder {
  /** Append bytes received from the peer; any split is fine. Never decodes, never throws. */
  push(chunk: Uint8Array): void;
  /**
   * Decode and return the next complete message, or undefined if more bytes are needed.
   * Throws FramingError on a protocol violation; the decoder stays failed afterwards.
   * Memory stays bounded by maxMessageBytes as long as the caller drains next() after each push().
   */
  next(): string | undefined;
  /** Switch framing (after the hello exchange). Bytes already buffered are decoded with the new framing. */
  setFraming(framing: Framing): void;
  readonly framing: Framing;
  /** Bytes received and not yet returned as part of a message. */
  readonly bufferedBytes: number;
  /**
   * Give the receive buffer back if it holds nothing (it keeps the size of the largest message
   * seen, e.g. 2 MiB after a 1 MiB reply, or the last chunk pushed). Call it when the session goes
   * idle.
   */
  release(): void;
  /** Bytes allocated for the receive buffer (its capacity, not its content). */
  readonly capacityBytes: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const MAX_CHUNK_SIZE = 4294967295;
const LF = 0x0a;
const HASH = 0x23;
const DELIM = Buffer.from(EOM_DELIMITER, 'latin1');
const EMPTY = Buffer.alloc(0);

// One for every decoder: decode() without { stream: true } keeps no state between calls, and a
// TextDecoder per kept session was a native converter per session (README, "Memory").
const utf8 = new TextDecoder('utf-8', { fatal: true });

const isWhitespace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0d || b === LF;

/**
 * Streaming RFC 6242 decoder. Pure: bytes in, message strings out, no I/O.
 *
 * Between messages, whitespace is skipped in both framings: Junos ends its hello with
 * "]]>]]>\n" and then switches to chunked framing, so a stray LF precedes the first chunk.
 * Leading whitespace of an end-of-message framed message is therefore not part of it.
 */
export function createFrameDecoder(options: FrameDecoderOptions = {}): FrameDecoder {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw new RangeError(`maxMessageBytes must be a positive integer, got ${String(maxMessageBytes)}`);
  }
  let framing: Framing = options.framing ?? 'eom';

  // Received bytes live in buf[start, end); consumed bytes are dropped by compaction.
  let buf: Buffer = EMPTY;
  let adopted = false; // buf is a pushed chunk itself, not ours to write into
  let start = 0;
  let end = 0;
  let consumedTotal = 0; // stream offset of buf[start], for error messages
  let failure: FramingError | undefined;

  // eom state: where to resume searching for the marker
  let eomScanFrom = 0;

  // chunked state
  type ChunkState =
    | { kind: 'message-start' } // between messages: optional whitespace, then LF '#'
    | { kind: 'header' } // inside a message, expecting LF '#'
    | { kind: 'data'; remaining: number };
  const MESSAGE_START: ChunkState = { kind: 'message-start' };
  const IN_MESSAGE: ChunkState = { kind: 'header' };
  let chunkState: ChunkState = MESSAGE_START;
  let parts: Buffer[] = [];
  let partsBytes = 0;

  const fail = (err: FramingError): never => {
    failure = err;
    throw err;
  };
  const streamOffset = (i: number): number => consumedTotal + (i - start);
  const consume = (upTo: number): void => {
    consumedTotal += upTo - start;
    start = upTo;
    if (start === end) {
      start = 0;
      end = 0;
    }
  };

  const decodeUtf8 = (bytes: Uint8Array, at: number): string => {
    try {
      return utf8.decode(bytes);
    } catch {
      return fail(new FramingError('invalid-utf8', 'message is not valid UTF-8', at));
    }
  };

  function nextEom(): string | undefined {
    // Skip whitespace between messages.
    while (start < end && isWhitespace(buf[start]!)) consume(start + 1);
    eomScanFrom = Math.max(eomScanFrom, start);
    const found = (end === buf.length ? buf : buf.subarray(0, end)).indexOf(DELIM, eomScanFrom);
    if (found < 0) {
      if (end - start > maxMessageBytes + DELIM.length - 1) {
        fail(new FramingError('message-too-large', `message exceeds ${maxMessageBytes} bytes without an end-of-message marker`, streamOffset(start)));
      }
      eomScanFrom = Math.max(start, end - (DELIM.length - 1));
      return undefined;
    }
    const size = found - start;
    if (size > maxMessageBytes) {
      fail(new FramingError('message-too-large', `message of ${size} bytes exceeds the ${maxMessageBytes}-byte limit`, streamOffset(start)));
    }
    const at = streamOffset(start);
    const text = decodeUtf8(buf.subarray(start, found), at);
    consume(found + DELIM.length);
    eomScanFrom = start;
    return text;
  }

  /** Parse "#<size>\n" or "##\n" at buf[i] (just after the LF). Returns undefined when incomplete. */
  function readHeader(i: number): { next: number; size: number | 'end' } | undefined {
    if (i >= end) return undefined;
    if (buf[i] !== HASH) fail(new FramingError('bad-chunk-header', `expected '#' in chunk header, got byte 0x${buf[i]!.toString(16)}`, streamOffset(i)));
    let j = i + 1;
    if (j >= end) return undefined;
    if (buf[j] === HASH) {
      if (j + 1 >= end) return undefined;
      if (buf[j + 1] !== LF) fail(new FramingError('bad-chunk-header', 'end-of-chunks marker "##" not followed by LF', streamOffset(j + 1)));
      return { next: j + 2, size: 'end' };
    }
    const first = buf[j]!;
    if (first < 0x31 || first > 0x39) {
      fail(new FramingError('bad-chunk-size', first === 0x30 ? 'chunk size must not be 0 or start with 0' : 'chunk size must be decimal digits', streamOffset(j)));
    }
    let size = 0;
    while (j < end && buf[j]! >= 0x30 && buf[j]! <= 0x39) {
      size = size * 10 + (buf[j]! - 0x30);
      if (size > MAX_CHUNK_SIZE) fail(new FramingError('bad-chunk-size', `chunk size exceeds ${MAX_CHUNK_SIZE}`, streamOffset(j)));
      j++;
    }
    if (j >= end) return undefined;
    if (buf[j] !== LF) fail(new FramingError('bad-chunk-header', 'chunk size not followed by LF', streamOffset(j)));
    return { next: j + 1, size };
  }

  function nextChunked(): string | undefined {
    for (;;) {
      if (chunkState.kind === 'data') {
        const take = Math.min(chunkState.remaining, end - start);
        if (take === 0) return undefined;
        const e = start + take;
        if (parts.length === 0 && take === chunkState.remaining && e + 4 <= end && buf[e] === LF && buf[e + 1] === HASH && buf[e + 2] === HASH && buf[e + 3] === LF) {
          // A message of one chunk, all of it here (what most peers send): decoded in place, not copied.
          const text = decodeUtf8(buf.subarray(start, e), streamOffset(e) - take);
          consume(e + 4);
          chunkState = MESSAGE_START;
          return text;
        }
        parts.push(Buffer.from(buf.subarray(start, start + take)));
        partsBytes += take;
        chunkState.remaining -= take;
        consume(start + take);
        if (chunkState.remaining === 0) chunkState = IN_MESSAGE;
        continue;
      }
      let i = start;
      if (chunkState.kind === 'message-start') {
        // Tolerate whitespace between messages; the last byte before '#' must be LF.
        while (i < end && isWhitespace(buf[i]!) && (i + 1 >= end || isWhitespace(buf[i + 1]!))) i++;
        if (i >= end) {
          consume(Math.max(start, i - 1 >= start && buf[i - 1] === LF ? i - 1 : i));
          return undefined;
        }
      }
      if (i >= end) return undefined;
      if (buf[i] !== LF) fail(new FramingError('bad-chunk-header', `expected LF before chunk header, got byte 0x${buf[i]!.toString(16)}`, streamOffset(i)));
      const header = readHeader(i + 1);
      if (header === undefined) {
        if (i > start) consume(i); // drop skipped whitespace, keep the partial header
        return undefined;
      }
      if (header.size === 'end') {
        if (chunkState.kind === 'message-start') fail(new FramingError('empty-message', 'end-of-chunks marker with no chunk before it', streamOffset(i)));
        const at = streamOffset(i) - partsBytes;
        consume(header.next);
        const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partsBytes);
        parts = [];
        partsBytes = 0;
        chunkState = MESSAGE_START;
        return decodeUtf8(bytes, at);
      }
      if (partsBytes + header.size > maxMessageBytes) {
        fail(new FramingError('message-too-large', `message exceeds the ${maxMessageBytes}-byte limit (chunk of ${header.size} bytes after ${partsBytes})`, streamOffset(i)));
      }
      consume(header.next);
      chunkState = { kind: 'data', remaining: header.size };
    }
  }

  return {
    push(chunk: Uint8Array): void {
      if (failure || chunk.length === 0) return;
      if (start === end) {
        // Nothing buffered: read the chunk where it is. A reply usually arrives in one SSH packet,
        // so it is never copied, and no receive buffer is allocated (and dropped again) per reply.
        buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
        adopted = true;
        eomScanFrom = 0;
        start = 0;
        end = chunk.length;
        return;
      }
      if (adopted || end + chunk.length > buf.length) {
        const live = end - start;
        const needed = live + chunk.length;
        if (!adopted && needed <= buf.length) {
          buf.copy(buf, 0, start, end); // compact in place (copy handles the overlap)
        } else {
          // Never written into: an adopted chunk is the sender's memory.
          const grown = Buffer.allocUnsafe(Math.max(needed, adopted ? 0 : buf.length * 2, 4096));
          buf.copy(grown, 0, start, end);
          buf = grown;
          adopted = false;
        }
        eomScanFrom -= start;
        if (eomScanFrom < 0) eomScanFrom = 0;
        start = 0;
        end = live;
      }
      buf.set(chunk, end);
      end += chunk.length;
    },
    next(): string | undefined {
      if (failure) throw failure;
      return framing === 'eom' ? nextEom() : nextChunked();
    },
    setFraming(f: Framing): void {
      if (f === framing) return;
      if (framing === 'chunked' && chunkState.kind !== 'message-start') {
        throw new FramingError('framing-switch-mid-message', 'cannot switch framing in the middle of a chunked message');
      }
      framing = f;
      chunkState = MESSAGE_START;
      eomScanFrom = start;
    },
    get framing(): Framing {
      return framing;
    },
    get bufferedBytes(): number {
      return end - start + partsBytes;
    },
    get capacityBytes(): number {
      return buf.length;
    },
    release(): void {
      if (start === end && buf.length > 0) {
        buf = EMPTY;
        adopted = false;
        start = 0;
        end = 0;
        eomScanFrom = 0;
      }
    },
  };
}
