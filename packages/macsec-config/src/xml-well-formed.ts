// The two XML 1.0 well-formedness rules fast-xml-parser does not enforce: every character is a
// `Char`, and every reference is one of the five predefined entities or a character reference to
// a `Char` (there is no DTD, so nothing else is defined). Checked over the whole document, not
// only the values the model reads: a document that breaks them is not XML, wherever it does.
// Errors name the position and never quote document text (a CAK could sit next to the fault).
import { ConfigParseError } from './errors.js';

/** XML 1.0 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

// A character XML 1.0 does not allow, raw in the document: C0 controls but TAB/LF/CR, U+FFFE/U+FFFF,
// and surrogates that do not form a pair.
const NON_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses a raw character outside `Char`. Runs before any parsing. */
export function checkCharacters(xml: string): void {
  const bad = NON_XML_CHAR.exec(xml);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new ConfigParseError(`character U+${code} at offset ${bad.index} is not allowed in XML 1.0`, { path: '(document)' });
  }
}

// Comments and CDATA sections hold no references; every other `&` must start one. (A `&` inside
// a processing instruction is refused too: Junos sends none, and the XML declaration allows none.)
const SKIP_OR_AMP = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|&/g;
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;

function position(xml: string, offset: number): string {
  const before = xml.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/**
 * Refuses an undefined entity reference (a bare `&` included) or a character reference to a
 * character outside `Char`. Runs after XMLValidator has accepted the markup, so comments and
 * CDATA sections are closed.
 */
export function checkReferences(xml: string): void {
  for (const m of xml.matchAll(SKIP_OR_AMP)) {
    if (m[0] !== '&') continue;
    REFERENCE.lastIndex = m.index;
    const ref = REFERENCE.exec(xml);
    if (!ref) throw new ConfigParseError(`undefined entity reference at ${position(xml, m.index)}`, { path: '(document)' });
    const code = ref[2] !== undefined ? Number(ref[2]) : ref[3] !== undefined ? Number.parseInt(ref[3], 16) : undefined;
    if (code === undefined || isXmlChar(code)) continue;
    const what = code > 0x10ffff ? 'a character beyond U+10FFFF' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    throw new ConfigParseError(`reference to ${what} at ${position(xml, m.index)} is not allowed in XML 1.0`, { path: '(document)' });
  }
}
