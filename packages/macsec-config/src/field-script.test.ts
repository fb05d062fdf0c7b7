// Devices set up by the field script: v3.2 (static CAK, CKN = 32-hex prefix + key_ID, apply-macro
// qkd with kme-host as a URL, event-options running its event script) and its successor v3.3
// (a 4-slot key chain with a bootstrap key 0, start-times without seconds, bare replay-protect,
// fallback-key, transmit-interval 2000, sak-rekey-interval 300, its script user).
import { describe, expect, it } from 'vitest';
import { fieldScriptReply } from './testing/fixtures.js';
import { parseConfigurationXml } from './parse-xml.js';
import { planKeyChainRotation } from './ring.js';
import { renderSet } from './render-set.js';
import { renderXml } from './render-xml.js';
import { parseStartTime } from './start-time.js';
import { checkConfig } from './validate.js';

describe('field script v3.2 device', () => {
  const model = parseConfigurationXml(fieldScriptReply('v3.2'));

  it('reads the static CAK, the prefix + key_ID CKN and the macro with a URL', () => {
    const ca = model.connectivityAssociations![0]!;
    expect(ca).toMatchObject({ name: 'CA_QKD', securityMode: 'static-cak', cipherSuite: 'gcm-aes-xpn-256', excludeProtocols: ['lldp'] });
    expect(ca.preSharedKey!.ckn).toBe('0123456789abcdef0123456789abcdef' + '550e8400e29b41d4a716446655440000');
    expect(ca.preSharedKey!.cak.encrypted).toBe(true);
    expect(model.interfaces).toEqual([
      { name: 'et-0/0/0', connectivityAssociation: 'CA_QKD', qkd: { kmeHost: 'https://kme-a.example.net:8443/api/v1/keys', kmePort: 8443, kmeCa: true, kmeKeyidCheck: true, kmeMethod: 'get' } },
    ]);
    expect(model.eventOptions).toEqual({
      generateEvents: [{ name: 'qkd-every-minute', timeInterval: 60 }],
      policies: [{ name: 'qkd-rotate', events: ['qkd-every-minute'], eventScripts: ['qkd-macsec.py'] }],
      eventScripts: [{ name: 'qkd-macsec.py', pythonScriptUser: 'qkd' }],
      traceoptions: { file: 'qkd-events.log', size: '10m', files: 3, flags: ['events'] },
    });
    expect(checkConfig(model)).toEqual([]);
  });

  it('renders the kme-host URL back', () => {
    expect(renderSet({ interfaces: model.interfaces })).toContain('set security macsec interfaces et-0/0/0 apply-macro qkd kme-host https://kme-a.example.net:8443/api/v1/keys');
    expect(renderXml({ interfaces: model.interfaces })).toContain('<value>https://kme-a.example.net:8443/api/v1/keys</value>');
  });
});

describe('field script v3.3 device', () => {
  const model = parseConfigurationXml(fieldScriptReply('v3.3'));

  it('reads the key chain, bare replay-protect, fallback-key and the MKA timers', () => {
    const ca = model.connectivityAssociations![0]!;
    expect(ca).toMatchObject({ preSharedKeyChain: 'QKD_KC', replayProtect: {}, mka: { transmitInterval: 2000, sakRekeyInterval: 300 } });
    expect(ca.fallbackKey!.ckn).toBe('fa11bac0'.repeat(8));
    const chain = model.keyChains![0]!;
    expect(chain.keys.map((k) => [k.index, k.startTime])).toEqual([
      [0, '2026-01-01.00:00'],
      [1, '2026-11-24.19:55'],
      [2, '2026-11-24.20:00'],
      [3, '2026-11-24.20:05'],
    ]);
    expect(parseStartTime('2026-11-24.20:05').toISOString()).toBe('2026-11-24T20:05:00.000Z');
    expect(model.eventOptions!.eventScripts).toEqual([{ name: 'qkd-macsec-v3.3.py', pythonScriptUser: 'qkd-script' }]);
    expect(checkConfig(model)).toEqual([]);
  });

  it('plans the next rotation on the chain as the device holds it', () => {
    const plan = planKeyChainRotation({ chain: model.keyChains![0]!, now: new Date('2026-11-24T20:06:00Z'), leadTimeSeconds: 120 });
    expect(plan).toMatchObject({ slot: 4, activeSlot: 3, previousSlot: 2, startTime: '2026-11-24.20:08:00' });
    expect(plan.deleteSlots).toEqual([0, 1]);
  });
});

describe('older and odd device statements', () => {
  it("reads an old release's mka must-secure as nothing (it is Junos' behaviour without should-secure)", () => {
    const xml = '<configuration><security><macsec><connectivity-association><name>CA</name><security-mode>static-cak</security-mode><mka><must-secure/><key-server-priority>16</key-server-priority></mka></connectivity-association></macsec></security></configuration>';
    expect(parseConfigurationXml(xml).connectivityAssociations).toEqual([{ name: 'CA', securityMode: 'static-cak', mka: { keyServerPriority: 16 } }]);
  });

  it('refuses values outside the YANG enumerations, naming the element', () => {
    const wrap = (inner: string) => `<configuration><security><macsec><connectivity-association><name>CA</name>${inner}</connectivity-association></macsec></security></configuration>`;
    expect(() => parseConfigurationXml(wrap('<offset>20</offset>'))).toThrow(/connectivity-association\[CA\]\/offset: offset "20" is not one of 0, 30, 50/);
    const key = '<configuration><security><authentication-key-chains><key-chain><name>K</name><key><name>1</name><algorithm>sha-3</algorithm></key></key-chain></authentication-key-chains></security></configuration>';
    expect(() => parseConfigurationXml(key)).toThrow(/key\[1\]\/algorithm: algorithm "sha-3" is not one of/);
  });

  it('reads tolerance, offset, algorithm and options', () => {
    const xml = '<configuration><security><authentication-key-chains><key-chain><name>K</name><tolerance>3600</tolerance><key><name>1</name><algorithm>md5</algorithm><options>basic</options></key></key-chain></authentication-key-chains><macsec><connectivity-association><name>CA</name><offset>50</offset></connectivity-association></macsec></security></configuration>';
    const m = parseConfigurationXml(xml);
    expect(m.keyChains).toEqual([{ name: 'K', tolerance: 3600, keys: [{ index: 1, algorithm: 'md5', options: 'basic' }] }]);
    expect(m.connectivityAssociations).toEqual([{ name: 'CA', offset: 50 }]);
    expect(renderSet({ keyChains: [{ name: 'QKD_KC', tolerance: 3600, keys: [] }] })).toEqual(['set security authentication-key-chains key-chain QKD_KC tolerance 3600']);
  });
});
