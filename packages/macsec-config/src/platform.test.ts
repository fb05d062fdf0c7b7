import { describe, expect, it } from 'vitest';
import { MacsecValidationError } from './errors.js';
import { CIPHER_SUITES, type MacsecConfig } from './model.js';
import { checkForPlatform, PLATFORM_PROFILES, PLATFORMS, platformProfile, validateForPlatform } from './platform.js';
import { Secret } from './secret.js';

const cak = Secret.fromHex('ab'.repeat(32));
const withChain: MacsecConfig = { connectivityAssociations: [{ name: 'CA', securityMode: 'static-cak', cipherSuite: 'gcm-aes-xpn-256', preSharedKeyChain: 'KC', replayProtect: {} }] };
const withKey: MacsecConfig = { connectivityAssociations: [{ name: 'CA', securityMode: 'static-cak', cipherSuite: 'gcm-aes-xpn-256', preSharedKey: { ckn: 'cd', cak } }] };

describe('platform profiles', () => {
  it('map each platform to its YANG family and the field script defaults', () => {
    expect(PLATFORMS.map((p) => [p, PLATFORM_PROFILES[p].yangFamily, PLATFORM_PROFILES[p].defaultCipherSuite, PLATFORM_PROFILES[p].hitlessKeyChain])).toEqual([
      ['mx', 'junos', 'gcm-aes-xpn-256', true],
      ['ptx', 'evo', 'gcm-aes-xpn-256', true],
      ['acx', 'evo', 'gcm-aes-xpn-256', true],
      ['qfx', 'evo', 'gcm-aes-xpn-256', true],
      ['ex', 'junos-qfx', 'gcm-aes-xpn-128', false],
      ['srx', 'junos-es', 'gcm-aes-xpn-128', false],
    ]);
    for (const p of PLATFORMS) {
      const profile = platformProfile(p);
      expect(profile.cipherSuites).toContain(profile.defaultCipherSuite);
      expect(profile.cipherSuites.every((s) => (CIPHER_SUITES as readonly string[]).includes(s))).toBe(true);
      expect(profile.sources.length).toBeGreaterThan(0);
    }
  });

  it('refuses a key chain where rollover is not hitless, with the path', () => {
    for (const p of ['ex', 'srx'] as const) {
      expect(checkForPlatform(withChain, p)).toEqual([
        { path: 'connectivityAssociations[0].preSharedKeyChain', message: `${p} has no hitless key-chain rollover: use a static-cak pre-shared-key (a key change restarts MKA, not hitless)` },
      ]);
      expect(() => validateForPlatform(withChain, p)).toThrow(MacsecValidationError);
      expect(validateForPlatform(withKey, p)).toBe(withKey);
    }
    for (const p of ['mx', 'ptx', 'acx', 'qfx'] as const) expect(validateForPlatform(withChain, p)).toBe(withChain);
  });

  it('reports model problems first, and an unknown platform by name', () => {
    expect(() => validateForPlatform({ connectivityAssociations: [{ name: 'CA', securityMode: 'static-cak', mka: { transmitInterval: 1 } }] }, 'mx')).toThrow(/transmit-interval/);
    expect(() => platformProfile('nfx' as never)).toThrow(/platform "nfx" is not one of mx, ptx, acx, qfx, ex, srx/);
    expect(() => platformProfile('toString' as never)).toThrow(MacsecValidationError);
  });
});
