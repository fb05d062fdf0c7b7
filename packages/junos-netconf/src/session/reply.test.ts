import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XmlError } from '../xml/errors.js';
import { parseRpcReply, sniffMessageId } from './reply.js';

describe('parseRpcReply', () => {
  it('parses rpc-errors with every field, and separates warnings', () => {
    const r = parseRpcReply(`<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="7">
      <rpc-error><error-type>application</error-type><error-tag>invalid-value</error-tag><error-severity>error</error-severity>
        <error-path>/configuration/security</error-path><error-message>bad CAK</error-message>
        <error-info><bad-element>cak</bad-element></error-info></rpc-error>
      <rpc-error><error-severity>warning</error-severity><error-message>statement has no contents; ignored</error-message></rpc-error>
      <ok/></rpc-reply>`);
    expect(r.messageId).toBe('7');
    expect(r.ok).toBe(true);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ severity: 'error', type: 'application', tag: 'invalid-value', path: '/configuration/security', message: 'bad CAK', badElement: 'cak' });
    expect(r.errors[0]!.describe()).toBe('error invalid-value: bad CAK (path /configuration/security, bad-element cak)');
    expect(r.warnings.map((w) => w.message)).toEqual(['statement has no contents; ignored']);
    expect(JSON.parse(JSON.stringify(r.errors[0]))).toMatchObject({ name: 'RpcError', message: 'bad CAK', tag: 'invalid-value', badElement: 'cak' });
  });

  it('finds errors Junos nests in load/commit results and its xnm:error form', () => {
    const r = parseRpcReply(`<rpc-reply xmlns:xnm="http://xml.juniper.net/xnm/1.1/xnm"><load-configuration-results>
      <rpc-error><error-severity>error</error-severity><error-message>syntax error</error-message></rpc-error></load-configuration-results>
      <commit-results><xnm:warning><edit-path>[edit security]</edit-path><message>uncommitted</message></xnm:warning></commit-results></rpc-reply>`);
    expect(r.errors.map((e) => e.message)).toEqual(['syntax error']);
    expect(r.warnings[0]).toMatchObject({ severity: 'warning', message: 'uncommitted', path: '[edit security]' });
    expect(r.messageId).toBeUndefined();
  });

  it('refuses a non-reply and hostile XML', () => {
    expect(() => parseRpcReply('<hello/>')).toThrow(/expected <rpc-reply>, got <hello>/);
    expect(() => parseRpcReply('<!DOCTYPE r [<!ENTITY a "aaaa">]><rpc-reply>&a;</rpc-reply>')).toThrow(XmlError);
  });

  it('sniffs the message-id of an unparseable reply', () => {
    expect(sniffMessageId('<nc:rpc-reply xmlns:nc="x" message-id="104"><broken')).toBe('104');
  });

  it('random input never throws anything but XmlError', () => {
    const parts = ['<rpc-reply>', '</rpc-reply>', '<rpc-error>', '</rpc-error>', '<error-severity>', 'warning', '</error-severity>', '<ok/>', '<error-info>', '<x:warning>', '<message>', '&amp;', '&x;', '<!DOCTYPE', ' message-id="1"', '>', '<', '"'];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.constantFrom(...parts), { maxLength: 40 }).map((a) => a.join(''))), (s) => {
        try {
          const r = parseRpcReply(s);
          expect(Array.isArray(r.errors)).toBe(true);
        } catch (e) {
          if (!(e instanceof XmlError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
