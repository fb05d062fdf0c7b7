// The element tree the simulator reads RPCs and XML configuration from. Parsing is junos-netconf's
// safe ordered parse (DOCTYPE, entity declarations, unknown references, malformed markup and deep
// nesting refused), so the simulator refuses exactly what the client library refuses.
import { escapeXmlText, parseXmlOrdered, XmlError, type XmlElement } from '@qkd-macsec/junos-netconf/xml';

export type { XmlElement };

export class XmlInputError extends Error {
  override name = 'XmlInputError';
}

/** The one root element of `xml` (names without namespace prefix, xmlns attributes dropped, text trimmed). */
export function parseXmlDocument(xml: string): XmlElement {
  let roots: XmlElement[];
  try {
    roots = parseXmlOrdered(xml);
  } catch (e) {
    if (e instanceof XmlError) throw new XmlInputError(e.message, { cause: e });
    throw e;
  }
  if (roots.length !== 1) throw new XmlInputError(`expected one root element, found ${roots.length}`);
  return roots[0]!;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c ? c.text.trim() : undefined;
}

/** `<tag>text</tag>` with the text escaped; `<tag/>` when text is undefined. */
export function el(tag: string, text?: string | number): string {
  return text === undefined ? `<${tag}/>` : `<${tag}>${escapeXmlText(String(text))}</${tag}>`;
}
