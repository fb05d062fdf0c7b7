import type { XmlErrorReason } from '@qkd-macsec/macsec-config/xml';
import { NetconfError, type NetconfErrorContext } from '../errors.js';

export type { XmlErrorReason };

/** Longest message an XmlError carries: a peer's document must not make an error of kilobytes. */
const MAX_XML_ERROR_MESSAGE = 1024;

/**
 * A peer sent XML that is refused: malformed, or carrying a DOCTYPE / markup declaration /
 * unknown entity reference, or a character XML 1.0 does not allow — or a well-formed document
 * that is not the reply expected. The reading is macsec-config's XML reader
 * (`@qkd-macsec/macsec-config/xml`); its refusal becomes this package's XmlError with the same
 * message, `reason` and `position` (the character index in the document), the reader's error as
 * `cause`. The message never quotes the document.
 */
export class XmlError extends NetconfError {
  override readonly name: string = 'XmlError';
  readonly reason: XmlErrorReason;
  readonly position: number | undefined;

  /** `message` is used as given (bounded): a refusal of the reader already ends "(at character N)". */
  constructor(message: string, context: NetconfErrorContext & { reason: XmlErrorReason; position?: number | undefined }) {
    super(message.length > MAX_XML_ERROR_MESSAGE ? `${message.slice(0, MAX_XML_ERROR_MESSAGE - 1)}…` : message, context);
    this.reason = context.reason;
    this.position = context.position;
  }
}
