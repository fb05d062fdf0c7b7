import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './config.js';
import { createKeyNetwork, createLinkPool, randomKeyBytes } from './key-stream.js';

describe('createLinkPool', () => {
  it('is bounded by max_key_count and refills at the key rate', () => {
    let t = 0;
    const pool = createLinkPool(['A', 'B'], { ...DEFAULT_LIMITS, keySize: 256, maxKeyCount: 4, keyRateBps: 256, initialFill: 0 }, () => t);
    expect(pool.storedKeyCount()).toBe(0);
    t = 2500; // 2.5 s at 256 bit/s
    expect(pool.storedKeyCount()).toBe(2);
    t = 60_000;
    expect(pool.storedKeyCount()).toBe(4);
    expect(pool.availableBits()).toBe(1024);
    pool.consume(300);
    expect(pool.storedKeyCount()).toBe(2);
  });
});

describe('createKeyNetwork', () => {
  const limits = { ...DEFAULT_LIMITS, maxKeyCount: 8, keyRateBps: 0 };
  const network = () =>
    createKeyNetwork({
      kmes: [
        { id: 'A', saes: ['SA'] },
        { id: 'B', saes: ['SB', 'SB2'] },
        { id: 'C', saes: ['SC'] },
      ],
      links: [
        { kmes: ['A', 'B'], limits },
        { kmes: ['A', 'C'], limits },
      ],
    });

  it('delivers a key once to the named slave on its KME, then deletes it', () => {
    const n = network();
    const issued = n.issue('A', 'SA', ['SB'], 2, 256);
    if (!issued.ok) throw new Error('issue failed');
    expect(issued.keys.map((k) => k.key.length)).toEqual([32, 32]);
    const ids = issued.keys.map((k) => k.keyId);
    expect(n.retrieve('B', 'SB2', 'SA', ids)).toEqual({ ok: false, reason: 'not-entitled', keyId: ids[0] });
    const got = n.retrieve('B', 'SB', 'SA', ids);
    if (!got.ok) throw new Error('retrieve failed');
    expect(got.keys.map((k) => k.key.toString('hex'))).toEqual(issued.keys.map((k) => k.key.toString('hex')));
    expect(n.retrieve('B', 'SB', 'SA', ids)).toMatchObject({ ok: false, reason: 'not-found' });
    expect(n.heldCount('B')).toBe(0);
    expect(n.link('A', 'B')!.storedKeyCount()).toBe(6);
  });

  it('multicast: each named slave gets the same key once, across links', () => {
    const n = network();
    const issued = n.issue('A', 'SA', ['SB', 'SB2', 'SC'], 1, 128);
    if (!issued.ok) throw new Error('issue failed');
    const [key] = issued.keys;
    for (const [kme, sae] of [['B', 'SB'], ['B', 'SB2'], ['C', 'SC']] as const) {
      const got = n.retrieve(kme, sae, 'SA', [key!.keyId]);
      expect(got.ok && got.keys[0]!.key.equals(key!.key)).toBe(true);
    }
    // 128 bits left each link once, not once per slave.
    expect(n.link('A', 'B')!.availableBits()).toBe(8 * 256 - 128);
    expect(n.link('A', 'C')!.availableBits()).toBe(8 * 256 - 128);
  });

  it('refuses, all or nothing, when a pool is short', () => {
    const n = network();
    expect(n.issue('A', 'SA', ['SB'], 9, 256)).toMatchObject({ ok: false, reason: 'pool-empty', neededBits: 2304, availableBits: 2048 });
    expect(n.link('A', 'B')!.storedKeyCount()).toBe(8);
  });

  it('a failed retrieval hands out nothing', () => {
    const n = network();
    const issued = n.issue('A', 'SA', ['SB'], 1, 256);
    if (!issued.ok) throw new Error('issue failed');
    const id = issued.keys[0]!.keyId;
    expect(n.retrieve('B', 'SB', 'SA', [id, '00000000-0000-0000-0000-000000000000'])).toMatchObject({ ok: false, reason: 'not-found' });
    expect(n.retrieve('B', 'SB', 'SC', [id])).toMatchObject({ ok: false, reason: 'not-found' });
    expect(n.retrieve('B', 'SB', 'SA', [id]).ok).toBe(true);
  });
});

describe('held key expiry', () => {
  it('a key nobody fetched within the TTL is gone', () => {
    let t = 0;
    const n = createKeyNetwork(
      { kmes: [{ id: 'A', saes: ['SA'] }, { id: 'B', saes: ['SB'] }], links: [{ kmes: ['A', 'B'], limits: DEFAULT_LIMITS }] },
      () => t,
      { heldKeyTtlMs: 1000 },
    );
    const first = n.issue('A', 'SA', ['SB'], 1, 256);
    t = 600;
    const second = n.issue('A', 'SA', ['SB'], 1, 256);
    if (!first.ok || !second.ok) throw new Error('issue failed');
    t = 1200; // the first has expired, the second has not
    expect(n.retrieve('B', 'SB', 'SA', [first.keys[0]!.keyId])).toMatchObject({ ok: false, reason: 'not-found' });
    expect(n.retrieve('B', 'SB', 'SA', [second.keys[0]!.keyId]).ok).toBe(true);
    expect(n.heldCount('B')).toBe(0);
  });
});

describe('randomKeyBytes', () => {
  it('gives distinct keys', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(randomKeyBytes(32).toString('hex'));
    expect(seen.size).toBe(5000);
  });
});
