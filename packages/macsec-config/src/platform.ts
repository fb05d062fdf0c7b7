// Platform profiles: per Juniper platform family, the YANG family its configuration follows and
// the MACsec facts that differ, as plain data, each with its source. validateForPlatform refuses
// a model that needs what the platform lacks.
//
// Sources (named in each profile's `sources`):
//  [yang]   Juniper's 24.4R1 YANG, ../shared/junos-yang: in all four families the MACsec
//           statements this package renders are the same (cipher-suite enum of four suites, replay-protect,
//           pre-shared-key-chain, fallback-key, offset, exclude-protocol), so the YANG alone
//           separates no platform: what differs below comes from the other sources.
//  [fx7831] Juniper Feature Explorer, feature 7831 "hitless rollover keychain" (MACsec):
//           ACX7100-32C 22.4R1, PTX10008 20.3R1, PTX10001-36MR/PTX10004 20.4R1, PTX10016 21.2R2,
//           PTX10002-36QDD 24.2R2, QFX5130-48CM/QFX5700/QFX5700E 23.4R2, all Junos OS Evolved.
//  [design] the project's design notes (docs/, from the field deployment): hitless key-chain
//           rollover on MX; the field script's cipher suites (gcm-aes-xpn-256 on MX/ACX/PTX/QFX,
//           gcm-aes-xpn-128 on EX/SRX).
//  [cipher] Juniper CLI reference, "cipher-suite (MACsec)": default gcm-aes-128; use an XPN suite
//           on et (40G/100G and faster) interfaces. Line-card limits (MPC7E-10G: no XPN;
//           MIC-3D-20GE-SFP-E/EH: gcm-aes-128 only; "Configuring advanced MACsec features") are
//           per port and not modelled here.
import { validationError, type ValidationIssue } from './errors.js';
import { CIPHER_SUITES, type CipherSuite, type MacsecConfig } from './model.js';
import { checkConfig, type CheckOptions } from './validate.js';

export const PLATFORMS = ['mx', 'ptx', 'acx', 'qfx', 'ex', 'srx'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The folders of ../shared/junos-yang: junos (MX), junos-qfx (QFX/EX on Junos OS), junos-es (SRX), evo. */
export type JunosYangFamily = 'junos' | 'junos-qfx' | 'junos-es' | 'evo';

export interface PlatformProfile {
  platform: Platform;
  /** Which devices the profile stands for. */
  devices: string;
  os: 'Junos OS' | 'Junos OS Evolved';
  /** The YANG family its configuration validates against. */
  yangFamily: JunosYangFamily;
  /** Cipher suites the platform offers. */
  cipherSuites: readonly CipherSuite[];
  /** What to configure when nothing else is asked for (the field script's choice). */
  defaultCipherSuite: CipherSuite;
  /** `replay-protect` is available. */
  replayProtect: boolean;
  /**
   * Hitless key-chain (`pre-shared-key-chain`) rollover. Where absent, a key change is a
   * static-cak `pre-shared-key` replacement, which restarts the MKA session: not hitless.
   */
  hitlessKeyChain: boolean;
  /** First release with hitless key-chain rollover, where a source gives one. */
  hitlessSince?: string;
  /** Source tags (see the top of this file) for the facts above. */
  sources: readonly string[];
}

const ALL_SUITES = CIPHER_SUITES;

export const PLATFORM_PROFILES: Readonly<Record<Platform, PlatformProfile>> = {
  mx: {
    platform: 'mx',
    devices: 'MX Series',
    os: 'Junos OS',
    yangFamily: 'junos',
    cipherSuites: ALL_SUITES, // [yang]
    defaultCipherSuite: 'gcm-aes-xpn-256', // [design]
    replayProtect: true, // [yang]
    hitlessKeyChain: true, // [design]
    sources: ['yang', 'design', 'cipher'],
  },
  ptx: {
    platform: 'ptx',
    devices: 'PTX10000 Series',
    os: 'Junos OS Evolved',
    yangFamily: 'evo',
    cipherSuites: ALL_SUITES, // [yang]
    defaultCipherSuite: 'gcm-aes-xpn-256', // [design]
    replayProtect: true, // [yang]
    hitlessKeyChain: true, // [fx7831]
    hitlessSince: '20.3R1 (PTX10008); 20.4R1 PTX10001-36MR/PTX10004; 21.2R2 PTX10016; 24.2R2 PTX10002-36QDD',
    sources: ['yang', 'fx7831', 'design', 'cipher'],
  },
  acx: {
    platform: 'acx',
    devices: 'ACX7000 Series (ACX7100)',
    os: 'Junos OS Evolved',
    yangFamily: 'evo',
    cipherSuites: ALL_SUITES, // [yang]
    defaultCipherSuite: 'gcm-aes-xpn-256', // [design]
    replayProtect: true, // [yang]
    hitlessKeyChain: true, // [fx7831]
    hitlessSince: '22.4R1 (ACX7100-32C)',
    sources: ['yang', 'fx7831', 'design', 'cipher'],
  },
  qfx: {
    platform: 'qfx',
    devices: 'QFX5130 / QFX5700 (Junos OS Evolved)',
    os: 'Junos OS Evolved',
    yangFamily: 'evo',
    cipherSuites: ALL_SUITES, // [yang]
    defaultCipherSuite: 'gcm-aes-xpn-256', // [design]
    replayProtect: true, // [yang]
    hitlessKeyChain: true, // [fx7831]
    hitlessSince: '23.4R2 (QFX5130-48CM, QFX5700, QFX5700E)',
    sources: ['yang', 'fx7831', 'design', 'cipher'],
  },
  ex: {
    platform: 'ex',
    devices: 'EX Series (and QFX on Junos OS)',
    os: 'Junos OS',
    yangFamily: 'junos-qfx',
    cipherSuites: ALL_SUITES, // [yang]
    defaultCipherSuite: 'gcm-aes-xpn-128', // [design]
    replayProtect: true, // [yang]
    hitlessKeyChain: false, // not in [fx7831] nor [design]
    sources: ['yang', 'fx7831', 'design', 'cipher'],
  },
  srx: {
    platform: 'srx',
    devices: 'SRX Series',
    os: 'Junos OS',
    yangFamily: 'junos-es',
    cipherSuites: ALL_SUITES, // [yang]
    defaultCipherSuite: 'gcm-aes-xpn-128', // [design]
    replayProtect: true, // [yang]
    hitlessKeyChain: false, // not in [fx7831] nor [design]
    sources: ['yang', 'fx7831', 'design', 'cipher'],
  },
};

/** The profile of a platform; MacsecValidationError for a name that is not one. */
export function platformProfile(platform: Platform): PlatformProfile {
  if (typeof platform !== 'string' || !Object.hasOwn(PLATFORM_PROFILES, platform)) {
    throw validationError([{ path: 'platform', message: `platform "${String(platform)}" is not one of ${PLATFORMS.join(', ')}` }]);
  }
  return PLATFORM_PROFILES[platform];
}

/** What the platform refuses in a model, with paths (on top of checkConfig's issues). */
export function checkForPlatform(config: MacsecConfig, platform: Platform): ValidationIssue[] {
  const profile = platformProfile(platform);
  const issues: ValidationIssue[] = [];
  (config.connectivityAssociations ?? []).forEach((ca, i) => {
    const p = `connectivityAssociations[${i}]`;
    if (ca.cipherSuite !== undefined && !profile.cipherSuites.includes(ca.cipherSuite)) {
      issues.push({ path: `${p}.cipherSuite`, message: `${platform} offers ${profile.cipherSuites.join(', ')}, not ${ca.cipherSuite}` });
    }
    if (ca.replayProtect && !profile.replayProtect) issues.push({ path: `${p}.replayProtect`, message: `${platform} has no replay-protect` });
    if (ca.preSharedKeyChain !== undefined && !profile.hitlessKeyChain) {
      issues.push({
        path: `${p}.preSharedKeyChain`,
        message: `${platform} has no hitless key-chain rollover: use a static-cak pre-shared-key (a key change restarts MKA, not hitless)`,
      });
    }
  });
  return issues;
}

/** Throws MacsecValidationError listing the model's problems and what the platform lacks. */
export function validateForPlatform<T extends MacsecConfig>(config: T, platform: Platform, options: CheckOptions = {}): T {
  const issues = [...checkConfig(config, options)];
  if (issues.length === 0) issues.push(...checkForPlatform(config, platform));
  if (issues.length > 0) throw validationError(issues);
  return config;
}
