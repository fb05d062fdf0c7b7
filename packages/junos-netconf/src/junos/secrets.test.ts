import { describe, expect, it } from 'vitest';
import { RpcError, RpcFailedError, rpcFailedMessage } from '../errors.js';
import { parseRpcReply } from '../session/reply.js';
import type { RpcResponse } from '../session/rpc-session.js';
import { extractSecrets, MAX_REMEMBERED_LOADS, redactConfigurationText, redactFailure, redactResponse, SecretMemory } from './secrets.js';

const response = (raw: string): RpcResponse => {
  const p = parseRpcReply(raw);
  return { messageId: '1', rpc: 'commit-configuration', raw, result: p.result, ok: p.ok, failed: false, errors: p.errors, warnings: p.warnings, elapsedMs: 1 };
};

const CAK = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('secret redaction', () => {
  it('finds secrets in set, text, xml and json configuration', () => {
    expect(extractSecrets(`set security authentication-key-chains key-chain KC key 1 key-name AB secret ${CAK} start-time "2026-01-01.00:00:00"`, 'set')).toEqual([CAK]);
    expect(extractSecrets(`ca { pre-shared-key { ckn AB; cak "${CAK}"; } }`, 'text')).toEqual([CAK]);
    expect(extractSecrets(`<key><name>1</name><secret>${CAK}</secret></key><cak>$9$abcd</cak>`, 'xml')).toEqual([CAK, '$9$abcd']);
    expect(extractSecrets(`{"key":[{"name":1,"secret":"${CAK}"}]}`, 'json')).toEqual([CAK]);
    expect(extractSecrets('set system host-name r1', 'set')).toEqual([]);
  });

  it('removes them from every part of a failure', () => {
    const errors = [new RpcError(`invalid value ${CAK}`, { severity: 'error', badElement: CAK, info: { 'bad-element': CAK } })];
    const err = new RpcFailedError(rpcFailedMessage('load-configuration', errors, 'r1:830'), {
      rpc: 'load-configuration',
      messageId: '101',
      host: 'r1:830',
      errors,
      raw: `<rpc-reply><rpc-error><bad-element>${CAK}</bad-element></rpc-error></rpc-reply>`,
      warnings: [new RpcError(`about ${CAK}`, { severity: 'warning' })],
    });
    const clean = redactFailure(err, [CAK]);
    const everything = JSON.stringify({ m: clean.message, e: clean.errors.map((e) => [e.message, e.badElement, e.info, e.describe()]), w: clean.warnings.map((w) => w.message), raw: clean.raw, s: clean.stack });
    expect(everything).not.toContain(CAK);
    expect(clean.errors[0]!.badElement).toBe('[redacted]');
    expect(clean.host).toBe('r1:830');
    expect(clean.messageId).toBe('101');
  });

  it('masks the secrets of configuration text: SECRET-DATA lines and values after a secret keyword', () => {
    const diff = [
      '[edit security macsec connectivity-association CA pre-shared-key]',
      '+    ckn 1111111111111111111111111111111111111111111111111111111111111111;',
      '+    cak "$9$0gUbmL7wsnFJUrtKlxn6EP_b6gygPNf2ko69"; ## SECRET-DATA',
      '[edit security authentication-key-chains key-chain KC key 1]',
      '-    secret "$9$D6H18-fWWpJuqwU_ZNJFmJ9bMsQwe0pYEYU"; ## SECRET-DATA',
      '+    secret plain0123456789abcdef;',
      '[edit system login user ops authentication]',
      '+    encrypted-password "$6$salt$hash"; ## SECRET-DATA',
      '[edit protocols ospf area 0 interface ge-0/0/0]',
      '+    authentication-key "$9$abc" key-id 3; ## SECRET-DATA',
      '+    simple-password "$9$xyz";',
      '[edit security ike policy P]',
      '+    pre-shared-key ascii-text "$9$ike"; ## SECRET-DATA',
      '+    description "cak 12345678 is not a secret when quoted inside a description";',
    ].join('\n');
    const masked = redactConfigurationText(diff);
    expect(masked).not.toMatch(/\$9\$|\$6\$|plain0123/);
    expect(masked.split('\n')).toEqual([
      '[edit security macsec connectivity-association CA pre-shared-key]',
      '+    ckn 1111111111111111111111111111111111111111111111111111111111111111;',
      '+    cak "[redacted]"; ## SECRET-DATA',
      '[edit security authentication-key-chains key-chain KC key 1]',
      '-    secret "[redacted]"; ## SECRET-DATA',
      '+    secret [redacted];',
      '[edit system login user ops authentication]',
      '+    encrypted-password "[redacted]"; ## SECRET-DATA',
      '[edit protocols ospf area 0 interface ge-0/0/0]',
      '+    authentication-key "[redacted]" key-id 3; ## SECRET-DATA',
      '+    simple-password "[redacted]";',
      '[edit security ike policy P]',
      '+    pre-shared-key ascii-text "[redacted]"; ## SECRET-DATA',
      '+    description "cak 12345678 is not a secret when quoted inside a description";',
    ]);
    expect(redactConfigurationText('')).toBe('');
  });

  it('returns a reply that cannot hold a secret as it is, and scrubs one that quotes it, also through references', () => {
    const clean = response('<rpc-reply><commit-results><routing-engine><name>re0</name><commit-success/></routing-engine></commit-results></rpc-reply>');
    expect(redactResponse(clean, [CAK])).toBe(clean);
    for (const raw of [
      `<rpc-reply><commit-results><warning><message>value ${CAK}</message></warning></commit-results></rpc-reply>`,
      `<rpc-reply><commit-results><warning><message>value &#x30;${CAK.slice(1)}</message></warning></commit-results></rpc-reply>`,
      `<rpc-reply><commit-results><warning><message>value ${CAK.slice(0, 10)}\r\n</message></warning><x>${CAK}</x></commit-results></rpc-reply>`,
      // a comment or a CDATA section inside a value: the parsed text is the CAK, the raw text holds it in pieces
      `<rpc-reply><commit-results><warning><message>value ${CAK.slice(0, 20)}<!---->${CAK.slice(20)}</message></warning></commit-results></rpc-reply>`,
      `<rpc-reply><commit-results><warning><message>value ${CAK.slice(0, 20)}<![CDATA[${CAK.slice(20)}]]></message></warning></commit-results></rpc-reply>`,
    ]) {
      const scrubbed = redactResponse(response(raw), [CAK]);
      expect(JSON.stringify([scrubbed.raw, scrubbed.result, scrubbed.warnings.map((w) => [w.message, w.info])])).not.toContain(CAK);
    }
  });

  it('remembers the secrets of the most recent MAX_REMEMBERED_LOADS loads, longest first', () => {
    const memory = new SecretMemory();
    memory.add(['short-1', 'a-longer-secret-0']);
    expect(memory.list).toEqual(['a-longer-secret-0', 'short-1']);
    for (let i = 0; i < MAX_REMEMBERED_LOADS + 10; i++) memory.add([`secret-${String(i).padStart(4, '0')}`]);
    expect(memory.list).toHaveLength(MAX_REMEMBERED_LOADS);
    expect(memory.list).toContain(`secret-${String(MAX_REMEMBERED_LOADS + 9).padStart(4, '0')}`);
    expect(memory.list).not.toContain('short-1');
    expect(memory.list).not.toContain('secret-0009');
  });

  it('keeps every secret of one load, however many it has (its CAKs are never pushed out by its passwords)', () => {
    const memory = new SecretMemory();
    const load = [CAK, ...Array.from({ length: 40 }, (_, i) => `user-password-${i}`)];
    memory.add(load);
    expect(memory.list).toHaveLength(41);
    expect(memory.list[0]).toBe(CAK);
  });
});
