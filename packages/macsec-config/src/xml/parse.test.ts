import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeXmlAttribute, escapeXmlText } from './escape.js';
import { MacsecConfigError } from '../errors.js';
import { MAX_XML_ERROR_MESSAGE, XmlError } from './errors.js';
import { parseXml, parseXmlOrdered } from './parse.js';

describe('parseXml', () => {
  it('parses attributes, drops namespace prefixes and keeps values as strings', () => {
    const doc = parseXml('<?xml version="1.0"?><nc:rpc-reply xmlns:nc="urn:x" message-id="7"><serial>0001</serial><ok/></nc:rpc-reply>');
    expect(doc).toEqual({ 'rpc-reply': { '@_message-id': '7', serial: '0001', ok: '' } });
  });

  it('decodes the predefined entities and character references exactly once', () => {
    const doc = parseXml('<a t="&quot;x&amp;amp;&#x41;">&lt;b&gt; &amp;lt; &#65;&apos;</a>');
    expect(doc).toEqual({ a: { '@_t': '"x&amp;A', '#text': "<b> &lt; A'" } });
  });

  it('accepts whitespace before the XML declaration', () => {
    expect(parseXml('\n  <?xml version="1.0"?>\n<a>1</a>\n')).toEqual({ a: '1' });
  });

  it('keeps CDATA literal', () => {
    expect(parseXml('<output><![CDATA[a < b && &amp; ]]></output>')).toEqual({ output: 'a < b && &amp;' });
  });

  it('ignores comments, even ones mentioning a DOCTYPE', () => {
    expect(parseXml('<a><!-- <!DOCTYPE x> &bogus; -->1</a>')).toEqual({ a: '1' });
  });

  it.each([
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'doctype'],
    ['<!doctype a SYSTEM "file:///etc/passwd"><a/>', 'doctype'],
    ['<a><!ENTITY x "y"></a>', 'declaration'],
    ['<a>&x;</a>', 'entity'],
    ['<a>&amp</a>', 'entity'],
    ['<a>&#0;</a>', 'entity'],
    ['<a>&#xD800;</a>', 'entity'],
    ['<a><b></a>', 'malformed'],
    ['<a><![CDATA[x</a>', 'malformed'],
    ['', 'malformed'],
    ['just text', 'malformed'],
    ['<a>'.repeat(300) + '</a>'.repeat(300), 'malformed'],
  ])('refuses %j as %s', (xml, reason) => {
    expect(() => parseXml(xml)).toThrow(expect.objectContaining({ name: 'XmlError', reason }));
  });

  it.each(['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'isPrototypeOf'])('refuses &%s; (an inherited object property, not a predefined entity)', (name) => {
    for (const xml of [`<a>&${name};</a>`, `<a v="&${name};"/>`, `<rpc message-id="&${name};"><x/></rpc>`]) {
      expect(() => parseXml(xml)).toThrow(expect.objectContaining({ name: 'XmlError', reason: 'entity', position: xml.indexOf('&') }));
      expect(() => parseXmlOrdered(xml)).toThrow(expect.objectContaining({ name: 'XmlError', reason: 'entity' }));
    }
  });

  it.each([
    ['NUL', '\u0000'],
    ['a C0 control', '\u0001'],
    ['vertical tab', '\u000b'],
    ['form feed', '\u000c'],
    ['unit separator', '\u001f'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udc00'],
    ['U+FFFE', '\ufffe'],
    ['U+FFFF', '\uffff'],
  ])('refuses %s (not a legal XML 1.0 character) in text, attributes and names, naming the position', (_what, ch) => {
    for (const xml of [`<a>x${ch}y</a>`, `<a v="${ch}"/>`, `<a><b${ch}/></a>`, `<a/>${ch}`]) {
      const at = xml.indexOf(ch);
      expect(() => parseXml(xml)).toThrow(expect.objectContaining({ name: 'XmlError', reason: 'character', position: at, message: expect.stringContaining(`U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`) }));
      expect(() => parseXmlOrdered(xml)).toThrow(expect.objectContaining({ reason: 'character', position: at }));
    }
  });

  it('accepts TAB, LF, CR, surrogate pairs and the rest of the legal range', () => {
    expect(parseXml('<a v="1\t2">x\ty\r\nz \u{1F511} \ud7ff \ue000 \ufffd</a>')).toEqual({ a: { '@_v': '1\t2', '#text': expect.stringMatching(/^x\ty\r?\nz \u{1F511} \ud7ff \ue000 \ufffd$/u) } });
  });

  it('refuses any document holding an illegal character, at its first position', () => {
    const illegal = fc.constantFrom('\u0000', '\u0008', '\u000b', '\u001f', '\ud800', '\udfff', '\ufffe', '\uffff');
    const legal = fc.string({ unit: 'grapheme' }).map((t) => escapeXmlText(t.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')));
    fc.assert(
      fc.property(legal, illegal, legal, (before, bad, after) => {
        const xml = `<a>${before}${bad}${after}</a>`;
        expect(() => parseXml(xml)).toThrow(expect.objectContaining({ reason: 'character', position: 3 + before.length }));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses the billion-laughs entity bomb before expanding anything', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><rpc-reply>&lol9;</rpc-reply>`;
    expect(() => parseXml(bomb)).toThrow(XmlError);
  });

  it('round-trips any text through escapeXmlText and escapeXmlAttribute', () => {
    // Legal XML characters only; surrogate pairs come in whole via grapheme units.
    const xmlText = fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
    fc.assert(
      fc.property(xmlText, xmlText, (text, attr) => {
        const doc = parseXml(`<a v="${escapeXmlAttribute(attr)}"><b>${escapeXmlText(text)}</b></a>`) as { a: { '@_v': string; b: string } };
        expect(doc.a['@_v'].trim()).toBe(attr.trim());
        expect(doc.a.b).toBe(text.trim());
      }),
      { numRuns: 300 },
    );
  });

  // fast-xml-parser lists every open tag when a document ends inside elements, and quotes tag
  // names whole: the message must say what failed and where, in bounded length.
  it('counts unclosed elements at the end of the document', () => {
    const xml = '<rpc-reply>' + '<security>'.repeat(3000);
    for (const parse of [parseXml, parseXmlOrdered]) {
      expect(() => parse(xml)).toThrow(expect.objectContaining({ name: 'XmlError', reason: 'malformed', position: xml.length }));
      expect(() => parse(xml)).toThrow('3001 elements are not closed at the end of the document');
    }
  });

  it.each([
    ['a deep unclosed nest', '<a>'.repeat(5000)],
    ['a long unclosed tag name', `<r><${'x'.repeat(20_000)} `],
    ['a long mismatched closing tag', `<r><${'x'.repeat(20_000)}></r>`],
    ['a long unopened closing tag', `<r/></${'y'.repeat(20_000)}>`],
    ['a long repeated attribute', `<r ${'z'.repeat(20_000)}="1" ${'z'.repeat(20_000)}="2"/>`],
  ])('keeps the message of %s short', (_what, xml) => {
    for (const parse of [parseXml, parseXmlOrdered]) {
      try {
        parse(xml);
        expect.unreachable('parsed');
      } catch (e) {
        expect(e).toBeInstanceOf(XmlError);
        expect((e as XmlError).message.length).toBeLessThanOrEqual(MAX_XML_ERROR_MESSAGE);
        expect((e as XmlError).message).not.toContain('x'.repeat(100));
      }
    }
  });

  it('random input never throws anything but XmlError', () => {
    const xmlish = fc.array(fc.constantFrom('<', '>', '/', 'a', 'b', '=', '"', '&', ';', '#', '!', '[', ']', '-', '?', ' ', 'CDATA', 'DOCTYPE', 'amp', 'x'), { maxLength: 60 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), xmlish), (s) => {
        try {
          parseXml(s);
        } catch (e) {
          if (!(e instanceof XmlError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('XmlError', () => {
  it("is one of this package's errors: (message, context), its fields on the error, the position in the message", () => {
    let error: unknown;
    try {
      parseXml('<a>&x;</a>');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MacsecConfigError);
    expect(error).toMatchObject({ name: 'XmlError', reason: 'entity', position: 3, message: expect.stringMatching(/ \(at character 3\)$/) });
    const cause = new Error('underneath');
    expect(new XmlError('x', { reason: 'malformed', cause })).toMatchObject({ message: 'x', position: undefined, cause });
  });
});

describe('attribute names', () => {
  it('keeps a Name that is not a qualified name as it is, for the caller to judge (sim-junos refuses it on an <rpc>)', () => {
    expect(parseXmlOrdered('<rpc a:b:c="1" :x="2" p:id="3" xmlns:p="u" message-id="12"/>')[0]!.attributes).toEqual({ 'a:b:c': '1', x: '2', id: '3', 'message-id': '12' });
    expect(() => parseXml('<a 1b="x"/>')).toThrow(expect.objectContaining({ reason: 'malformed' }));
    expect(() => parseXml('<a:b:c/>')).toThrow(expect.objectContaining({ reason: 'malformed' })); // element names must be qualified names
  });
});

describe('parseXmlOrdered', () => {
  it('keeps sibling order, attributes and text, with the same refusals', async () => {
    const { parseXmlOrdered } = await import('./parse.js');
    const [root] = parseXmlOrdered('<r><a n="1">x &amp; y</a><b/><a n="2"/></r>');
    expect(root!.children.map((c) => `${c.name}${c.attributes['n'] ?? ''}`)).toEqual(['a1', 'b', 'a2']);
    expect(root!.children[0]!.text).toBe('x & y');
    expect(() => parseXmlOrdered('<!DOCTYPE r><r/>')).toThrow(expect.objectContaining({ reason: 'doctype' }));
  });
});

describe('errors never quote the document', () => {
  // A malformed reply can put key material where a name or a reference is read.
  const KEY = 'ab34cd56ef7890ab12cd34ef56ab7890ab34cd56ef7890ab12cd34ef56ab7890';
  const broken = [
    `<c><cak>12<${KEY}</cak></c>`, // the key read as an element name, never closed
    `<c><cak>12<${KEY}/></c></cak>`, // …and as a closing tag that does not match
    `<c><cak>12</${KEY}></cak></c>`,
    `<c><cak>12&${KEY.slice(0, 10)};</cak></c>`, // read as an entity reference
    `<c><cak>&${KEY}</cak></c>`,
    `<c><cak ${KEY}="x" ${KEY}="y"/></c>`, // as attribute names
    `<c><cak a=${KEY}/></c>`,
    `<c><!${KEY}></c>`,
    `<c>${KEY}</c><${KEY}/>`, // a second root
    `<c><9${KEY}/></c>`, // an invalid name
    `<c><cak>${KEY}`, // unclosed elements
  ];
  for (const xml of broken) {
    it(`refuses ${JSON.stringify(xml.slice(0, 24))}… naming the position, not the text`, () => {
      for (const parse of [parseXml, parseXmlOrdered]) {
        let error: unknown;
        try {
          parse(xml);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(XmlError);
        const message = (error as XmlError).message;
        expect(message).toMatch(/at character \d+/);
        expect(message).not.toContain(KEY.slice(0, 8));
      }
    });
  }
});
