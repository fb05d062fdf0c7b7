import { describe, expect, it } from 'vitest';
import { RpcError, RpcFailedError } from '../errors.js';
import { extractSecrets, redactFailure } from './secrets.js';

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
    const err = new RpcFailedError(
      'load-configuration',
      [new RpcError({ severity: 'error', message: `invalid value ${CAK}`, badElement: CAK, info: { 'bad-element': CAK } })],
      `<rpc-reply><rpc-error><bad-element>${CAK}</bad-element></rpc-error></rpc-reply>`,
      [new RpcError({ severity: 'warning', message: `about ${CAK}` })],
      'r1:830',
    );
    const clean = redactFailure(err, [CAK]);
    const everything = JSON.stringify({ m: clean.message, e: clean.errors.map((e) => [e.message, e.badElement, e.info, e.describe()]), w: clean.warnings.map((w) => w.message), raw: clean.raw, s: clean.stack });
    expect(everything).not.toContain(CAK);
    expect(clean.errors[0]!.badElement).toBe('[redacted]');
    expect(clean.host).toBe('r1:830');
  });
});
