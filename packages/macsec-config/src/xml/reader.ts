// The one pass over a peer's XML: well-formedness, the safety refusals and the events a tree is
// built from, together. It replaced fast-xml-parser's validator followed by its parser (two full
// passes, and a path string built per callback): on the rotator's replies the client spent more
// CPU in those two passes and their garbage than in SSH (package README, "Performance").
import { intern } from './intern.js';
import { XmlError } from './errors.js';

/** Deepest element nesting accepted (Junos configuration stays far below this). */
export const MAX_XML_DEPTH = 256;

/** Receives a document's content in order. Names are local (namespace prefix removed). */
export interface XmlBuilder {
  /** `attributes`: name, value, name, value…; xmlns declarations left out; undefined when none. */
  open(name: string, attributes: string[] | undefined): void;
  /** Character data between two tags (comments and CDATA joined in), trimmed, references decoded; never empty. */
  text(value: string): void;
  close(): void;
}

// A Map, not an object literal: `ref in {…}` also matches inherited keys, so `&constructor;` or
// `&toString;` would pass as entities and decode to Object.prototype's functions.
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);
/** Names that would reach Object.prototype when used as keys of the parsed objects. */
const REFUSED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

const NAME_START = ':A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD';
const NAME_CHAR = `${NAME_START}\\-.\\d\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NCNAME = `[${NAME_START.slice(1)}][${NAME_CHAR.slice(1)}]*`;
/** A qualified name: at most one colon, with a name on each side. */
const QNAME = new RegExp(`^(?:${NCNAME}:)?${NCNAME}$`);
/** An XML 1.0 Name (colons anywhere): what attribute names may be, as before; a caller may refuse more. */
const NAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`);

// Errors never quote the document: a malformed reply can put a secret where a name or a
// reference should be (`<cak>12<ab34…` reads as an element named by the rest of the key). They say
// what is wrong and where (XmlError adds the position).

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
function onlySpace(xml: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(xml.charCodeAt(i))) return false;
  return true;
}

/** A name already checked: its qualified form as written and the key the tree gets (interned: no reply text held). */
interface KnownName {
  qname: string;
  local: string;
  next: KnownName | undefined; // same hash
}

/**
 * Names already checked, found by a hash of their characters where they stand in the document: a
 * fleet's replies use a few hundred names over and over, and each start tag cut its name out (a
 * string per element) and ran the name pattern on it. Bounded, so a peer inventing names cannot
 * grow it; and at most MAX_SAME_HASH names per hash, as the hash is easy to collide on purpose
 * ("Aa" and "BB"): a peer sending thousands of colliding names would otherwise make every start
 * tag walk all of them.
 */
export class NameTable {
  readonly #byHash = new Map<number, KnownName>();
  #size = 0;
  find(xml: string, from: number, to: number, hash: number): KnownName | undefined {
    for (let n = this.#byHash.get(hash); n !== undefined; n = n.next) if (n.qname.length === to - from && xml.startsWith(n.qname, from)) return n;
    return undefined;
  }
  /** Remembers a checked name (while there is room); returns its entry either way. */
  add(hash: number, qname: string, local: string): KnownName {
    const head = this.#byHash.get(hash);
    let same = 0;
    for (let n = head; n !== undefined; n = n.next) same++;
    if (this.#size >= MAX_CACHED_NAMES || same >= MAX_SAME_HASH) return { qname, local, next: undefined };
    this.#size++;
    const known: KnownName = { qname: intern(qname), local: intern(local), next: head };
    this.#byHash.set(hash, known);
    return known;
  }
}
const MAX_CACHED_NAMES = 4096;
export const MAX_SAME_HASH = 8;
const ELEMENT_NAMES = new NameTable();
const ATTRIBUTE_NAMES = new NameTable();

/** The hash of the name nameEnd last scanned (set by it, so a scan returns one number). */
let scannedHash = 0;

/** Where a name ends: whitespace, '/', '>', '=', or the end. Leaves the name's hash in scannedHash. */
function nameEnd(xml: string, i: number): number {
  let h = 0;
  for (; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (c === 0x3e || c === 0x2f || c === 0x3d || isSpace(c)) break;
    h = (Math.imul(h, 31) + c) | 0;
  }
  scannedHash = h;
  return i;
}

/** Checks one reference at xml[at] === '&'; returns the index after its ';'. */
function checkReference(xml: string, at: number): number {
  const semi = xml.indexOf(';', at);
  const ref = semi < 0 || semi - at > 12 ? '' : xml.slice(at + 1, semi);
  if (PREDEFINED.has(ref)) return semi + 1;
  const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
  if (numeric) {
    const cp = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number.parseInt(numeric[2]!, 10);
    const allowed = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (allowed) return semi + 1;
    throw new XmlError('a character reference to a character XML 1.0 does not allow', { reason: 'entity', position: at });
  }
  throw new XmlError('an entity reference that is not one of the five predefined XML entities (DTD entities are refused)', { reason: 'entity', position: at });
}

const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;
/** Decodes the references of a value whose references were all checked. */
function decodeReferences(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(REFERENCE, (_m, ref: string) => {
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.startsWith('#x') ? ref.slice(2) : ref.slice(1), ref.startsWith('#x') ? 16 : 10));
    return PREDEFINED.get(ref)!;
  });
}

/** Checks the references in xml[from, to) (raising the first bad one at its position). */
function checkReferences(xml: string, from: number, to: number): void {
  for (let amp = xml.indexOf('&', from); amp >= 0 && amp < to; amp = xml.indexOf('&', amp + 1)) {
    if (checkReference(xml, amp) > to) throw new XmlError('reference is not terminated', { reason: 'entity', position: amp });
  }
}

/** A value as the tree gets it: line ends normalised (XML 1.0 §2.11), trimmed, references decoded. */
function value(raw: string): string {
  const v = (raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw).trim();
  return decodeReferences(v);
}

const escapeCdata = (text: string): string => text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

/** The element name at xml[from, to) (hash: scannedHash of it), checked once per distinct name. */
function elementName(xml: string, from: number, to: number, hash: number): KnownName {
  const known = ELEMENT_NAMES.find(xml, from, to, hash);
  if (known !== undefined) return known;
  const qname = xml.slice(from, to);
  if (!QNAME.test(qname)) throw new XmlError(qname === '' ? 'element has no name' : 'element name is not a valid XML name', { reason: 'malformed', position: from });
  const local = qname.slice(qname.indexOf(':') + 1);
  if (REFUSED_NAMES.has(local)) throw new XmlError(`element name '${local}' is refused (it would reach Object.prototype)`, { reason: 'malformed', position: from });
  return ELEMENT_NAMES.add(hash, qname, local);
}

/**
 * The key of an attribute: '' for a namespace declaration (dropped); the local part of
 * `prefix:name`; any other Name as it is (`a:b:c`, `:x`), for the caller to judge — sim-junos
 * answers such an <rpc> attribute with its own error and the message-id.
 */
function attributeName(xml: string, from: number, to: number, hash: number): KnownName {
  const known = ATTRIBUTE_NAMES.find(xml, from, to, hash);
  if (known !== undefined) return known;
  const aQname = xml.slice(from, to);
  if (!NAME.test(aQname)) throw new XmlError(aQname === '' ? 'attribute has no name' : 'attribute name is not a valid XML name', { reason: 'malformed', position: from });
  const colon = aQname.indexOf(':');
  const local =
    aQname === 'xmlns' || (colon === 5 && aQname.startsWith('xmlns')) ? '' : colon >= 0 && aQname.indexOf(':', colon + 1) < 0 ? aQname.slice(colon + 1) : aQname;
  if (REFUSED_NAMES.has(local)) throw new XmlError(`attribute name '${local}' is refused (it would reach Object.prototype)`, { reason: 'malformed', position: from });
  return ATTRIBUTE_NAMES.add(hash, aQname, local);
}

/**
 * Reads `xml` (already checked for illegal characters) into `builder`, or throws XmlError: a
 * DOCTYPE (`doctype`), another markup declaration (`declaration`), a reference that is not one of
 * the five predefined entities or a legal character (`entity`), or anything not well-formed
 * (`malformed`). Positions are indices into `xml`.
 */
export function readXml(xml: string, builder: XmlBuilder): void {
  new Reader(xml, builder).read();
}

/**
 * One read's state: a class of plain fields (not a function with nested ones, which made seven
 * closures and a context per document read — every reply).
 */
class Reader {
  private readonly open: string[] = []; // qualified names of the open elements
  private roots = 0; // 0 or 1: a document has one root element
  private text = ''; // character data since the last tag, raw (CDATA escaped), comments dropped
  private textFrom = -1; // start of the pending raw run in xml, or -1
  // Past the depth limit the reading goes on without the builder, so a document that is also
  // malformed elsewhere is reported as malformed (the more useful message); the depth error comes last.
  private tooDeepAt = -1;

  constructor(
    private readonly xml: string,
    private readonly builder: XmlBuilder,
  ) {}

  read(): void {
    const xml = this.xml;
    let i = 0;
    while (i < xml.length && /\s/.test(xml[i]!)) i++; // chunked framing may put a line break before the declaration
    while (i < xml.length) {
      const lt = xml.indexOf('<', i);
      const runEnd = lt < 0 ? xml.length : lt;
      // A run of whitespace before any text (the indentation between tags) is trimmed away anyway:
      // not cut out and concatenated for nothing.
      if (runEnd > i && !(this.text === '' && onlySpace(xml, i, runEnd))) {
        checkReferences(xml, i, runEnd);
        if (this.textFrom < 0) this.textFrom = i;
        this.text += xml.slice(i, runEnd);
      }
      if (lt < 0) break;
      const c1 = xml.charCodeAt(lt + 1);
      if (c1 === 0x21 /* ! */) {
        i = this.markupDeclaration(lt);
        continue;
      }
      this.flushText();
      if (c1 === 0x3f /* ? */) {
        const close = xml.indexOf('?>', lt + 2);
        if (close < 0) throw new XmlError('processing instruction is not closed', { reason: 'malformed', position: lt });
        const target = xml.slice(lt + 2, nameEnd(xml, lt + 2));
        if (target.toLowerCase() === 'xml' && lt !== xml.indexOf('<')) throw new XmlError('XML declaration allowed only at the start of the document', { reason: 'malformed', position: lt });
        i = close + 2;
      } else if (c1 === 0x2f /* / */) {
        i = this.closeTag(lt);
      } else {
        i = this.startTag(lt);
      }
    }
    this.flushText();
    const open = this.open;
    if (open.length > 0) {
      const n = open.length;
      throw new XmlError(n === 1 ? 'an element is not closed at the end of the document' : `${n} elements are not closed at the end of the document`, { reason: 'malformed', position: xml.length });
    }
    if (this.tooDeepAt >= 0) throw new XmlError(`elements nested deeper than ${MAX_XML_DEPTH} levels`, { reason: 'malformed', position: this.tooDeepAt });
    if (this.roots === 0) throw new XmlError('document is empty', { reason: 'malformed' });
  }

  private flushText(): void {
    const text = this.text;
    if (text === '') return;
    if (this.open.length === 0) {
      const stray = /\S/.exec(text);
      if (stray) throw new XmlError('text outside the root element', { reason: 'malformed', position: this.textFrom });
    } else {
      const v = value(text);
      if (v !== '' && this.tooDeepAt < 0) this.builder.text(v);
    }
    this.text = '';
    this.textFrom = -1;
  }

  /** `<!--`, `<![CDATA[`, a DOCTYPE or another declaration at xml[lt]; returns where to go on. */
  private markupDeclaration(lt: number): number {
    const xml = this.xml;
    if (xml.startsWith('<!--', lt)) {
      const close = xml.indexOf('-->', lt + 4);
      if (close < 0) throw new XmlError('comment is not closed', { reason: 'malformed', position: lt });
      return close + 3;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const close = xml.indexOf(']]>', lt + 9);
      if (close < 0) throw new XmlError('CDATA section is not closed', { reason: 'malformed', position: lt });
      if (this.open.length === 0) throw new XmlError('CDATA section outside the root element', { reason: 'malformed', position: lt });
      if (this.textFrom < 0) this.textFrom = lt;
      this.text += escapeCdata(xml.slice(lt + 9, close));
      return close + 3;
    }
    if (/^<!doctype/i.test(xml.slice(lt, lt + 9))) {
      throw new XmlError('DOCTYPE declarations are refused (entity expansion and external entities)', { reason: 'doctype', position: lt });
    }
    throw new XmlError('a markup declaration (<!…) is refused', { reason: 'declaration', position: lt });
  }

  private closeTag(lt: number): number {
    const xml = this.xml;
    const end = nameEnd(xml, lt + 2);
    if (end === lt + 2) throw new XmlError('closing tag has no name', { reason: 'malformed', position: lt });
    let j = end;
    while (j < xml.length && isSpace(xml.charCodeAt(j))) j++;
    if (xml.charCodeAt(j) !== 0x3e) throw new XmlError("closing tag is not closed by '>'", { reason: 'malformed', position: lt });
    const expected = this.open.pop();
    if (expected === undefined) throw new XmlError('closing tag has no opening tag', { reason: 'malformed', position: lt });
    // Compared where it stands: no string cut out per element.
    if (expected.length !== end - lt - 2 || !xml.startsWith(expected, lt + 2)) throw new XmlError('closing tag does not match the open element', { reason: 'malformed', position: lt });
    if (this.tooDeepAt < 0) this.builder.close();
    return j + 1;
  }

  private startTag(lt: number): number {
    const xml = this.xml;
    const open = this.open;
    const end = nameEnd(xml, lt + 1);
    const element = elementName(xml, lt + 1, end, scannedHash);
    const qname = element.qname;
    const name = element.local;
    if (open.length === 0 && this.roots > 0) throw new XmlError('a second root element', { reason: 'malformed', position: lt });
    if (open.length >= MAX_XML_DEPTH && this.tooDeepAt < 0) this.tooDeepAt = lt;
    let attributes: string[] | undefined;
    let seen: string[] | undefined;
    let j = end;
    for (;;) {
      const spaced = j < xml.length && isSpace(xml.charCodeAt(j));
      while (j < xml.length && isSpace(xml.charCodeAt(j))) j++;
      const c = xml.charCodeAt(j);
      if (c === 0x3e /* > */ || (c === 0x2f /* / */ && xml.charCodeAt(j + 1) === 0x3e)) {
        if (open.length === 0) this.roots++;
        const building = this.tooDeepAt < 0;
        if (building) this.builder.open(name, attributes);
        if (c === 0x3e) {
          open.push(qname);
          return j + 1;
        }
        if (building) this.builder.close();
        return j + 2;
      }
      if (j >= xml.length) throw new XmlError('start tag is not closed', { reason: 'malformed', position: lt });
      if (!spaced) throw new XmlError('attributes must be separated by whitespace', { reason: 'malformed', position: j });
      const nameAt = j;
      const aEnd = nameEnd(xml, j);
      const aHash = scannedHash;
      j = aEnd;
      while (j < xml.length && isSpace(xml.charCodeAt(j))) j++;
      if (xml.charCodeAt(j) !== 0x3d /* = */) throw new XmlError('attribute has no value', { reason: 'malformed', position: nameAt });
      j++;
      while (j < xml.length && isSpace(xml.charCodeAt(j))) j++;
      const quote = xml.charCodeAt(j);
      if (quote !== 0x22 && quote !== 0x27) throw new XmlError('attribute value is not quoted', { reason: 'malformed', position: j });
      const close = xml.indexOf(quote === 0x22 ? '"' : "'", j + 1);
      if (close < 0) throw new XmlError('attribute value is not closed', { reason: 'malformed', position: j });
      const lt2 = xml.indexOf('<', j + 1);
      if (lt2 >= 0 && lt2 < close) throw new XmlError("'<' in an attribute value", { reason: 'malformed', position: lt2 });
      checkReferences(xml, j + 1, close);
      const attribute = attributeName(xml, nameAt, aEnd, aHash);
      seen ??= [];
      if (seen.includes(attribute.qname)) throw new XmlError('an attribute is repeated', { reason: 'malformed', position: nameAt });
      seen.push(attribute.qname);
      const local = attribute.local;
      if (local !== '') (attributes ??= []).push(local, value(xml.slice(j + 1, close)));
      j = close + 1;
    }
  }
}
