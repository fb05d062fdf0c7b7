// The XML entry point: read a reply three ways, escape values, and what a refusal looks like.
import { escapeXmlAttribute, escapeXmlText, parseXml, parseXmlOrdered, parseXmlWith, XmlError } from '../src/xml/index.js';

const raw = '<rpc-reply message-id="7"><data><item a="1">x &amp; y</item><item a="2"/></data></rpc-reply>';

// Objects: repeated names as arrays, attributes as '@_name', mixed text as '#text', values strings.
console.log(JSON.stringify(parseXml(raw)));
// {"rpc-reply":{"data":{"item":[{"#text":"x & y","@_a":"1"},{"@_a":"2"}]},"@_message-id":"7"}}

// Elements in document order ({ name, attributes, children, text }, read-only).
const [reply] = parseXmlOrdered(raw);
console.log(reply!.children[0]!.children.map((item) => [item.attributes['a'], item.text]));
// [ [ '1', 'x & y' ], [ '2', '' ] ]

// Events only: keep a few values of a large reply and build no tree.
const names: string[] = [];
parseXmlWith(raw, { open: (name) => void names.push(name), text: () => undefined, close: () => undefined });
console.log(names.join(' '));
// rpc-reply data item item

// Escaping: text (& < >) and double-quoted attribute values (also " and CR, LF, TAB).
console.log(`<rpc message-id="${escapeXmlAttribute('a"1\n')}"><name>${escapeXmlText('R&D <lab>')}</name></rpc>`);
// <rpc message-id="a&quot;1&#10;"><name>R&amp;D &lt;lab&gt;</name></rpc>

// A refusal says what and where, never quoting the document.
try {
  parseXml('<!DOCTYPE r [<!ENTITY x "lol">]><r>&x;</r>');
} catch (err) {
  if (err instanceof XmlError) console.log(err.reason, err.position, err.message);
}
// doctype 0 DOCTYPE declarations are refused (entity expansion and external entities) (at character 0)
