import { NetconfError, type NetconfErrorContext } from '../errors.js';

/** Why a byte stream could not be split into NETCONF messages. */
export type FramingErrorReason =
  | 'message-too-large'
  | 'bad-chunk-header'
  | 'bad-chunk-size'
  | 'empty-message'
  | 'invalid-utf8'
  | 'delimiter-in-message'
  | 'framing-switch-mid-message';

/**
 * The peer broke RFC 6242 framing (or a message exceeded the size limit).
 * The stream cannot be resynchronised after this, so a session must be closed.
 * `offset` is the position in the decoded stream (bytes since the decoder was created).
 */
export class FramingError extends NetconfError {
  override readonly name: string = 'FramingError';
  readonly reason: FramingErrorReason;
  readonly offset: number | undefined;

  /** The message gets " (at stream byte N)" appended when `offset` is given. */
  constructor(message: string, context: NetconfErrorContext & { reason: FramingErrorReason; offset?: number | undefined }) {
    super(context.offset === undefined ? message : `${message} (at stream byte ${context.offset})`, context);
    this.reason = context.reason;
    this.offset = context.offset;
  }
}
