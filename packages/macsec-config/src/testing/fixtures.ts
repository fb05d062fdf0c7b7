// Shared test data: a model touching every feature, one setting every field, the field script's
// device configurations, and a Secret-aware equality for vitest.
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type {
  ConnectivityAssociation,
  EventOptions,
  EventPolicy,
  EventScriptFile,
  EventTraceoptions,
  GenerateEvent,
  KeyChain,
  KeyChainKey,
  MacsecConfig,
  MacsecInterface,
  MkaOptions,
  QkdMacro,
  StaticHostMapping,
} from '../model.js';
import { Secret, isSecret } from '../secret.js';

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

/**
 * A model that sets every field of the model's types: `Required<>` makes the typecheck fail
 * when a field is added to the model and not here (mutually exclusive fields get two entries).
 */
export function everyFieldModel(): MacsecConfig {
  const mka: Required<MkaOptions> = { keyServerPriority: 0, transmitInterval: 2000, sakRekeyInterval: 300, shouldSecure: true };
  const withKey: Required<Omit<ConnectivityAssociation, 'preSharedKeyChain'>> = {
    name: 'CA_psk',
    securityMode: 'static-cak',
    cipherSuite: 'gcm-aes-xpn-256',
    preSharedKey: { ckn: CKN1, cak: Secret.fromHex(CAK256) },
    fallbackKey: { ckn: 'fa11'.repeat(16), cak: Secret.fromHex(CAK256) },
    mka,
    excludeProtocols: ['lldp', 'cdp', 'lacp'],
    includeSci: true,
    offset: 30,
    replayProtect: { replayWindowSize: 64 },
  };
  const withChain: Required<Omit<ConnectivityAssociation, 'preSharedKey'>> = {
    name: 'CA_chain',
    securityMode: 'static-cak',
    cipherSuite: 'gcm-aes-128',
    preSharedKeyChain: 'KC1',
    fallbackKey: { ckn: 'ff00', cak: Secret.fromHex(CAK128) },
    mka: { transmitInterval: 6000, sakRekeyInterval: 86400 },
    excludeProtocols: ['lldp'],
    includeSci: false,
    offset: 0,
    replayProtect: {},
  };
  const qkd: Required<QkdMacro> = { kmeHost: 'https://kme-a.example.net:8443/api/v1/keys', kmePort: 8443, kmeCa: true, kmeKeyidCheck: false, kmeMethod: 'post' };
  const itf: Required<MacsecInterface> = { name: 'et-0/0/0', connectivityAssociation: 'CA_psk', qkd };
  const key: Required<KeyChainKey> = { index: 1, keyName: CKN2, secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:05', inactive: true, algorithm: 'hmac-sha2-256', options: 'isis-enhanced' };
  const chain: Required<KeyChain> = {
    name: 'KC1',
    description: 'QKD keys for the Alice-Bob link',
    tolerance: 3600,
    keys: [{ index: 0, keyName: 'beef', secret: Secret.fromHex(CAK128), startTime: '2026-11-24.20:00:00' }, key],
  };
  const interval: Required<Omit<GenerateEvent, 'timeOfDay'>> = { name: 'qkd-tick', timeInterval: 300, startTime: '2026-11-24.20:00', noDrift: true };
  const tod: Required<Omit<GenerateEvent, 'timeInterval' | 'startTime'>> = { name: 'qkd-midnight', timeOfDay: '00:00:00', noDrift: false };
  const traceoptions: Required<EventTraceoptions> = { file: 'qkd-events.log', size: '10m', files: 3, flags: ['events', 'timer-events'] };
  const policy: Required<EventPolicy> = { name: 'qkd-rotate', events: ['qkd-tick', 'qkd-midnight'], eventScripts: ['qkd-macsec.py'] };
  const script: Required<EventScriptFile> = { name: 'qkd-macsec.py', pythonScriptUser: 'qkd' };
  const eventOptions: Required<EventOptions> = { generateEvents: [interval, tod], policies: [policy], eventScripts: [script], traceoptions };
  const host: Required<StaticHostMapping> = { name: 'kme-a.example.net', inet: ['192.0.2.10'], inet6: ['2001:db8::10'], alias: ['kme-a'] };
  const all: Required<MacsecConfig> = {
    connectivityAssociations: [withKey, withChain],
    interfaces: [itf, { name: 'et-0/0/1', connectivityAssociation: 'CA_chain' }],
    keyChains: [chain],
    eventOptions,
    staticHostMappings: [host],
  };
  return all;
}

/** A `<get-configuration>` reply as a device provisioned by the field script holds it (src/fixtures/). */
export function fieldScriptReply(version: 'v3.2' | 'v3.3'): string {
  return readFileSync(new URL(`../fixtures/field-script-${version}.xml`, import.meta.url), 'utf8');
}
