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
  ])('leaves %s to the parser', (_what, raw) => {
    expect(parseOkReply(raw)).toBeUndefined();
  });

  it('a reply the parser refuses is still refused through parseRpcReply', () => {
    expect(() => parseRpcReply('<rpc-reply dup="1" dup="2"><ok/></rpc-reply>')).toThrow(/repeated/);
    expect(() => parseRpcReply('<!DOCTYPE x><rpc-reply><ok/></rpc-reply>')).toThrow(/DOCTYPE/);
  });
});
