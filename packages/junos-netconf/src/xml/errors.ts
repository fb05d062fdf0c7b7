export type XmlErrorReason = 'doctype' | 'declaration' | 'entity' | 'character' | 'malformed' | 'not-a-string';

/**
 * A peer sent XML that is refused: malformed, or carrying a DOCTYPE / markup declaration /
 * unknown entity reference (the vectors for entity-expansion bombs and external entities), or
 * a character XML 1.0 does not allow (NUL and other C0 controls, unpaired surrogates, U+FFFE/U+FFFF).
 * `position` is the character index in the document where the problem was found.
 */
/** Longest message an XmlError carries (before the position): a peer's document must not make an error of kilobytes. */
export const MAX_XML_ERROR_MESSAGE = 1024;

export class XmlError extends Error {
  override readonly name = 'XmlError';
  readonly reason: XmlErrorReason;
  readonly position: number | undefined;

  constructor(reason: XmlErrorReason, message: string, position?: number) {
    const bounded = message.length > MAX_XML_ERROR_MESSAGE ? `${message.slice(0, MAX_XML_ERROR_MESSAGE - 1)}…` : message;
    super(position === undefined ? bounded : `${bounded} (at character ${position})`);
    this.reason = reason;
    this.position = position;
  }
}
