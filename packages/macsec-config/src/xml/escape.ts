// The one escaping of text put into XML: NETCONF RPCs (junos-netconf) and rendered configuration
// (render-xml.ts) both go through these.

const TEXT_SPECIAL = /[&<>]/;

/** Escape text for an XML text node. Most values (names, hex, start-times) need nothing and come back as they are. */
export function escapeXmlText(text: string): string {
  return TEXT_SPECIAL.test(text) ? text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')) : text;
}

/** Escape text for a double-quoted XML attribute value (line ends and tabs too, which a parser would otherwise normalise to spaces). */
export function escapeXmlAttribute(text: string): string {
  return text.replace(/[&<>"\r\n\t]/g, (c) => ATTR_ESCAPES[c]!);
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;',
};
