import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyCheckValue } from '../protocol/check-value.js';
import { createKeyStore, inspectKeyStore } from './keys.js';

const info = (tx: string, keyId = randomUUID()) => ({ tx, link: 'L1', kind: 'primary' as const, sae: 'SAE_A', keyId, ckn: 'ab'.repeat(32), cipherSuite: 'gcm-aes-128' as const });

describe('key store', () => {
  it('keeps a copy of its own, derives the CAK only when asked, and zeroes the copy on endTx and close', () => {
    const kept: Buffer[] = [];
    const store = createKeyStore({ ttlSeconds: 60, alloc: (n) => (kept[kept.length] = Buffer.alloc(n)) });
    const bytes = new Uint8Array(16).fill(7);
    const a = store.put(info('t1'), bytes);
    store.put(info('t2'), bytes);
    bytes.fill(0); // the caller wipes its copy; the store's stays
    expect(a).toMatchObject({ bits: 128, check: keyCheckValue(new Uint8Array(16).fill(7), a.keyId) });
    expect(store.cakFor(a).reveal()).toBe('07'.repeat(16));
    expect(store.find({ keyId: a.keyId.toUpperCase() })?.tx).toBe('t1');
    expect(store.find({ keyId: a.keyId, tx: 't2' })).toBeUndefined();
    expect(store.endTx('t1')).toBe(1);
    expect(kept[0]!.every((x) => x === 0)).toBe(true);
    expect(kept[1]!.every((x) => x === 7)).toBe(true);
    expect(() => store.cakFor(a)).toThrow('no longer held');
    store.close();
    expect(kept[1]!.every((x) => x === 0)).toBe(true);
    expect(inspectKeyStore(store)).toEqual([]);
  });

  it('never shows the bytes: inspection and JSON carry the key_ID only', () => {
    const store = createKeyStore({ ttlSeconds: 60 });
    store.put(info('t1'), new Uint8Array(16).fill(0x5c));
    expect(JSON.stringify(inspectKeyStore(store))).not.toMatch(/5c5c|XFxc/i);
    store.close();
  });
});
