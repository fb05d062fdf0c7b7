import { Secret } from '@qkd-macsec/macsec-config';
import { describe, expect, it } from 'vitest';
import { resolveLinks, type EngineConfig } from '../engine/config-view.js';
import { fallbackProblem, planDevice, sharedKeyNames } from './plan.js';

const config: EngineConfig = {
  saes: { SA: { kme: 'K1' }, SB: { kme: 'K2' } },
  devices: { r1: { sae: 'SA' }, r2: { sae: 'SB' } },
  links: [{ name: 'L1', master: { device: 'r1', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }] }],
  rotation: { mode: 'key-chain', cipherSuite: 'gcm-aes-256', ckn: { strategy: 'sha256-keyid' }, leadTimeSeconds: 60, intervalSeconds: 3600, concurrency: 4, confirmTimeoutMinutes: 5 },
  stateDir: '/tmp/x',
};
const links = resolveLinks(config);

describe('init plan', () => {
  it('adds everything to an empty device', () => {
    const p = planDevice('r1', links, {}, config);
    expect(p.changes).toEqual([
      'connectivity-association qkd-L1: add (security-mode static-cak, cipher-suite gcm-aes-256, pre-shared-key-chain qkd-L1)',
      'macsec interface et-0/0/0: connectivity-association (none) -> qkd-L1',
      'key-chain qkd-L1: add',
    ]);
    expect(p.merge.connectivityAssociations).toHaveLength(1);
    expect(p.replace).toEqual({});
  });

  it('changes only what differs, replacing a CA that must lose its static pre-shared-key', () => {
    const have = {
      connectivityAssociations: [{ name: 'qkd-L1', securityMode: 'static-cak' as const, cipherSuite: 'gcm-aes-128' as const, preSharedKey: { ckn: 'ab'.repeat(32), cak: Secret.fromHex('cd'.repeat(32)) }, mka: { keyServerPriority: 16 } }],
      interfaces: [{ name: 'et-0/0/0', connectivityAssociation: 'qkd-L1' }],
      keyChains: [{ name: 'qkd-L1', keys: [{ index: 0, keyName: 'aa', startTime: '2026-01-01.00:00:00' }] }],
    };
    const p = planDevice('r1', links, have, config);
    expect(p.changes).toEqual([
      'connectivity-association qkd-L1: cipher-suite gcm-aes-128 -> gcm-aes-256',
      'connectivity-association qkd-L1: pre-shared-key-chain (none) -> qkd-L1',
      'connectivity-association qkd-L1: remove pre-shared-key (the key chain replaces it)',
    ]);
    const ca = p.replace.connectivityAssociations![0]!;
    expect(ca.preSharedKey).toBeUndefined();
    expect(ca.mka).toEqual({ keyServerPriority: 16 }); // operator's MKA settings survive the replace
    expect(p.merge).toEqual({});
  });

  it('finds the key names every end shares', () => {
    const cfg = (names: string[]) => ({ keyChains: [{ name: 'qkd-L1', keys: names.map((n, i) => ({ index: i, keyName: n })) }] });
    expect(sharedKeyNames(links[0]!, new Map([['r1', cfg(['aa', 'bb'])], ['r2', cfg(['BB'])]]), 'key-chain')).toEqual(['bb']);
    expect(sharedKeyNames(links[0]!, new Map([['r1', cfg(['aa'])], ['r2', cfg([])]]), 'key-chain')).toEqual([]);
  });

  it('keeps the fallback-key when it replaces a connectivity association', () => {
    const fallbackKey = { ckn: 'ef'.repeat(32), cak: Secret.fromHex('01'.repeat(32)) };
    const have = { connectivityAssociations: [{ name: 'qkd-L1', securityMode: 'static-cak' as const, cipherSuite: 'gcm-aes-128' as const, preSharedKeyChain: 'qkd-L1', fallbackKey }] };
    const p = planDevice('r1', links, have, config);
    expect(p.replace.connectivityAssociations![0]!.fallbackKey).toBe(fallbackKey);
  });

  it('wants a fallback-key from QKD unless every end holds the one the state records', () => {
    const fb = (ckn?: string) => ({ connectivityAssociations: [{ name: 'qkd-L1', ...(ckn ? { fallbackKey: { ckn, cak: Secret.fromHex('01'.repeat(32)) } } : {}) }] });
    const ours = 'aa'.repeat(32);
    expect(fallbackProblem(links[0]!, new Map([['r1', fb()], ['r2', fb()]]), undefined)).toBe('add');
    expect(fallbackProblem(links[0]!, new Map([['r1', fb(ours)], ['r2', fb(ours)]]), undefined)).toBe('replace (not one the rotator installed from a QKD key)');
    expect(fallbackProblem(links[0]!, new Map([['r1', fb(ours)], ['r2', fb()]]), ours)).toBe('replace (the ends differ)');
    expect(fallbackProblem(links[0]!, new Map([['r1', fb(ours.toUpperCase())], ['r2', fb(ours)]]), ours)).toBeUndefined();
  });
});
