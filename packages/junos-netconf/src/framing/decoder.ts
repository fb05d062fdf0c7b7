import { isAscii } from 'node:buffer';
import { EOM_DELIMITER, type Framing } from './encode.js';
import { FramingError, type FramingErrorReason } from './errors.js';

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

/** The decoder's errors name the reason first and the stream offset last, where it reads best. */
function framingError(reason: FramingErrorReason, message: string, offset?: number): FramingError {
  return new FramingError(message, { reason, offset });
}

const isWhitespace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0d || b === LF;

type ChunkState =
  | { kind: 'message-start' } // between messages: optional whitespace, then LF '#'
  | { kind: 'header' } // inside a message, expecting LF '#'
  | { kind: 'data'; remaining: number };
const MESSAGE_START: ChunkState = { kind: 'message-start' };
const IN_MESSAGE: ChunkState = { kind: 'header' };

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
  return new Decoder(maxMessageBytes, options.framing ?? 'eom');
}

/**
 * A class of plain fields with prototype methods: every kept session has a decoder, and an object
 * of closures with getters cost a dictionary-mode object, a closure per method and their
 * contexts per session (README, "Memory per kept session").
 */
class Decoder implements FrameDecoder {
  // Received bytes live in buf[start, end); consumed bytes are dropped by compaction.
  private buf: Buffer = EMPTY;
  private adopted = false; // buf is a pushed chunk itself, not ours to write into
  // Every byte in buf[start, end) is ASCII (each chunk is checked as it is pushed): a message is
  // then read with a one-byte copy, without the UTF-8 decoder and a view of the bytes for it.
  private ascii = true;
  private start = 0;
  private end = 0;
  private consumedTotal = 0; // stream offset of buf[start], for error messages
  private failure: FramingError | undefined = undefined;
  // eom state: where to resume searching for the marker
  private eomScanFrom = 0;
  // chunked state
  private chunkState: ChunkState = MESSAGE_START;
  private parts: Buffer[] = [];
  private partsBytes = 0;

  constructor(
    private readonly maxMessageBytes: number,
    public framing: Framing,
  ) {}

  private fail(err: FramingError): never {
    this.failure = err;
    throw err;
  }

  private streamOffset(i: number): number {
    return this.consumedTotal + (i - this.start);
  }

  private consume(upTo: number): void {
    this.consumedTotal += upTo - this.start;
    this.start = upTo;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
  }

  private decodeUtf8(bytes: Uint8Array, at: number): string {
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail(framingError('invalid-utf8', 'message is not valid UTF-8', at));
    }
  }

  /** The text of buf[from, to): ASCII is UTF-8 as it stands. */
  private text(from: number, to: number, at: number): string {
    return this.ascii ? this.buf.toString('latin1', from, to) : this.decodeUtf8(this.buf.subarray(from, to), at);
  }

  private nextEom(): string | undefined {
    const buf = this.buf;
    // Skip whitespace between messages.
    while (this.start < this.end && isWhitespace(buf[this.start]!)) this.consume(this.start + 1);
    const { start, end, maxMessageBytes } = this;
    this.eomScanFrom = Math.max(this.eomScanFrom, start);
    const found = (end === buf.length ? buf : buf.subarray(0, end)).indexOf(DELIM, this.eomScanFrom);
    if (found < 0) {
      if (end - start > maxMessageBytes + DELIM.length - 1) {
        this.fail(framingError('message-too-large', `message exceeds ${maxMessageBytes} bytes without an end-of-message marker`, this.streamOffset(start)));
      }
      this.eomScanFrom = Math.max(start, end - (DELIM.length - 1));
      return undefined;
    }
    const size = found - start;
    if (size > maxMessageBytes) {
      this.fail(framingError('message-too-large', `message of ${size} bytes exceeds the ${maxMessageBytes}-byte limit`, this.streamOffset(start)));
    }
    const at = this.streamOffset(start);
    const text = this.text(start, found, at);
    this.consume(found + DELIM.length);
    this.eomScanFrom = this.start;
    return text;
  }

  /** Parse "#<size>\n" or "##\n" at buf[i] (just after the LF). Returns undefined when incomplete. */
  private readHeader(i: number): { next: number; size: number | 'end' } | undefined {
    const { buf, end } = this;
    if (i >= end) return undefined;
    if (buf[i] !== HASH) this.fail(framingError('bad-chunk-header', `expected '#' in chunk header, got byte 0x${buf[i]!.toString(16)}`, this.streamOffset(i)));
    let j = i + 1;
    if (j >= end) return undefined;
    if (buf[j] === HASH) {
      if (j + 1 >= end) return undefined;
      if (buf[j + 1] !== LF) this.fail(framingError('bad-chunk-header', 'end-of-chunks marker "##" not followed by LF', this.streamOffset(j + 1)));
      return { next: j + 2, size: 'end' };
    }
    const first = buf[j]!;
    if (first < 0x31 || first > 0x39) {
      this.fail(framingError('bad-chunk-size', first === 0x30 ? 'chunk size must not be 0 or start with 0' : 'chunk size must be decimal digits', this.streamOffset(j)));
    }
    let size = 0;
    while (j < end && buf[j]! >= 0x30 && buf[j]! <= 0x39) {
      size = size * 10 + (buf[j]! - 0x30);
      if (size > MAX_CHUNK_SIZE) this.fail(framingError('bad-chunk-size', `chunk size exceeds ${MAX_CHUNK_SIZE}`, this.streamOffset(j)));
      j++;
    }
    if (j >= end) return undefined;
    if (buf[j] !== LF) this.fail(framingError('bad-chunk-header', 'chunk size not followed by LF', this.streamOffset(j)));
    return { next: j + 1, size };
  }

  private nextChunked(): string | undefined {
    for (;;) {
      const { buf, start, end } = this;
      const state = this.chunkState;
      if (state.kind === 'data') {
        const take = Math.min(state.remaining, end - start);
        if (take === 0) return undefined;
        const e = start + take;
        if (this.parts.length === 0 && take === state.remaining && e + 4 <= end && buf[e] === LF && buf[e + 1] === HASH && buf[e + 2] === HASH && buf[e + 3] === LF) {
          // A message of one chunk, all of it here (what most peers send): decoded in place, not copied.
          const text = this.text(start, e, this.streamOffset(e) - take);
          this.consume(e + 4);
          this.chunkState = MESSAGE_START;
          return text;
        }
        this.parts.push(Buffer.from(buf.subarray(start, start + take)));
        this.partsBytes += take;
        state.remaining -= take;
        this.consume(start + take);
        if (state.remaining === 0) this.chunkState = IN_MESSAGE;
        continue;
      }
      let i = start;
      if (state.kind === 'message-start') {
        // Tolerate whitespace between messages; the last byte before '#' must be LF.
        while (i < end && isWhitespace(buf[i]!) && (i + 1 >= end || isWhitespace(buf[i + 1]!))) i++;
        if (i >= end) {
          this.consume(Math.max(start, i - 1 >= start && buf[i - 1] === LF ? i - 1 : i));
          return undefined;
        }
      }
      if (i >= end) return undefined;
      if (buf[i] !== LF) this.fail(framingError('bad-chunk-header', `expected LF before chunk header, got byte 0x${buf[i]!.toString(16)}`, this.streamOffset(i)));
      const header = this.readHeader(i + 1);
      if (header === undefined) {
        if (i > start) this.consume(i); // drop skipped whitespace, keep the partial header
        return undefined;
      }
      if (header.size === 'end') {
        if (state.kind === 'message-start') this.fail(framingError('empty-message', 'end-of-chunks marker with no chunk before it', this.streamOffset(i)));
        const at = this.streamOffset(i) - this.partsBytes;
        this.consume(header.next);
        const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsBytes);
        this.parts = [];
        this.partsBytes = 0;
        this.chunkState = MESSAGE_START;
        return isAscii(bytes) ? bytes.toString('latin1') : this.decodeUtf8(bytes, at);
      }
      if (this.partsBytes + header.size > this.maxMessageBytes) {
        this.fail(framingError('message-too-large', `message exceeds the ${this.maxMessageBytes}-byte limit (chunk of ${header.size} bytes after ${this.partsBytes})`, this.streamOffset(i)));
      }
      this.consume(header.next);
      this.chunkState = { kind: 'data', remaining: header.size };
    }
  }

  push(chunk: Uint8Array): void {
    if (this.failure || chunk.length === 0) return;
    if (this.start === this.end) {
      // Nothing buffered: read the chunk where it is. A reply usually arrives in one SSH packet,
      // so it is never copied, and no receive buffer is allocated (and dropped again) per reply.
      this.buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      this.adopted = true;
      this.ascii = isAscii(chunk);
      this.eomScanFrom = 0;
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    if (this.adopted || this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      const needed = live + chunk.length;
      if (!this.adopted && needed <= this.buf.length) {
        this.buf.copy(this.buf, 0, this.start, this.end); // compact in place (copy handles the overlap)
      } else {
        // Never written into: an adopted chunk is the sender's memory.
        const grown = Buffer.allocUnsafe(Math.max(needed, this.adopted ? 0 : this.buf.length * 2, 4096));
        this.buf.copy(grown, 0, this.start, this.end);
        this.buf = grown;
        this.adopted = false;
      }
      this.eomScanFrom -= this.start;
      if (this.eomScanFrom < 0) this.eomScanFrom = 0;
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
    if (this.ascii) this.ascii = isAscii(chunk);
  }

  next(): string | undefined {
    if (this.failure) throw this.failure;
    return this.framing === 'eom' ? this.nextEom() : this.nextChunked();
  }

  setFraming(f: Framing): void {
    if (f === this.framing) return;
    if (this.framing === 'chunked' && this.chunkState.kind !== 'message-start') {
      throw framingError('framing-switch-mid-message', 'cannot switch framing in the middle of a chunked message');
    }
    this.framing = f;
    this.chunkState = MESSAGE_START;
    this.eomScanFrom = this.start;
  }

  get bufferedBytes(): number {
    return this.end - this.start + this.partsBytes;
  }

  get capacityBytes(): number {
    return this.buf.length;
  }

  release(): void {
    if (this.start === this.end && this.buf.length > 0) {
      this.buf = EMPTY;
      this.adopted = false;
      this.start = 0;
      this.end = 0;
      this.eomScanFrom = 0;
    }
  }
}
