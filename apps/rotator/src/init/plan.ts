// What `init` wants on each device, compared with what the device holds: a list of readable
// differences and the change that fixes exactly those (nothing that is already right is touched).
// Per link: plan-link.ts; beyond the links: plan-device-wide.ts. Pure: no I/O.
import type { CipherSuite, KeyChain, MacsecConfig } from '@qkd-macsec/macsec-config';
import type { EngineConfig, ResolvedLink } from '../engine/config-view.js';
import { carriedKey } from './adopt.js';
import { planEventOptions, planStaticHostMappings } from './plan-device-wide.js';
import { planConnectivityAssociation, planInterfaces, planKeyChain } from './plan-link.js';

export interface PlanOptions {
  /** The rotator's clock: a carried key starts before it. Default: now. */
  now?: Date;
  /** The cipher suite per link (platform defaults); default config.rotation.cipherSuite. */
  suites?: ReadonlyMap<string, CipherSuite>;
  /** `tolerance` for every key chain of the links (config rotation.keyChainTolerance). */
  tolerance?: number;
}

export interface DevicePlan {
  device: string;
  changes: string[];
  /** Entries rendered with replace="replace" (a connectivity association that must lose a statement). */
  replace: MacsecConfig;
  /** Entries merged. */
  merge: MacsecConfig;
}

/**
 * The plan for one device: its connectivity associations, interface bindings, key chains and
 * (optionally) static host mappings. First keys are added by the caller (they need the KMEs).
 */
export function planDevice(
  device: string,
  links: readonly ResolvedLink[],
  have: MacsecConfig,
  config: Pick<EngineConfig, 'rotation' | 'init' | 'saes' | 'kmes'>,
  options: PlanOptions = {},
): DevicePlan {
  const { mode } = config.rotation;
  const now = options.now ?? new Date();
  const plan: DevicePlan = { device, changes: [], replace: {}, merge: {} };
  for (const link of links) {
    const end = link.ends.find((e) => e.device === device);
    if (!end) continue;
    const suite = options.suites?.get(link.name) ?? config.rotation.cipherSuite;
    planConnectivityAssociation(plan, link, have, mode, suite);
    planInterfaces(plan, link, end, have, config);
    if (mode === 'key-chain') planKeyChain(plan, link, end, have, options, now, suite);
  }
  planStaticHostMappings(plan, have, config);
  planEventOptions(plan, have, config);
  return plan;
}

/**
 * Why a link needs a (new) fallback-key, or undefined when every end's connectivity association
 * carries the one the rotator installed (recorded in the state). A fallback-key the state does not
 * know — e.g. the field script's, a hash of the CA name anyone can compute — is replaced.
 */
export function fallbackProblem(link: ResolvedLink, configs: ReadonlyMap<string, MacsecConfig>, recordedCkn: string | undefined): string | undefined {
  const have = link.ends.map((e) => configs.get(e.device)?.connectivityAssociations?.find((c) => c.name === link.connectivityAssociation)?.fallbackKey?.ckn.toLowerCase());
  if (have.every((c) => c === undefined)) return 'add';
  if (!recordedCkn) return 'replace (not one the rotator installed from a QKD key)';
  if (have.some((c) => c !== recordedCkn.toLowerCase())) return 'replace (the ends differ)';
  return undefined;
}

/** Key names present on every end of a link: a shared key means the link has a working key. */
export function sharedKeyNames(link: ResolvedLink, configs: ReadonlyMap<string, MacsecConfig>, mode: string, now: Date = new Date(), suite: CipherSuite = 'gcm-aes-256'): string[] {
  const sets = link.ends.map((e) => {
    const cfg = configs.get(e.device);
    if (mode === 'key-chain') {
      const names = (cfg?.keyChains?.find((c) => c.name === link.keyChain)?.keys ?? []).map((k) => k.keyName?.toLowerCase()).filter((x): x is string => !!x);
      const carried = cfg ? carriedKey(link, e.interfaces, cfg, now, suite)?.key.keyName?.toLowerCase() : undefined;
      return new Set(carried ? [...names, carried] : names);
    }
    const psk = cfg?.connectivityAssociations?.find((c) => c.name === link.connectivityAssociation)?.preSharedKey?.ckn;
    return new Set(psk ? [psk.toLowerCase()] : []);
  });
  const [first, ...rest] = sets;
  return [...(first ?? [])].filter((n) => rest.every((s) => s.has(n)));
}

export function chainOrEmpty(config: MacsecConfig | undefined, name: string): KeyChain {
  return config?.keyChains?.find((c) => c.name === name) ?? { name, keys: [] };
}
