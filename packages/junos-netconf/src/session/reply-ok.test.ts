import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFullReply, parseOkReply, parseRpcReply } from './reply.js';

const JUNOS = 'xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" xmlns:junos="http://xml.juniper.net/junos/23.4R1.10/junos"';

describe('the <ok/> reply fast path', () => {
  it.each([
    [`<rpc-reply ${JUNOS} message-id="101">\n<ok/>\n</rpc-reply>`],
    [`<?xml version="1.0" encoding="UTF-8"?>\n<rpc-reply message-id='7' a:b="1"><ok /></rpc-reply>\n`],
    ['<rpc-reply><ok/></rpc-reply>'],
    ['  <rpc-reply xmlns:nc="x" junos:style="normal" message-id="abc-1" >  <ok/>  </rpc-reply>'],
  ])('reads %j exactly as the XML parser does', (raw) => {
    const fast = parseOkReply(raw);
    expect(fast).toBeDefined();
    expect(fast).toEqual(parseFullReply(raw));
  });

  it.each([
    ['an error next to ok', '<rpc-reply message-id="1"><rpc-error><error-severity>error</error-severity></rpc-error><ok/></rpc-reply>'],
    ['a prefixed element', '<nc:rpc-reply xmlns:nc="x" message-id="1"><nc:ok/></nc:rpc-reply>'],
    ['a reference in an attribute', '<rpc-reply message-id="&amp;1"><ok/></rpc-reply>'],
    ['a repeated attribute', '<rpc-reply dup="1" dup="2"><ok/></rpc-reply>'],
    ['two prefixes on one local name', '<rpc-reply a:x="1" b:x="2"><ok/></rpc-reply>'],
    ['a DOCTYPE', '<!DOCTYPE x><rpc-reply><ok/></rpc-reply>'],
    ['text after the reply', '<rpc-reply><ok/></rpc-reply>junk'],
    ['a control character in a value', '<rpc-reply message-id="1\u0001"><ok/></rpc-reply>'],
    ['an unclosed reply', '<rpc-reply><ok/>'],
    // JavaScript's \s is wider than XML's whitespace: none of these is well-formed XML.
    ['a no-break space between attributes', '<rpc-reply a="1"\u00a0message-id="1"><ok/></rpc-reply>'],
    ['a form feed before the name', '<rpc-reply\u000cmessage-id="1"><ok/></rpc-reply>'],
    ['a line separator around =', '<rpc-reply message-id\u2028="1"><ok/></rpc-reply>'],
  ])('leaves %s to the parser', (_what, raw) => {
    expect(parseOkReply(raw)).toBeUndefined();
  });

  it('what the fast path leaves alone, the parser judges (it refuses each of these)', () => {
    for (const raw of ['<rpc-reply a="1"\u00a0message-id="1"><ok/></rpc-reply>', '<rpc-reply\u000cmessage-id="1"><ok/></rpc-reply>', '<rpc-reply message-id\u2028="1"><ok/></rpc-reply>'])
      expect(() => parseRpcReply(raw)).toThrow();
  });

  it('whatever the fast path reads, the parser reads the same (random replies from attribute and whitespace pieces)', () => {
    const piece = fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u000c', 'a="1"', "b='x'", 'xmlns="u"', 'xmlns:j="v"', 'a:b="2"', 'c:b="3"', 'message-id="7"', 'message-id="8"', '=', '"', "'", '>', '&amp;', 'x', ':');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), fc.array(piece, { maxLength: 3 }), (attrs, around) => {
        const raw = `<rpc-reply ${attrs.join('')}>${around.join('')}<ok/></rpc-reply>`;
        const fast = parseOkReply(raw);
        if (fast !== undefined) expect(fast).toEqual(parseFullReply(raw));
      }),
      { numRuns: 5000 },
    );
  });

  it('a reply the parser refuses is still refused through parseRpcReply', () => {
    expect(() => parseRpcReply('<rpc-reply dup="1" dup="2"><ok/></rpc-reply>')).toThrow(/repeated/);
    expect(() => parseRpcReply('<!DOCTYPE x><rpc-reply><ok/></rpc-reply>')).toThrow(/DOCTYPE/);
  });
});
