// What the devices' platforms decide in the config (macsec-config's PLATFORM_PROFILES): the
// default cipher suite, and whether key-chain mode is allowed at all. A device without a
// `platform` is detected by init from its model (src/init/platform.ts) and checked there.
import { platformProfile, type CipherSuite, type Platform } from '@qkd-macsec/macsec-config';
import type { ConfigIssue } from './errors.js';
import type { ConfigFile } from './file-schema.js';
import { allDevices } from './sites.js';

/** Used when neither the file nor any device's platform names a cipher suite. */
export const FALLBACK_CIPHER_SUITE: CipherSuite = 'gcm-aes-256';

export interface SuiteChoice {
  cipherSuite: CipherSuite;
  from: 'config' | 'platform' | 'default';
}

/**
 * rotation.cipherSuite when set; else the default of the configured platforms, which must agree
 * (both ends of a link run one suite, and the engine fetches one key size); else gcm-aes-256.
 */
export function chooseCipherSuite(file: Pick<ConfigFile, 'rotation' | 'devices' | 'sites'>): SuiteChoice | ConfigIssue {
  if (file.rotation.cipherSuite !== undefined) return { cipherSuite: file.rotation.cipherSuite, from: 'config' };
  const defaults = new Map<CipherSuite, string[]>();
  for (const [name, d] of allDevices(file)) {
    if (d.platform === undefined) continue;
    const suite = platformProfile(d.platform).defaultCipherSuite;
    defaults.set(suite, [...(defaults.get(suite) ?? []), `${name} (${d.platform})`]);
  }
  if (defaults.size === 0) return { cipherSuite: FALLBACK_CIPHER_SUITE, from: 'default' };
  if (defaults.size === 1) return { cipherSuite: [...defaults.keys()][0]!, from: 'platform' };
  const list = [...defaults].map(([suite, devs]) => `${suite} for ${devs.join(', ')}`).join('; ');
  return { path: 'rotation.cipherSuite', message: `is not set and the devices' platforms default to different cipher suites (${list}): set rotation.cipherSuite to one every device takes` };
}

/** The reason a platform cannot run the configured mode, or undefined when it can. */
export function modeProblem(platform: Platform, mode: 'key-chain' | 'static-cak'): string | undefined {
  const profile = platformProfile(platform);
  if (mode !== 'key-chain' || profile.hitlessKeyChain) return undefined;
  return `${platform} (${profile.devices}) has no hitless key-chain rollover, and rotation.mode is key-chain: set rotation.mode: static-cak (each rotation replaces the pre-shared-key — not hitless)`;
}

export function platformIssues(file: Pick<ConfigFile, 'rotation' | 'devices' | 'sites'>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const mode = file.rotation.mode;
  for (const [name, d] of allDevices(file)) {
    const problem = d.platform === undefined ? undefined : modeProblem(d.platform, mode);
    const at = d.site === undefined ? `devices.${name}` : `sites.${d.site}.devices.${name}`;
    if (problem) issues.push({ path: `${at}.platform`, message: problem });
  }
  const choice = chooseCipherSuite(file);
  if ('path' in choice) issues.push(choice);
  const r = file.rotation;
  // A key accepted `tolerance` seconds before its start-time must still be after the confirm
  // deadline (start-time = deadline + leadTimeSeconds), or an end whose commit confirmed is about
  // to roll back could already use it.
  if (r.keyChainTolerance > 0 && r.keyChainTolerance >= r.leadTimeSeconds) {
    issues.push({
      path: 'rotation.keyChainTolerance',
      message: `${r.keyChainTolerance} s is not shorter than rotation.leadTimeSeconds (${r.leadTimeSeconds} s): a device could accept a new key before the confirm deadline has passed; lower it (default 0) or raise the lead time`,
    });
  }
  return issues;
}
