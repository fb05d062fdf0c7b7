// Shared test data: a model touching every feature, and a Secret-aware equality for vitest.
import { expect } from 'vitest';
import type { MacsecConfig } from './model.js';
import { Secret, isSecret } from './secret.js';

// Secrets have no enumerable state, so toEqual would call any two equal; compare their values.
expect.addEqualityTesters([
  (a: unknown, b: unknown) => (isSecret(a) && isSecret(b) ? a.equals(b) : isSecret(a) || isSecret(b) ? false : undefined),
]);

export const CAK256 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const CAK128 = '00112233445566778899aabbccddeeff';
export const CKN1 = 'abcd1234abcd5678abcd1234abcd5678550e8400e29b41d4a716446655440000';
export const CKN2 = 'abcd1234abcd5678abcd1234abcd56786c00260045ebaf1ebb0d41fbdd9ff375';

export function fullModel(): MacsecConfig {
  return {
    connectivityAssociations: [
      {
        name: 'CA_basic',
        securityMode: 'static-cak',
        cipherSuite: 'gcm-aes-xpn-256',
        preSharedKey: { ckn: CKN1, cak: Secret.fromHex(CAK256) },
        excludeProtocols: ['lldp'],
      },
      {
        name: 'CA_chain',
        securityMode: 'static-cak',
        cipherSuite: 'gcm-aes-128',
        preSharedKeyChain: 'KC1',
        fallbackKey: { ckn: 'ff00', cak: Secret.fromHex(CAK128) },
        mka: { keyServerPriority: 10, transmitInterval: 3000, sakRekeyInterval: 3600, shouldSecure: true },
        includeSci: true,
        replayProtect: { replayWindowSize: 64 },
      },
    ],
    interfaces: [
      { name: 'ge-0/0/0', connectivityAssociation: 'CA_basic', qkd: { kmeHost: 'etsi14-alice.example.net', kmePort: 443, kmeCa: false, kmeKeyidCheck: true, kmeMethod: 'get' } },
      { name: 'et-0/0/20:3', connectivityAssociation: 'CA_chain' },
    ],
    keyChains: [
      {
        name: 'KC1',
        description: 'QKD keys',
        tolerance: 30,
        keys: [
          { index: 62, keyName: CKN1, secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:00:00' },
          { index: 63, keyName: CKN2, secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:05:00' },
          { index: 0, keyName: 'beef', secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:10:00', inactive: true },
        ],
      },
    ],
    eventOptions: {
      generateEvents: [{ name: 'every1min', timeInterval: 60, startTime: '2026-11-24.20:00:00' }, { name: 'midnight', timeOfDay: '00:00:00' }],
      policies: [{ name: 'qkd', events: ['every1min'], eventScripts: ['offbox.py'] }],
      eventScripts: [{ name: 'offbox.py', pythonScriptUser: 'remote' }],
      traceoptions: { file: 'script.log', size: '10m', files: 5, flags: ['all'] },
    },
    staticHostMappings: [{ name: 'etsi14-alice.example.net', inet: ['78.46.89.177'] }, { name: 'acx-2', inet: ['10.173.8.202'], inet6: ['2001:db8::2'], alias: ['peer'] }],
  };
}
