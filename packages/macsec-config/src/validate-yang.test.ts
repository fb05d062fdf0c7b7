// The validator enforces the rules of Juniper's 24.4R1 YANG (ranges, enumerations, list limits)
// and the junos:must rules of its -with-extensions models, each reported with its path.
import { describe, expect, it } from 'vitest';
import { CAK128, CAK256, CKN1 } from './testing/fixtures.js';
import type { ConnectivityAssociation, EventOptions, KeyChain, MacsecConfig } from './model.js';
import { renderXml } from './render-xml.js';
import { Secret } from './secret.js';
import { checkConfig, checkKmeHost } from './validate.js';

const cak = Secret.fromHex(CAK256);
const ca = (extra: Partial<ConnectivityAssociation>): MacsecConfig => ({ connectivityAssociations: [{ name: 'CA', securityMode: 'static-cak', ...extra }] });
const chain = (extra: Partial<KeyChain>): MacsecConfig => ({ keyChains: [{ name: 'KC', keys: [], ...extra }] });
const events = (eo: EventOptions): MacsecConfig => ({ eventOptions: eo });
const issues = (m: MacsecConfig, partial = false) => checkConfig(m, { partial }).map((i) => `${i.path}: ${i.message}`);

describe('YANG ranges and value sets', () => {
  const cases: Array<[string, MacsecConfig, string]> = [
    ['transmit-interval below 2000', ca({ mka: { transmitInterval: 1999 } }), 'connectivityAssociations[0].mka.transmitInterval: transmit-interval (ms) must be an integer 2000..6000, got 1999'],
    ['transmit-interval above 6000', ca({ mka: { transmitInterval: 6001 } }), 'connectivityAssociations[0].mka.transmitInterval'],
    ['sak-rekey-interval below 60', ca({ mka: { sakRekeyInterval: 59 } }), 'connectivityAssociations[0].mka.sakRekeyInterval: sak-rekey-interval (s) must be an integer 60..86400, got 59'],
    ['sak-rekey-interval above 86400', ca({ mka: { sakRekeyInterval: 86401 } }), 'connectivityAssociations[0].mka.sakRekeyInterval'],
    ['key-server-priority 256', ca({ mka: { keyServerPriority: 256 } }), 'connectivityAssociations[0].mka.keyServerPriority: key-server-priority must be an integer 0..255, got 256'],
    ['replay-window-size 65536', ca({ replayProtect: { replayWindowSize: 65536 } }), 'connectivityAssociations[0].replayProtect.replayWindowSize: replay-window-size must be an integer 0..65535, got 65536'],
    ['offset 20', ca({ offset: 20 as never }), 'connectivityAssociations[0].offset: offset must be one of 0, 30, 50, got 20'],
    ['security-mode macsec', ca({ securityMode: 'macsec' as never }), 'connectivityAssociations[0].securityMode: security-mode "macsec" is not one of static-cak, static-sak, dynamic'],
    ['exclude-protocol stp (not in the YANG)', ca({ excludeProtocols: ['stp'] }), 'connectivityAssociations[0].excludeProtocols[0]: exclude-protocol "stp" is not one of cdp, lldp, lacp'],
    ['exclude-protocol twice', ca({ excludeProtocols: ['lldp', 'lldp'] }), 'connectivityAssociations[0].excludeProtocols[1]: duplicate exclude-protocol "lldp"'],
    ['CA name of 33', ca({ name: 'c'.repeat(33) }), 'connectivityAssociations[0].name: connectivity-association name must have 1..32 characters, got 33'],
    ['must-secure', ca({ mka: { mustSecure: true } as never }), 'connectivityAssociations[0].mka.mustSecure: must-secure is not a Junos 24.4R1 statement'],
    ['fallback CKN not hex', ca({ fallbackKey: { ckn: 'xyz0', cak } }), 'connectivityAssociations[0].fallbackKey.ckn: CKN "xyz0" is not hex'],
    ['fallback CKN odd', ca({ fallbackKey: { ckn: 'abc', cak } }), 'connectivityAssociations[0].fallbackKey.ckn: CKN must have an even number of hex digits, got 3'],
    ['fallback CAK short', ca({ cipherSuite: 'gcm-aes-256', fallbackKey: { ckn: 'ab', cak: Secret.fromHex(CAK128) } }), 'connectivityAssociations[0].fallbackKey.cak: CAK for gcm-aes-256 must be exactly 64 hex digits, got 32'],
    ['fallback CKN = primary CKN', ca({ preSharedKey: { ckn: CKN1, cak }, fallbackKey: { ckn: CKN1.toUpperCase(), cak } }), 'connectivityAssociations[0].fallbackKey.ckn: fallback-key CKN must differ from the pre-shared-key CKN'],
    ['key-chain name of 33', chain({ name: 'k'.repeat(33) }), 'keyChains[0].name: key-chain name must have 1..32 characters, got 33'],
    ['key-chain name with a space', chain({ name: 'QKD KC' }), 'keyChains[0].name: key-chain name "QKD KC" may hold only'],
    ['description of 81', chain({ description: 'd'.repeat(81) }), 'keyChains[0].description: description must have 1..80 characters, got 81'],
    ['empty description', chain({ description: '' }), 'keyChains[0].description: description must have 1..80 characters, got 0'],
    ['tolerance above uint32', chain({ tolerance: 4294967296 }), 'keyChains[0].tolerance: tolerance (s) must be an integer 0..4294967295, got 4294967296'],
    ['tolerance negative', chain({ tolerance: -1 }), 'keyChains[0].tolerance'],
    ['algorithm sha-3', chain({ keys: [{ index: 0, algorithm: 'sha-3' as never }] }), 'keyChains[0].keys[0].algorithm: algorithm "sha-3" is not one of md5, hmac-sha-1'],
    ['options fancy', chain({ keys: [{ index: 0, options: 'fancy' as never }] }), 'keyChains[0].keys[0].options: options "fancy" is not one of basic, isis-enhanced'],
    ['11 generate-events', events({ generateEvents: Array.from({ length: 11 }, (_, i) => ({ name: `e${i}`, timeInterval: 60 })) }), 'eventOptions.generateEvents: at most 10 generate-events, got 11'],
    ['generate-event name of 64', events({ generateEvents: [{ name: 'e'.repeat(64), timeInterval: 60 }] }), 'eventOptions.generateEvents[0].name'],
    ['time-of-day and time-interval', events({ generateEvents: [{ name: 'e', timeInterval: 60, timeOfDay: '00:00:00' }] }), 'eventOptions.generateEvents[0]: generate-event needs exactly one of time-interval or time-of-day'],
    ['time-interval 59', events({ generateEvents: [{ name: 'e', timeInterval: 59 }] }), 'eventOptions.generateEvents[0].timeInterval: time-interval (s) must be an integer 60..2592000, got 59'],
    ['time-interval 2592001', events({ generateEvents: [{ name: 'e', timeInterval: 2592001 }] }), 'eventOptions.generateEvents[0].timeInterval'],
    ['policy name of 64', events({ policies: [{ name: 'p'.repeat(64), events: ['e'], eventScripts: [] }] }), 'eventOptions.policies[0].name'],
    ['trace flag bogus', events({ traceoptions: { flags: ['bogus'] } }), 'eventOptions.traceoptions.flags[0]: traceoptions flag "bogus" is not one of server'],
  ];
  for (const [what, model, expected] of cases) {
    it(`refuses ${what}`, () => {
      expect(issues(model).some((i) => i.startsWith(expected)), issues(model).join('\n')).toBe(true);
    });
  }

  it('accepts the edges of every range', () => {
    expect(issues(ca({ mka: { transmitInterval: 2000, sakRekeyInterval: 60, keyServerPriority: 0 }, replayProtect: { replayWindowSize: 65535 }, offset: 50 }))).toEqual([]);
    expect(issues(ca({ mka: { transmitInterval: 6000, sakRekeyInterval: 86400, keyServerPriority: 255 }, replayProtect: {} }))).toEqual([]);
    expect(issues(chain({ name: 'k'.repeat(32), description: 'd'.repeat(80), tolerance: 4294967295 }))).toEqual([]);
    expect(issues(events({ generateEvents: Array.from({ length: 10 }, (_, i) => ({ name: `e${i}`.padEnd(63, 'x'), timeInterval: i % 2 ? 60 : 2592000 })) }))).toEqual([]);
  });
});

describe('junos:must rules (security-mode static-cak)', () => {
  const needsStaticCak: Array<[string, Partial<ConnectivityAssociation>]> = [
    ['mka', { mka: { transmitInterval: 2000 } }],
    ['preSharedKey', { preSharedKey: { ckn: 'ab', cak } }],
    ['fallbackKey', { fallbackKey: { ckn: 'ab', cak } }],
    ['preSharedKeyChain', { preSharedKeyChain: 'KC' }],
  ];
  for (const [field, extra] of needsStaticCak) {
    it(`${field} needs security-mode static-cak`, () => {
      expect(issues({ connectivityAssociations: [{ name: 'CA', securityMode: 'static-sak', ...extra }] })).toContain(
        `connectivityAssociations[0].${field}: ${field === 'mka' ? 'mka requires security-mode static-cak or dynamic' : `${{ preSharedKey: 'pre-shared-key', fallbackKey: 'fallback-key', preSharedKeyChain: 'pre-shared-key-chain' }[field]} requires security-mode static-cak`}, not static-sak`,
      );
      // A complete model without a security-mode breaks the rule; a merge fragment leaves the device's mode alone.
      expect(issues({ connectivityAssociations: [{ name: 'CA', ...extra }] }).join('\n')).toMatch(/requires security-mode .*\(none set\)/);
      expect(issues({ connectivityAssociations: [{ name: 'CA', ...extra }] }, true)).toEqual([]);
    });
  }

  it('key-server-priority needs static-cak (dynamic allows mka but not it)', () => {
    expect(issues({ connectivityAssociations: [{ name: 'CA', securityMode: 'dynamic', mka: { keyServerPriority: 1 } }] })).toEqual([
      'connectivityAssociations[0].mka.keyServerPriority: key-server-priority requires security-mode static-cak, not dynamic',
    ]);
  });

  it('256-bit and XPN suites are refused with static-sak', () => {
    expect(issues({ connectivityAssociations: [{ name: 'CA', securityMode: 'static-sak', cipherSuite: 'gcm-aes-xpn-256' }] })).toEqual([
      'connectivityAssociations[0].cipherSuite: gcm-aes-xpn-256 is not allowed with security-mode static-sak',
    ]);
  });

  it('a merge render checks only what it carries; a replace render checks the entry whole', () => {
    const fragment: MacsecConfig = { connectivityAssociations: [{ name: 'CA', preSharedKey: { ckn: 'ab', cak } }] };
    expect(renderXml(fragment)).toContain('<ckn>ab</ckn>');
    expect(() => renderXml(fragment, { operation: 'replace' })).toThrow(/pre-shared-key requires security-mode static-cak \(none set\)/);
  });
});

describe('kme-host', () => {
  it('takes a host, an address or an http(s) URL, as field script v3.2 wrote it', () => {
    for (const ok of ['kme-a', '10.0.0.1', 'https://kme-a.example.net:8443/api/v1/keys', 'http://[2001:db8::1]:80/x']) expect(checkKmeHost(ok)).toBeNull();
    expect(checkKmeHost('https://bad host/x')).toMatch(/not a valid URL|may not contain/);
    expect(checkKmeHost('ftp://kme')).toMatch(/not a host name/);
    expect(checkKmeHost('https://-bad-.example/')).toMatch(/not a host name/);
  });
});
