import { XmlError } from './errors.js';
import { MAX_XML_DEPTH, readXml, type XmlBuilder } from './reader.js';
import { intern } from './intern.js';

/** Attribute keys in parsed objects carry this prefix: `{ 'rpc-reply': { '@_message-id': '101' } }`. */
export const ATTR_PREFIX = '@_';
/** Key of an element's text when it also has attributes or children. */
export const TEXT_KEY = '#text';
export { MAX_XML_DEPTH };

/** An element with its children in document order (for replies where sibling order carries meaning). */
export interface XmlElement {
  readonly name: string;
  /** Read-only: an element without attributes shares one frozen empty object with the others. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Read-only: an element without children shares one frozen empty array with the others. */
  readonly children: readonly XmlElement[];
  /** Concatenated direct text content, trimmed. */
  readonly text: string;
}

// XML 1.0 Char production: everything except C0 controls other than TAB/LF/CR, unpaired
// surrogates, U+FFFE and U+FFFF (they would otherwise pass through into values).
const ILLEGAL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkCharacters(xml: string): void {
  if (typeof xml !== 'string') throw new XmlError(`expected an XML string, got ${typeof xml}`, { reason: 'not-a-string' });
  const bad = ILLEGAL_CHARACTER.exec(xml);
  if (!bad) return;
  const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  const what = bad[0] >= '\ud800' && bad[0] <= '\udfff' ? `unpaired surrogate U+${code}` : `character U+${code}`;
  throw new XmlError(`${what} is not a legal XML 1.0 character`, { reason: 'character', position: bad.index });
}

/**
 * Sets a new key of a plain object (one that does not have it yet) as an own property, even when
 * the name is one Object.prototype has (`toString`, `valueOf`, …). `key in Object.prototype`, not
 * `key in obj`: the same answer for such an object, asked of one receiver, where `in` on the
 * objects a parse builds (a different shape for every element) was a megamorphic lookup.
 */
function setKey(obj: Record<string, unknown>, key: string, v: unknown): void {
  if (key in Object.prototype) Object.defineProperty(obj, key, { value: v, writable: true, enumerable: true, configurable: true });
  else obj[key] = v;
}

/** Adds a child value under `name`: a repeated name becomes an array. */
function addChild(parent: Record<string, unknown>, name: string, v: unknown): void {
  if (name in Object.prototype) {
    if (!Object.hasOwn(parent, name)) return setKey(parent, name, v);
  } else if (parent[name] === undefined) {
    // Values are never undefined (strings, objects, arrays), so this is "not set yet".
    parent[name] = v;
    return;
  }
  const prev = parent[name];
  if (Array.isArray(prev)) prev.push(v);
  else parent[name] = [prev, v];
}

// `@_name` keys, made once per attribute name rather than once per attribute read.
const ATTRIBUTE_KEYS = new Map<string, string>();
function attributeKey(name: string): string {
  let key = ATTRIBUTE_KEYS.get(name);
  if (key === undefined) {
    key = ATTR_PREFIX + name;
    // Flat copies: past the reader's name table a name may be a slice of the reply it came in.
    if (ATTRIBUTE_KEYS.size < 1024) ATTRIBUTE_KEYS.set(intern(name), (key = intern(key)));
  }
  return key;
}

/** An open element while its children are read. Reused per depth: one parse allocates them once. */
interface Frame {
  name: string;
  attributes: string[] | undefined;
  children: Record<string, unknown> | undefined;
  text: string | undefined;
}

// The builders are classes, not object literals of closures with a `get result()`: such a literal
// made per parse kept every object of its tree alive through young-generation collections (V8
// roots it from old space until a full GC), so each reply's whole parse was copied and promoted.
// At thousands of replies in flight that was most of the client's GC (README, "Performance").

/**
 * Builds the object shape (fast-xml-parser's, which this package used before): an element with
 * neither attributes nor children is its text ('' when empty); otherwise an object of its children
 * (a repeated name becomes an array), then `#text`, then `@_`-prefixed attributes.
 */
class ObjectBuilder implements XmlBuilder {
  private readonly root: Frame = { name: '', attributes: undefined, children: undefined, text: undefined };
  private readonly stack: Frame[] = [this.root];
  private depth = 0;
  private top: Frame = this.root;

  result(): Record<string, unknown> {
    return this.root.children ?? {};
  }

  open(name: string, attributes: string[] | undefined): void {
    const f = this.stack[++this.depth];
    if (f === undefined) this.stack.push((this.top = { name, attributes, children: undefined, text: undefined }));
    else {
      f.name = name;
      f.attributes = attributes;
      f.children = undefined;
      f.text = undefined;
      this.top = f;
    }
  }

  text(v: string): void {
    const top = this.top;
    top.text = top.text === undefined ? v : top.text + v;
  }

  close(): void {
    const f = this.top;
    const top = (this.top = this.stack[--this.depth]!);
    let v: unknown;
    if (f.attributes === undefined && f.children === undefined) v = f.text ?? '';
    else {
      const obj = f.children ?? {};
      if (f.text !== undefined) obj[TEXT_KEY] = f.text;
      const a = f.attributes;
      if (a) for (let k = 0; k < a.length; k += 2) obj[attributeKey(a[k]!)] = a[k + 1];
      v = obj;
    }
    f.children = undefined; // the frame is reused: it must not keep the tree
    f.attributes = undefined;
    addChild((top.children ??= {}), f.name, v);
  }
}

// Most elements of a reply are leaves without attributes: they share these two (frozen) instead of
// an empty object and an empty array each.
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});
const NO_CHILDREN: readonly XmlElement[] = Object.freeze([]);

/** An element while it is built. */
interface Building {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: readonly XmlElement[];
  text: string;
}

/**
 * The tree in document order. The children of the open elements wait in one shared list and each
 * element gets an array of exactly its own at its end tag: an array grown by push holds room for
 * 17 after its first element, and most elements here have one to five.
 */
class OrderedBuilder implements XmlBuilder {
  private readonly pending: Building[] = [];
  /** Per open element: where its children start in `pending`. */
  private readonly starts: number[] = [];
  private readonly unclosed: Building[] = [];
  private top: Building | undefined = undefined;

  result(): XmlElement[] {
    return this.pending.splice(0);
  }

  open(name: string, attributes: string[] | undefined): void {
    let attrs = NO_ATTRIBUTES;
    if (attributes) {
      const own: Record<string, string> = {};
      for (let k = 0; k < attributes.length; k += 2) setKey(own, attributes[k]!, attributes[k + 1]);
      attrs = own;
    }
    const el: Building = { name, attributes: attrs, children: NO_CHILDREN, text: '' };
    this.pending.push(el);
    this.starts.push(this.pending.length);
    this.unclosed.push(el);
    this.top = el;
  }

  text(v: string): void {
    this.top!.text += v;
  }

  close(): void {
    const el = this.unclosed.pop()!;
    const start = this.starts.pop()!;
    if (this.pending.length > start) el.children = this.pending.splice(start);
    el.text = el.text.trim(); // a decoded reference may end in whitespace
    this.top = this.unclosed[this.unclosed.length - 1];
  }
}

/**
 * The one XML parse used for everything a peer sends: a single pass (xml/reader.ts). Refuses
 * DOCTYPE, ENTITY and other declarations, unknown entity references, characters XML 1.0 does not
 * allow, malformed XML and nesting deeper than MAX_XML_DEPTH. Values stay strings (no number
 * coercion: "0001" must not become 1); names lose their namespace prefix; attributes appear as
 * `@_name`; mixed text as `#text`.
 */
export function parseXml(xml: string): Record<string, unknown> {
  checkCharacters(xml);
  const b = new ObjectBuilder();
  readXml(xml, b);
  return b.result();
}

/**
 * Same safety checks as parseXml, with the document's content handed to `builder` as it is read:
 * for a caller that keeps a few values of a reply and needs no tree of it.
 */
export function parseXmlWith(xml: string, builder: XmlBuilder): void {
  checkCharacters(xml);
  readXml(xml, builder);
}

/** Same safety checks as parseXml, but keeps sibling order: returns the root element (an array of one, as before). */
export function parseXmlOrdered(xml: string): XmlElement[] {
  checkCharacters(xml);
  const b = new OrderedBuilder();
  readXml(xml, b);
  return b.result();
}
