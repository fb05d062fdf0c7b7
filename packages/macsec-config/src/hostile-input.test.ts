// Hostile input found by fuzzing: the parsers and deriveCknCak throw only this package's errors
// (MacsecConfigError subclasses), never a library's plain Error or a TypeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveCknCak } from './derive.js';
import { ConfigParseError, KeyDerivationError, MacsecConfigError } from './errors.js';
import { parseConfigurationChange, parseConfigurationXml } from './parse-xml.js';

const PARSERS = [parseConfigurationXml, parseConfigurationChange] as const;

/** Runs both parsers; each must succeed or throw a ConfigParseError. Returns the messages. */
function parseOrOwnError(xml: string): string[] {
  const messages: string[] = [];
  for (const parse of PARSERS) {
    try {
      parse(xml);
    } catch (err) {
      if (!(err instanceof ConfigParseError)) throw new Error(`${parse.name} threw ${(err as Error)?.name}: ${(err as Error)?.message} for ${JSON.stringify(xml.slice(0, 80))}`);
      messages.push(err.message);
    }
  }
  return messages;
}

describe('hostile XML', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['nesting deeper than 100 levels', `<configuration>${'<a>'.repeat(150)}${'</a>'.repeat(150)}</configuration>`, /nested deeper than 100 levels/],
    ['nesting deeper than the reader goes', `<configuration>${'<a>'.repeat(300)}${'</a>'.repeat(300)}</configuration>`, /malformed XML at line 1, column \d+: elements nested deeper than 256 levels/],
    ['an unclosed <n/ at the end', '<configuration/><n/', /malformed XML/],
    ['an unclosed <n/ alone', '<n/', /malformed XML/],
    ['an unclosed comment', '<configuration></configuration><!--x<!D<?<!--]]>', /malformed XML at line 1, column 32: comment is not closed/],
    ['an unclosed processing instruction', '<a> </a><?</b>"<!--<n/', /malformed XML/],
    ['an unclosed CDATA section', '<configuration></configuration><![CDATA[;x<?', /malformed XML at line 1, column 32: CDATA section is not closed/],
    ['a bad closing tag', '</a /', /malformed XML/],
    ['<!D in text', '<configuration><!--&<configuration>/>&--><!D;</configuration>', /malformed XML at line 1, column 42: a markup declaration \(<!…\) is refused/],
    ['an element named __proto__', '<configuration><__proto__/></configuration>', /element name '__proto__' is refused/],
    ['an element named constructor', '<configuration><security><constructor>x</constructor></security></configuration>', /element name 'constructor' is refused/],
    ['a NUL character', '<configuration><security>\u0000</security></configuration>', /malformed XML at line 1, column 26: character U\+0000 is not a legal XML 1.0 character/],
    ['a lone surrogate', '<configuration>\uD800</configuration>', /malformed XML at line 1, column 16: unpaired surrogate U\+D800 is not a legal XML 1.0 character/],
    ['U+FFFE', '<configuration>\uFFFE</configuration>', /character U\+FFFE/],
    ['a reference to a lone surrogate', '<configuration><security><authentication-key-chains><key-chain><name>&#xD800;</name></key-chain></authentication-key-chains></security></configuration>', /at line 1, column 70: a character reference to a character XML 1.0 does not allow/],
    ['a reference to NUL', '<configuration><security><authentication-key-chains><key-chain><name>K&#0;</name></key-chain></authentication-key-chains></security></configuration>', /at line 1, column 71: a character reference to a character XML 1.0 does not allow/],
    ['an element named prototype', '<configuration><prototype/></configuration>', /element name 'prototype' is refused/],
  ];
  for (const [what, xml, message] of cases) {
    it(`${what} gives a ConfigParseError`, () => {
      const messages = parseOrOwnError(xml);
      expect(messages).toHaveLength(2);
      for (const m of messages) expect(m).toMatch(message);
    });
  }

  // A document with an undefined entity, or a reference to a character XML 1.0 forbids, is not
  // well-formed wherever the reference stands — also where the model reads nothing.
  const references: Array<[string, string, RegExp]> = [
    ['&nbsp; in an element the model ignores', '<configuration><system><host-name>r1&nbsp;</host-name></system></configuration>', /at line 1, column 37: an entity reference that is not one of the five predefined XML entities/],
    ['&constructor; in an attribute', '<configuration junos:changed-localtime="&constructor;"/>', /at line 1, column 41: an entity reference that is not one of the five predefined XML entities/],
    ['a bare & in an attribute', '<configuration a="x & y"/>', /at line 1, column 21: an entity reference that is not one of the five predefined XML entities/],
    ['&#0; in ignored apply-macro data', '<configuration><security><macsec><interfaces><name>ge-0/0/0</name><apply-macro><name>other</name><data><name>x</name><value>&#0;</value></data></apply-macro></interfaces></macsec></security></configuration>', /at line 1, column 125: a character reference to a character XML 1.0 does not allow/],
    ['&#xFFFE; in an attribute', '<configuration a="&#xFFFE;"/>', /at line 1, column 19: a character reference to a character XML 1.0 does not allow/],
    ['a reference beyond U+10FFFF', '<configuration a="&#x110000;"/>', /at line 1, column 19: a character reference to a character XML 1.0 does not allow/],
    ['a reference on a later line', '<configuration>\n  <system>\n    <host-name>&lol;</host-name></system></configuration>', /at line 3, column 16: an entity reference that is not one of the five predefined XML entities/],
  ];
  for (const [what, xml, message] of references) {
    it(`${what} gives a ConfigParseError`, () => {
      const messages = parseOrOwnError(xml);
      expect(messages).toHaveLength(2);
      for (const m of messages) expect(m).toMatch(message);
    });
  }

  it('never quotes the name of an undefined entity (it could be a secret)', () => {
    const secret = '$9$abcDEF123ghiJKL456';
    const name = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';
    for (const xml of [`<configuration><system><host-name>&${name};</host-name></system></configuration>`, `<configuration a="${secret}&${name};"/>`]) {
      const messages = parseOrOwnError(xml);
      expect(messages).toHaveLength(2);
      for (const m of messages) {
        expect(m).not.toContain(name);
        expect(m).not.toContain(secret);
      }
    }
  });

  it('reads references in comments, CDATA and the five predefined entities as XML does', () => {
    const xml = '<configuration a="&lt;&amp;&#x41;&#65;&quot;&apos;&gt;"><!-- &nbsp; &#0; --><system><host-name><![CDATA[&nbsp;]]></host-name></system></configuration>';
    expect(parseOrOwnError(xml)).toEqual([]);
  });

  it('reads names that merely look like object properties', () => {
    const xml = '<configuration><security><macsec><connectivity-association><name>constructor</name></connectivity-association><connectivity-association-x/></macsec></security></configuration>';
    expect(parseConfigurationXml(xml).connectivityAssociations).toEqual([{ name: 'constructor' }]);
  });

  it('arbitrary strings only ever give ConfigParseError (property)', () => {
    const piece = fc.constantFrom('<configuration>', '</configuration>', '<security>', '<macsec>', '<a>', '</a>', '<n/', '<!--', '-->', '<?', '?>', '<![CDATA[', ']]>', '</', '<!D', '<__proto__>', '<constructor/>', '&amp;', '&#0;', '&', 'x', ' ', '>', '<', '/>', '"', '=');
    const xmlish = fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 16 }).map((a) => a.join(''));
    fc.assert(fc.property(fc.oneof(xmlish, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (s) => void parseOrOwnError(s)), { numRuns: 3000, seed: 12 });
  });
});

describe('hostile derivation options', () => {
  const key = { keyId: '550e8400-e29b-41d4-a716-446655440000', bytes: new Uint8Array(16) };
  const cases: Array<[string, unknown]> = [
    ['null options', null],
    ['undefined options', undefined],
    ['a suite without a prototype', { cipherSuite: Object.create(null), strategy: 'sha256-keyid' }],
    ['a strategy without a prototype', { cipherSuite: 'gcm-aes-128', strategy: Object.create(null) }],
    ['a prefix without a prototype', { cipherSuite: 'gcm-aes-128', strategy: 'prefix-uuid', prefix: Object.create(null) }],
  ];
  for (const [what, options] of cases) {
    it(`${what} gives a KeyDerivationError`, () => {
      expect(() => deriveCknCak(key, options as never)).toThrow(KeyDerivationError);
    });
  }

  it('arbitrary options only ever give MacsecConfigError (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), fc.anything({ withNullPrototype: true }), (options, strategy) => {
        for (const o of [options, { cipherSuite: 'gcm-aes-128', strategy }, { cipherSuite: strategy, strategy: 'sha256-keyid' }]) {
          try {
            deriveCknCak(key, o as never);
          } catch (err) {
            if (!(err instanceof MacsecConfigError)) throw err;
          }
        }
      }),
      { numRuns: 1000, seed: 3 },
    );
  });
});
