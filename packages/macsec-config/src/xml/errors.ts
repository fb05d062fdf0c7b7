import { MacsecConfigError, type MacsecConfigErrorContext } from '../errors.js';

export type XmlErrorReason = 'doctype' | 'declaration' | 'entity' | 'character' | 'malformed' | 'not-a-string';

export interface XmlErrorContext extends MacsecConfigErrorContext {
  reason: XmlErrorReason;
  /** The character index in the document where the problem was found. */
  position?: number | undefined;
}

/** Longest message an XmlError carries (before the position): a peer's document must not make an error of kilobytes. */
export const MAX_XML_ERROR_MESSAGE = 1024;

/**
 * XML that is refused: malformed, or carrying a DOCTYPE / markup declaration / unknown entity
 * reference (the vectors for entity-expansion bombs and external entities), or a character XML
 * 1.0 does not allow (NUL and other C0 controls, unpaired surrogates, U+FFFE/U+FFFF). The message
 * ends with `(at character N)` when `position` is known, and never quotes the document.
 */
export class XmlError extends MacsecConfigError {
  override name = 'XmlError';
  readonly reason: XmlErrorReason;
  readonly position: number | undefined;

  constructor(message: string, context: XmlErrorContext) {
    const bounded = message.length > MAX_XML_ERROR_MESSAGE ? `${message.slice(0, MAX_XML_ERROR_MESSAGE - 1)}…` : message;
    super(context.position === undefined ? bounded : `${bounded} (at character ${context.position})`, context);
    this.reason = context.reason;
    this.position = context.position;
  }
}
