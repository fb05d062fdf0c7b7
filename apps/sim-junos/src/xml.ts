// A small element tree for the XML the simulator receives (RPCs, XML configuration). Hostile input
// (DOCTYPE, entity declarations, malformed markup, more than one root) is refused with XmlInputError
// before anything else looks at it.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  /** Local name, namespace prefix removed (`nc:rpc` → `rpc`). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated direct text content. */
  text: string;
}

export class XmlInputError extends Error {
  override name = 'XmlInputError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line ? `${message} (line ${line})` : message);
  }
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const localName = (n: string) => n.slice(n.indexOf(':') + 1);

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function convert(item: Ordered): XmlElement | undefined {
  const key = Object.keys(item).find((k) => k !== ':@');
  if (!key || key === '#text' || key === '#comment') return undefined;
  const el: XmlElement = { name: localName(key), attrs: {}, children: [], text: '' };
  for (const [k, v] of Object.entries(item[':@'] ?? {})) if (!k.startsWith('xmlns')) el.attrs[localName(k)] = String(v);
  for (const child of (item[key] as Ordered[]) ?? []) {
    if ('#text' in child) el.text += String(child['#text']);
    else {
      const c = convert(child);
      if (c) el.children.push(c);
    }
  }
  return el;
}

/** `checked`: the caller already ran the shared safe parse (junos-netconf's parseXml) on this
 *  exact text, so the DOCTYPE and well-formedness checks need not run twice. */
export function parseXmlDocument(xml: string, opts: { checked?: boolean } = {}): XmlElement {
  if (!opts.checked) {
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new XmlInputError('DOCTYPE and entity declarations are not allowed');
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw new XmlInputError(`malformed XML: ${valid.err.msg}`, valid.err.line);
  }
  const roots = (parser.parse(xml) as Ordered[]).map(convert).filter((e): e is XmlElement => e !== undefined);
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

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `<tag>text</tag>` with the text escaped; `<tag/>` when text is undefined. */
export function el(tag: string, text?: string | number): string {
  return text === undefined ? `<${tag}/>` : `<${tag}>${escapeXml(String(text))}</${tag}>`;
}
