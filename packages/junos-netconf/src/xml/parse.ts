// The XML reading of every reply: macsec-config's one hardened reader, with its refusals thrown
// as this package's XmlError (so `instanceof` this package's errors catches them). Anything else
// thrown while reading — a caller's builder's own error — goes through as it is.
import { parseXml as read, parseXmlOrdered as readOrdered, parseXmlWith as readWith, XmlError as ReaderError, type XmlBuilder, type XmlElement } from '@qkd-macsec/macsec-config/xml';
import { XmlError } from './errors.js';

export { ATTR_PREFIX, MAX_XML_DEPTH, TEXT_KEY } from '@qkd-macsec/macsec-config/xml';
export type { XmlBuilder, XmlElement };

function own(err: unknown): unknown {
  return err instanceof ReaderError ? new XmlError(err.message, { reason: err.reason, position: err.position, cause: err }) : err;
}

/**
 * Parses a peer's XML into objects: values stay strings, names lose their namespace prefix,
 * attributes appear as `@_name`, mixed text as `#text`. Refuses DOCTYPE, ENTITY and other
 * declarations, unknown entity references, characters XML 1.0 does not allow, malformed XML and
 * nesting deeper than MAX_XML_DEPTH (XmlError).
 */
export function parseXml(xml: string): Record<string, unknown> {
  try {
    return read(xml);
  } catch (err) {
    throw own(err);
  }
}

/** Same checks as parseXml, but keeps sibling order: returns the root element (an array of one). */
export function parseXmlOrdered(xml: string): XmlElement[] {
  try {
    return readOrdered(xml);
  } catch (err) {
    throw own(err);
  }
}

/** Same checks as parseXml, with the content handed to `builder` as it is read (no tree built). */
export function parseXmlWith(xml: string, builder: XmlBuilder): void {
  try {
    readWith(xml, builder);
  } catch (err) {
    throw own(err);
  }
}
