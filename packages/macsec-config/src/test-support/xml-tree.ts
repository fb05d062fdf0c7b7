// Test and benchmark support: an XML string as the XmlTreeElement tree readConfigurationTree takes
// (junos-netconf's parseXmlOrdered shape), built with fast-xml-parser's order-preserving mode, so
// the two readers can be compared on any document without depending on junos-netconf.
import { XMLParser } from 'fast-xml-parser';
import type { XmlTreeElement } from '../parse-xml.js';

const ordered = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  preserveOrder: true,
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (text: string) =>
  text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_w, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(Number.parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : PREDEFINED[e]!,
  );

type OrderedNode = Record<string, unknown>;

function element(node: OrderedNode): XmlTreeElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
  if (name === undefined) return undefined;
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries((node[':@'] as Record<string, string> | undefined) ?? {})) attributes[k] = decode(v);
  const children: XmlTreeElement[] = [];
  let text = '';
  for (const child of node[name] as OrderedNode[]) {
    if ('#text' in child) text += String(child['#text']);
    else {
      const el = element(child);
      if (el) children.push(el);
    }
  }
  return { name, attributes, children, text: decode(text).trim() };
}

/** The document's root element as an XmlTreeElement. */
export function xmlTree(xml: string): XmlTreeElement {
  const roots = (ordered.parse(xml) as OrderedNode[]).map(element).filter((e): e is XmlTreeElement => e !== undefined);
  if (roots.length !== 1) throw new Error(`expected one root element, got ${roots.length}`);
  return roots[0]!;
}
