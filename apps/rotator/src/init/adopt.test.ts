import { Secret, parseStartTime } from '@qkd-macsec/macsec-config';
import { describe, expect, it } from 'vitest';
import { resolveLinks, type EngineConfig } from '../engine/config-view.js';
import { activeKey, carriedKey } from './adopt.js';
import { dropCarried } from './adoption-plan.js';
import { planDevice, sharedKeyNames } from './plan.js';

const config: EngineConfig = {
  saes: { SA: { kme: 'K1' }, SB: { kme: 'K2' } },
  devices: { r1: { sae: 'SA' }, r2: { sae: 'SB' } },
  links: [{ name: 'L1', master: { device: 'r1', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }], connectivityAssociation: 'CA_QKD', keyChain: 'QKD_KC' }],
  rotation: { mode: 'key-chain', cipherSuite: 'gcm-aes-xpn-256', ckn: { strategy: 'sha256-keyid' }, leadTimeSeconds: 60, intervalSeconds: 3600, concurrency: 4, confirmTimeoutMinutes: 5 },
  stateDir: '/tmp/x',
};
const link = resolveLinks(config)[0]!;
const now = new Date('2026-11-24T20:10:00Z');
const CKN = '0123456789abcdef0123456789abcdef550e8400e29b41d4a716446655440000';
const v32 = {
  connectivityAssociations: [{ name: 'CA_QKD', securityMode: 'static-cak' as const, cipherSuite: 'gcm-aes-xpn-256' as const, preSharedKey: { ckn: CKN, cak: Secret.fromDevice('$9$5Qz/tpBREyKvL7') } }],
  interfaces: [{ name: 'et-0/0/0', connectivityAssociation: 'CA_QKD' }],
};

describe('adoption: the running key goes into the chain', () => {
  it('v3.2 static CAK: the CA moves to the chain, which holds the running CKN and $9$ CAK, started an hour ago', () => {
    const p = planDevice('r1', [link], v32, config, { now, tolerance: 0 });
    expect(p.changes).toEqual([
      'connectivity-association CA_QKD: pre-shared-key-chain (none) -> QKD_KC',
      'connectivity-association CA_QKD: remove pre-shared-key (the key chain replaces it)',
      'key-chain QKD_KC: add',
      `key-chain QKD_KC: key 0 = the running key (CKN ${CKN}, the pre-shared-key of connectivity-association CA_QKD), start-time 2026-11-24.19:10:00: it stays active until the first rotation replaces it`,
    ]);
    const chain = p.merge.keyChains![0]!;
    expect(chain).toMatchObject({ name: 'QKD_KC', tolerance: 0, keys: [{ index: 0, keyName: CKN, startTime: '2026-11-24.19:10:00' }] });
    expect(chain.keys[0]!.secret!.encrypted).toBe(true); // carried as the device shows it, never decoded
    expect(p.replace.connectivityAssociations![0]!.preSharedKey).toBeUndefined();
    // Every end runs it: the link needs no first key.
    expect(sharedKeyNames(link, new Map([['r1', v32], ['r2', v32]]), 'key-chain', now, 'gcm-aes-xpn-256')).toEqual([CKN]);
  });

  it('a key from another chain: its active key, after every started key of the target chain', () => {
    const other = {
      connectivityAssociations: [{ name: 'OLD', securityMode: 'static-cak' as const, cipherSuite: 'gcm-aes-256' as const, preSharedKeyChain: 'OLD_KC' }],
      interfaces: [{ name: 'et-0/0/0', connectivityAssociation: 'OLD' }],
      keyChains: [
        { name: 'OLD_KC', keys: [{ index: 1, keyName: 'aa', secret: Secret.fromDevice('$9$a'), startTime: '2026-11-24.20:00' }, { index: 2, keyName: 'bb', secret: Secret.fromDevice('$9$b'), startTime: '2026-11-24.20:30' }] },
        { name: 'QKD_KC', keys: [{ index: 5, keyName: 'cc', secret: Secret.fromDevice('$9$c'), startTime: '2026-11-24.19:30:00' }] },
      ],
    };
    const c = carriedKey(link, ['et-0/0/0'], other, now, 'gcm-aes-xpn-256')!;
    expect(c.from).toBe('key 1 of key-chain OLD_KC (connectivity-association OLD)');
    expect(c.key).toMatchObject({ index: 6, keyName: 'aa', startTime: '2026-11-24.19:30:01' });
    expect(activeKey({ name: 'QKD_KC', keys: [...other.keyChains[1]!.keys, c.key] }, now)?.keyName).toBe('aa');
    expect(parseStartTime(c.key.startTime!).getTime()).toBeLessThan(now.getTime());
  });

  it('ends that run different keys: nothing carried, sharedKeyNames finds none, the plan drops its carry', () => {
    const other = { ...v32, connectivityAssociations: [{ ...v32.connectivityAssociations[0]!, preSharedKey: { ckn: 'ee'.repeat(32), cak: Secret.fromDevice('$9$zz') } }] };
    expect(sharedKeyNames(link, new Map([['r1', v32], ['r2', other]]), 'key-chain', now, 'gcm-aes-xpn-256')).toEqual([]);
    const p = planDevice('r1', [link], v32, config, { now, tolerance: 0 });
    const report = { device: 'r1', changes: [...p.changes], applied: false };
    dropCarried(p, report, link);
    expect(p.merge.keyChains).toEqual([{ name: 'QKD_KC', tolerance: 0, keys: [] }]);
    expect(report.changes.some((c) => c.includes('the running key'))).toBe(false);
    expect(report.changes).toContain('key-chain QKD_KC: add');
  });

  it('nothing to carry: the chain already holds it, no CA is bound, or the suite needs another CAK length', () => {
    const inPlace = { ...v32, connectivityAssociations: [{ ...v32.connectivityAssociations[0]!, preSharedKey: undefined, preSharedKeyChain: 'QKD_KC' }], keyChains: [{ name: 'QKD_KC', keys: [{ index: 3, keyName: CKN, startTime: '2026-11-24.20:05' }] }] };
    expect(carriedKey(link, ['et-0/0/0'], inPlace, now, 'gcm-aes-xpn-256')).toBeUndefined();
    expect(carriedKey(link, ['et-0/0/9'], v32, now, 'gcm-aes-xpn-256')).toBeUndefined();
    expect(carriedKey(link, ['et-0/0/0'], v32, now, 'gcm-aes-xpn-128')).toBeUndefined();
  });

  it('sets the key-chain tolerance on an existing chain, and applies event-options traceoptions', () => {
    const have = { ...v32, keyChains: [{ name: 'QKD_KC', keys: [{ index: 0, keyName: CKN, secret: Secret.fromDevice('$9$x'), startTime: '2026-11-24.20:00' }] }], connectivityAssociations: [{ ...v32.connectivityAssociations[0]!, preSharedKey: undefined, preSharedKeyChain: 'QKD_KC' }] };
    const withInit = { ...config, init: { eventOptions: { traceoptions: { file: 'qkd-macsec.log', size: '1m', files: 3, flags: ['events'] } } } };
    const p = planDevice('r1', [link], have, withInit, { now, tolerance: 30 });
    expect(p.changes).toEqual(['key-chain QKD_KC: tolerance (none: Junos 3600) -> 30', 'event-options traceoptions: add (file qkd-macsec.log, size 1m, files 3, flag events)']);
    expect(p.merge.keyChains).toEqual([{ name: 'QKD_KC', tolerance: 30, keys: [] }]);
    expect(p.merge.eventOptions?.traceoptions).toEqual({ file: 'qkd-macsec.log', size: '1m', files: 3, flags: ['events'] });
    const done = { ...have, keyChains: [{ ...have.keyChains[0]!, tolerance: 30 }], eventOptions: { traceoptions: { flags: ['events'], files: 3, size: '1m', file: 'qkd-macsec.log' } } };
    expect(planDevice('r1', [link], done, withInit, { now, tolerance: 30 }).changes).toEqual([]);
  });
});
