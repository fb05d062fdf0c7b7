import { Secret } from '@qkd-macsec/macsec-config';
import { describe, expect, it } from 'vitest';
import { redact } from './checks.js';
import type { Tx } from './tx.js';

// What redact() reads of a transaction: the CAK each device was sent, and the previous key that
// goes back on a device when a failed key is removed.
function tx(cakHex: string, previous: Record<string, string>): Tx {
  return {
    key: { cakFor: () => Secret.fromHex(cakHex) },
    previousPsk: new Map(Object.entries(previous).map(([device, text]) => [device, { ckn: 'ab'.repeat(32), cak: Secret.fromDevice(text) }])),
  } as unknown as Tx;
}

describe('redact: what a device echoes in an error never reaches a report', () => {
  const cak = '0f'.repeat(32);
  const previous = '$9$abc.DEF/ghi$jk';

  it('masks the new CAK, in whatever case the device echoes it', () => {
    const out = redact(`bad statement: secret ${cak.toUpperCase()};`, [tx(cak, {})], 'r1');
    expect(out).toBe('bad statement: secret [redacted];');
  });

  it("masks the previous key's $9$ secret that a removal puts back, regex characters and all", () => {
    const out = redact(`error: key 1 secret "${previous}" refused`, [tx(cak, { r1: previous })], 'r1');
    expect(out).toBe('error: key 1 secret "[redacted]" refused');
    expect(out).not.toContain('$9$');
  });

  it("leaves another device's previous key alone (it was not sent to this one) and text without secrets as is", () => {
    expect(redact(`commit failed on r1`, [tx(cak, { r2: previous })], 'r1')).toBe('commit failed on r1');
  });
});
