import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { escapeXmlText } from './escape.js';
import { XmlError } from './errors.js';

/** Attribute keys in parsed objects carry this prefix: `{ 'rpc-reply': { '@_message-id': '101' } }`. */
export const ATTR_PREFIX = '@_';
/** Key of an element's text when it also has attributes or children. */
export const TEXT_KEY = '#text';
/** Deepest element nesting accepted (Junos configuration stays far below this). */
export const MAX_XML_DEPTH = 256;

// A Map, not an object literal: `ref in {…}` also matches inherited keys, so `&constructor;` or
// `&toString;` would pass as entities and decode to Object.prototype's functions.
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);
const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;

function decodeReferences(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(REFERENCE, (_m, ref: string) => {
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.startsWith('#x') ? ref.slice(2) : ref.slice(1), ref.startsWith('#x') ? 16 : 10));
    return PREDEFINED.get(ref)!; // sanitize() already refused anything else
  });
}

// Shared by both parsers. Entities are never expanded by the parser: sanitize() refuses DTDs and
// unknown references, and the five predefined ones plus character references are decoded here.
const safeOptions = {
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: false,
  htmlEntities: false,
  maxNestedTags: MAX_XML_DEPTH,
  tagValueProcessor: (_name: string, value: string) => decodeReferences(value),
  attributeValueProcessor: (_name: string, value: string) => decodeReferences(value),
} as const;

const parser = new XMLParser({ ...safeOptions, attributeNamePrefix: ATTR_PREFIX, textNodeName: TEXT_KEY });

const orderedParser = new XMLParser({ ...safeOptions, preserveOrder: true, attributeNamePrefix: '' });

/** An element with its children in document order (for replies where sibling order carries meaning). */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated direct text content, trimmed. */
  text: string;
}

function toElements(nodes: unknown[]): { elements: XmlElement[]; text: string } {
  const elements: XmlElement[] = [];
  let text = '';
  for (const node of nodes as Array<Record<string, unknown>>) {
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@') continue;
      if (key === TEXT_KEY) {
        text += String(value);
        continue;
      }
      const inner = toElements(Array.isArray(value) ? value : []);
      elements.push({ name: key, attributes: { ...((node[':@'] as Record<string, string> | undefined) ?? {}) }, children: inner.elements, text: inner.text.trim() });
    }
  }
  return { elements, text };
}

/** Same safety checks as parseXml, but keeps sibling order: returns the top-level elements. */
export function parseXmlOrdered(xml: string): XmlElement[] {
  const clean = checked(xml);
  try {
    return toElements(orderedParser.parse(clean) as unknown[]).elements;
  } catch (err) {
    throw new XmlError('malformed', libraryMessage(err instanceof Error ? err.message : String(err)));
  }
}

function checked(xml: string): string {
  if (typeof xml !== 'string') throw new XmlError('not-a-string', `expected an XML string, got ${typeof xml}`);
  checkCharacters(xml);
  // Whitespace before the XML declaration is not well-formed XML, but chunked framing lets a
  // peer put a line break there; it carries no meaning, so drop it (after sanitize(), so the
  // positions it reports are those of the document as received).
  const clean = sanitize(xml).trimStart();
  if (clean.trim() === '') throw new XmlError('malformed', 'document is empty');
  const valid = XMLValidator.validate(clean);
  if (valid !== true) {
    const open = unclosedElements(valid.err.msg);
    if (open) throw new XmlError('malformed', open, xml.length);
    throw new XmlError('malformed', `${libraryMessage(valid.err.msg)} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  return clean;
}

/** Longest document text (a tag or attribute name) quoted in an error. */
const MAX_QUOTED = 64;
const shorten = (text: string) => (text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);

/** fast-xml-parser's own message, with the document text it quotes cut short. */
function libraryMessage(message: string): string {
  return message.replace(/'([^']*)'/g, (_quoted, inner: string) => `'${shorten(inner)}'`);
}

/**
 * The validator reports a document that ends inside several elements as `Invalid '[ every open
 * tag ]' found.` at line 1, column 1 (tens of kilobytes for a deep nest): say how many, which,
 * and that the end of the document is where it failed.
 */
function unclosedElements(message: string): string | undefined {
  const list = /^Invalid '(\[[\s\S]*\])' found\.$/.exec(message)?.[1];
  if (list === undefined) return undefined;
  let tags: unknown;
  try {
    tags = JSON.parse(list);
  } catch {
    return undefined;
  }
  if (!Array.isArray(tags) || tags.length === 0) return undefined;
  return `${tags.length} elements are not closed at the end of the document (outermost <${shorten(String(tags[0]))}>, innermost <${shorten(String(tags.at(-1)))}>)`;
}

// XML 1.0 Char production: everything except C0 controls other than TAB/LF/CR, unpaired
// surrogates, U+FFFE and U+FFFF (the parser would otherwise pass them through into values).
const ILLEGAL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkCharacters(xml: string): void {
  const bad = ILLEGAL_CHARACTER.exec(xml);
  if (!bad) return;
  const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  const what = bad[0] >= '\ud800' && bad[0] <= '\udfff' ? `unpaired surrogate U+${code}` : `character U+${code}`;
  throw new XmlError('character', `${what} is not a legal XML 1.0 character`, bad.index);
}

function checkReference(xml: string, at: number): number {
  const semi = xml.indexOf(';', at);
  const ref = semi < 0 || semi - at > 12 ? '' : xml.slice(at + 1, semi);
  if (PREDEFINED.has(ref)) return semi + 1;
  const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
  if (numeric) {
    const cp = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number.parseInt(numeric[2]!, 10);
    const allowed = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (allowed) return semi + 1;
    throw new XmlError('entity', `character reference &${ref}; is not a legal XML character`, at);
  }
  const shown = ref === '' ? xml.slice(at, at + 12) : `&${ref};`;
  throw new XmlError('entity', `entity reference ${JSON.stringify(shown)} is not one of the five predefined XML entities (DTD entities are refused)`, at);
}

/**
 * One linear pass that refuses DOCTYPE, markup declarations and unknown entity references,
 * drops comments and turns CDATA sections into escaped text, so the parser only ever sees
 * elements, attributes, text and the predefined references.
 */
function sanitize(xml: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  for (;;) {
    const lt = xml.indexOf('<!', i);
    const amp = xml.indexOf('&', i);
    if (lt < 0 && amp < 0) break;
    if (amp >= 0 && (lt < 0 || amp < lt)) {
      i = checkReference(xml, amp);
      continue;
    }
    out += xml.slice(copied, lt);
    if (xml.startsWith('<!--', lt)) {
      const close = xml.indexOf('-->', lt + 4);
      if (close < 0) throw new XmlError('malformed', 'comment is not closed', lt);
      i = copied = close + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const close = xml.indexOf(']]>', lt + 9);
      if (close < 0) throw new XmlError('malformed', 'CDATA section is not closed', lt);
      out += escapeXmlText(xml.slice(lt + 9, close));
      i = copied = close + 3;
    } else if (/^<!doctype/i.test(xml.slice(lt, lt + 9))) {
      throw new XmlError('doctype', 'DOCTYPE declarations are refused (entity expansion and external entities)', lt);
    } else {
      throw new XmlError('declaration', `markup declaration ${JSON.stringify(xml.slice(lt, lt + 10))} is refused`, lt);
    }
  }
  return copied === 0 ? xml : out + xml.slice(copied);
}

/**
 * The one XML parse used for everything a peer sends. Refuses DOCTYPE, ENTITY and other
 * declarations, unknown entity references, malformed XML and nesting deeper than MAX_XML_DEPTH.
 * Values stay strings (no number coercion: "0001" must not become 1); names lose their
 * namespace prefix; attributes appear as `@_name`; mixed text as `#text`.
 */
export function parseXml(xml: string): Record<string, unknown> {
  const clean = checked(xml);
  try {
    return parser.parse(clean) as Record<string, unknown>;
  } catch (err) {
    throw new XmlError('malformed', libraryMessage(err instanceof Error ? err.message : String(err)));
  }
}
