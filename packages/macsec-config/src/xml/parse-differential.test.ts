// The single-pass reader against what it replaced: fast-xml-parser's validator, then its parser,
// with the options this package used. Both must build the same objects for any well-formed
// document, and the reader must refuse whatever the validator refused.
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escapeXmlAttribute, escapeXmlText } from './escape.js';
import { XmlError } from './errors.js';
import { parseXml, parseXmlOrdered, type XmlElement } from './parse.js';

const REFERENCE = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (v: string) => v.replace(REFERENCE, (_m, r: string) => (r.startsWith('#') ? String.fromCodePoint(Number.parseInt(r.startsWith('#x') ? r.slice(2) : r.slice(1), r.startsWith('#x') ? 16 : 10)) : PREDEFINED[r]!));
const options = {
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_n: string, v: string) => decode(v),
  attributeValueProcessor: (_n: string, v: string) => decode(v),
} as const;
const oldParser = new XMLParser({ ...options, attributeNamePrefix: '@_', textNodeName: '#text' });
const oldOrdered = new XMLParser({ ...options, preserveOrder: true, attributeNamePrefix: '' });

/** The old parse of a document without comments or CDATA (the old sanitizer removed those first). */
function oldParse(xml: string): unknown {
  const clean = xml.trimStart();
  if (XMLValidator.validate(clean) !== true) throw new Error('invalid');
  return oldParser.parse(clean);
}
function oldElements(nodes: unknown[]): { elements: XmlElement[]; text: string } {
  const elements: XmlElement[] = [];
  let text = '';
  for (const node of nodes as Array<Record<string, unknown>>) {
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@') continue;
      if (key === '#text') text += String(value);
      else {
        const inner = oldElements(value as unknown[]);
        elements.push({ name: key, attributes: { ...((node[':@'] as Record<string, string>) ?? {}) }, children: inner.elements, text: inner.text.trim() });
      }
    }
  }
  return { elements, text };
}

// A document as a tree, rendered twice: with comments and CDATA sections (what the reader gets),
// and with them resolved as the old sanitizer did (comments dropped, CDATA escaped).
type Node = { el: string; attrs: Array<[string, string]>; kids: Node[] } | { text: string } | { comment: string } | { cdata: string } | { pi: string };
const names = fc.constantFrom('a', 'b', 'rpc-reply', 'nc:ok', 'junos:x', 'x.y_z-1', 'é', 'data');
const attrName = fc.constantFrom('id', 'message-id', 'junos:style', 'p:id', 'xmlns', 'xmlns:junos', 'q');
const textValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }).map((t) => escapeXmlText(t.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\r]/g, ''))),
  fc.constantFrom(' ', '\n  ', '&#32;x', 'y&#x41;&amp;', '&lt;&gt;&quot;&apos;'),
);
const leafNode: fc.Arbitrary<Node> = fc.oneof(
  textValue.map((text) => ({ text })),
  fc.string({ maxLength: 6 }).filter((c) => !c.includes('-') && !/[\u0000-\u001f\ufffe\uffff\ud800-\udfff]/.test(c)).map((comment) => ({ comment })),
  fc.string({ maxLength: 6 }).filter((c) => !c.includes(']]>') && !/[\u0000-\u001f\ufffe\uffff\ud800-\udfff]/.test(c)).map((cdata) => ({ cdata })),
  fc.constantFrom('<?pi x?>').map((pi) => ({ pi })),
);
const { tree } = fc.letrec<{ tree: Node; node: Node }>((tie) => ({
  tree: fc.record({
    el: names,
    attrs: fc.uniqueArray(fc.tuple(attrName, fc.string({ maxLength: 8 }).map((v) => escapeXmlAttribute(v.replace(/[\u0000-\u001f\ufffe\uffff\ud800-\udfff]/g, '')))), { selector: ([n]) => n, maxLength: 3 }),
    kids: fc.array(tie('node'), { maxLength: 4 }),
  }),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafNode, tie('tree')),
}));

function render(n: Node, resolved: boolean): string {
  if ('text' in n) return n.text;
  if ('comment' in n) return resolved ? '' : `<!--${n.comment}-->`;
  if ('cdata' in n) return resolved ? escapeXmlText(n.cdata) : `<![CDATA[${n.cdata}]]>`;
  if ('pi' in n) return n.pi;
  const attrs = n.attrs.map(([k, v]) => ` ${k}="${v}"`).join('');
  const inner = n.kids.map((k) => render(k, resolved)).join('');
  return inner === '' ? `<${n.el}${attrs}/>` : `<${n.el}${attrs}>${inner}</${n.el}>`;
}
const document = fc.record({ root: tree, prolog: fc.constantFrom('', '<?xml version="1.0"?>', '\n <?xml version="1.0" encoding="UTF-8"?>\n') }).filter(({ root }) => 'el' in root);

describe('parseXml against fast-xml-parser (what it replaced)', () => {
  it('builds the same objects and the same ordered elements for any well-formed document', () => {
    fc.assert(
      fc.property(document, ({ root, prolog }) => {
        const xml = prolog + render(root, false);
        const old = prolog + render(root, true);
        expect(parseXml(xml)).toEqual(oldParse(old));
        expect(parseXmlOrdered(xml)).toEqual(oldElements(oldOrdered.parse(old.trimStart()) as unknown[]).elements);
      }),
      { numRuns: 1500 },
    );
  });

  it('refuses whatever the validator refused, and otherwise agrees', () => {
    const xmlish = fc.array(fc.constantFrom('<', '>', '/', 'a', 'b', ':', '=', '"', "'", ' ', '\n', '&amp;', '&#65;', '<a>', '</a>', '<b x="1">', '</b>', '<?x?>', '<!--c-->'), { maxLength: 30 }).map((a) => a.join(''));
    fc.assert(
      fc.property(xmlish, (xml) => {
        let mine: unknown;
        try {
          mine = parseXml(xml);
        } catch (e) {
          if (!(e instanceof XmlError)) throw e;
          return; // the reader may be stricter (see "What it refuses" in the README)
        }
        expect(mine).toEqual(oldParse(xml.replace(/<!--c-->/g, '')));
      }),
      { numRuns: 5000 },
    );
  });
});
