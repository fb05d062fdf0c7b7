// The reading is macsec-config's (its own tests hold the reader to its refusals); here: what this
// package adds, its own XmlError (a NetconfError) for every refusal, and that it reads with that one reader.
import * as reader from '@qkd-macsec/macsec-config/xml';
import { describe, expect, it } from 'vitest';
import { escapeXmlAttribute, escapeXmlText } from './escape.js';
import { NetconfError } from '../errors.js';
import { XmlError } from './errors.js';
import { parseXml, parseXmlOrdered, parseXmlWith, type XmlBuilder } from './parse.js';

const quiet: XmlBuilder = { open: () => undefined, text: () => undefined, close: () => undefined };
const PARSES = [
  ['parseXml', (xml: string) => parseXml(xml)],
  ['parseXmlOrdered', (xml: string) => parseXmlOrdered(xml)],
  ['parseXmlWith', (xml: string) => parseXmlWith(xml, quiet)],
] as const;

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("this package's XmlError for the reader's refusals", () => {
  const refused = ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', '<a>&nbsp;</a>', '<a>\u0000</a>', '<a><b></a>', '', 42 as unknown as string];
  for (const [name, parse] of PARSES) {
    it(`${name}: same message, reason and position; the reader's error as cause`, () => {
      for (const xml of refused) {
        const mine = thrown(() => parse(xml));
        const theirs = thrown(() => reader.parseXml(xml));
        expect(theirs).toBeInstanceOf(reader.XmlError);
        expect(mine).toBeInstanceOf(XmlError);
        expect(mine).toBeInstanceOf(NetconfError);
        expect(mine).not.toBeInstanceOf(reader.XmlError);
        expect(mine).toMatchObject({ name: 'XmlError', message: (theirs as Error).message, reason: (theirs as reader.XmlError).reason, position: (theirs as reader.XmlError).position });
        expect((mine as Error).cause).toBeInstanceOf(reader.XmlError);
      }
    });
  }

  it("passes a builder's own error through as it is", () => {
    const own = new RangeError('enough');
    const builder: XmlBuilder = { ...quiet, open: () => { throw own; } };
    expect(thrown(() => parseXmlWith('<a/>', builder))).toBe(own);
  });

  it('reads what the reader reads', () => {
    const xml = '<nc:rpc-reply xmlns:nc="urn:x" message-id="7"><a n="1">x &amp; y</a><b/></nc:rpc-reply>';
    expect(parseXml(xml)).toEqual(reader.parseXml(xml));
    expect(parseXmlOrdered(xml)).toEqual(reader.parseXmlOrdered(xml));
  });

  it('bounds a long message of its own', () => {
    expect(new XmlError(`expected <rpc-reply>, got <${'x'.repeat(5000)}>`, { reason: 'malformed' }).message.length).toBeLessThanOrEqual(1024);
  });
});

describe('escaping', () => {
  it("is macsec-config's", () => {
    expect(escapeXmlText).toBe(reader.escapeXmlText);
    expect(escapeXmlAttribute).toBe(reader.escapeXmlAttribute);
  });
});
