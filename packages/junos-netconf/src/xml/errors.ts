export type XmlErrorReason = 'doctype' | 'declaration' | 'entity' | 'character' | 'malformed' | 'not-a-string';

/**
 * A peer sent XML that is refused: malformed, or carrying a DOCTYPE / markup declaration /
 * unknown entity reference (the vectors for entity-expansion bombs and external entities), or
 * a character XML 1.0 does not allow (NUL and other C0 controls, unpaired surrogates, U+FFFE/U+FFFF).
 * `position` is the character index in the document where the problem was found.
 */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  readonly reason: XmlErrorReason;
  readonly position: number | undefined;

  constructor(reason: XmlErrorReason, message: string, position?: number) {
    super(position === undefined ? message : `${message} (at character ${position})`);
    this.reason = reason;
    this.position = position;
  }
}
