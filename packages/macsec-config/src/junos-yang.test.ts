// Everything this package renders validates against Juniper's published 24.4R1 YANG, in all four
// families (yanglint, libyang2-tools). Without yanglint or the YANG folder the suite skips with a
// warning, except under CI=true, where it fails.
import { describe, expect, it } from 'vitest';
import { everyFieldModel, fieldScriptReply, fullModel } from './testing/fixtures.js';
import { parseConfigurationXml } from './parse-xml.js';
import { PLATFORM_PROFILES, PLATFORMS, validateForPlatform } from './platform.js';
import { renderXml } from './render-xml.js';
import { Secret } from './secret.js';
import { validateWithYang, yangAvailability, YANG_FAMILIES } from '@qkd-macsec/junos-yang';
import type { MacsecConfig } from './model.js';

const avail = yangAvailability();
const skip = avail.missing.length > 0 && !avail.required;
if (skip) console.warn(`Junos YANG validation SKIPPED: missing ${avail.missing.join('; ')} (set JUNOS_YANG_DIR, or CI=true to fail)`);

// yanglint loads a family's modules per call (about 0.3 s; the evo system module is 4 MB): give
// the calls room on a loaded machine. Timing is not what these tests check.
const SLOW = 120_000;

const expectValid = (xml: string, family: (typeof YANG_FAMILIES)[number]) => {
  const result = validateWithYang(xml, family, avail.dir);
  expect(result.errors, `${family}: ${result.errors}`).toBe('');
  expect(result.ok).toBe(true);
  return result;
};

describe.skipIf(skip)('rendered configuration against Juniper 24.4R1 YANG (yanglint)', () => {
  it('finds yanglint and all four families', () => {
    expect(avail.missing).toEqual([]);
  });

  for (const family of YANG_FAMILIES) {
    it(`a model setting every field validates in ${family}`, () => {
      const result = expectValid(renderXml(everyFieldModel(), { revealSecrets: true }), family);
      // junos (MX) publishes no system module (over 4 MB upstream): there only system is skipped.
      expect(result.skipped).toEqual(family === 'junos' ? ['system'] : []);
      expectValid(renderXml(fullModel(), { revealSecrets: true }), family);
    }, SLOW);
  }

  it('yanglint refuses what Junos refuses, so the checks above can fail', () => {
    const bad = [
      ['must-secure', '<mka><must-secure/></mka>'],
      ['exclude-protocol as a leaf-list', '<exclude-protocol>lldp</exclude-protocol>'],
      ['transmit-interval 1000', '<mka><transmit-interval>1000</transmit-interval></mka>'],
      ['offset 20', '<offset>20</offset>'],
      ['a description', '<description>x</description>'],
    ];
    for (const family of YANG_FAMILIES) {
      for (const [what, inner] of bad) {
        const xml = `<configuration><security><macsec><connectivity-association><name>CA</name><security-mode>static-cak</security-mode>${inner}</connectivity-association></macsec></security></configuration>`;
        expect(validateWithYang(xml, family, avail.dir).ok, `${family} accepted ${what}`).toBe(false);
      }
    }
  }, SLOW);

  for (const platform of PLATFORMS) {
    it(`a configuration for ${platform} validates against ${PLATFORM_PROFILES[platform].yangFamily}`, () => {
      const profile = PLATFORM_PROFILES[platform];
      const cak = Secret.fromHex(profile.defaultCipherSuite.endsWith('256') ? 'ab'.repeat(32) : 'ab'.repeat(16));
      const keys = profile.hitlessKeyChain
        ? { preSharedKeyChain: 'QKD_KC' }
        : { preSharedKey: { ckn: 'cd'.repeat(32), cak } };
      const model: MacsecConfig = {
        connectivityAssociations: [
          { name: 'CA_QKD', securityMode: 'static-cak', cipherSuite: profile.defaultCipherSuite, ...keys, fallbackKey: { ckn: 'ef'.repeat(32), cak }, replayProtect: {}, mka: { transmitInterval: 2000, sakRekeyInterval: 300 }, excludeProtocols: ['lldp'] },
        ],
        interfaces: [{ name: 'et-0/0/0', connectivityAssociation: 'CA_QKD' }],
        ...(profile.hitlessKeyChain ? { keyChains: [{ name: 'QKD_KC', tolerance: 3600, keys: [{ index: 0, keyName: '01'.repeat(32), secret: cak, startTime: '2026-11-24.20:00' }] }] } : {}),
      };
      expectValid(renderXml(validateForPlatform(model, platform), { revealSecrets: true }), profile.yangFamily);
    }, SLOW);
  }

  it("the field script's devices, read and rendered back, validate in their families", () => {
    // v3.2 ran on MX (junos), v3.3 on PTX (evo). Secrets come back as $9$ values, which are text to the YANG.
    expectValid(renderXml(parseConfigurationXml(fieldScriptReply('v3.2')), { revealSecrets: true }), 'junos');
    expectValid(renderXml(parseConfigurationXml(fieldScriptReply('v3.3')), { revealSecrets: true }), 'evo');
  }, SLOW);
});
