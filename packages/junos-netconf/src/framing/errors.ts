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
export class FramingError extends Error {
  override readonly name = 'FramingError';
  readonly reason: FramingErrorReason;
  readonly offset: number | undefined;

  constructor(reason: FramingErrorReason, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at stream byte ${offset})`);
    this.reason = reason;
    this.offset = offset;
  }
}
