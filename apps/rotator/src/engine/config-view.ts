// The part of the resolved configuration the engine reads. The shell's RotatorConfig
// (src/config/schema.ts) has these fields (and more); taking only what is needed keeps the engine
// usable from tests and tools with a hand-built object. engineView() folds a config's sites (devices
// and SAEs behind site agents) into the same devices/saes maps, so every step sees one fleet.
import type { CipherSuite, EventOptions, Platform } from '@qkd-macsec/macsec-config';

interface EngineLinkEnd {
  device: string;
  interfaces: readonly string[];
}

export interface EngineLink {
  name: string;
  master: EngineLinkEnd;
  slaves: readonly EngineLinkEnd[];
  connectivityAssociation?: string | undefined;
  keyChain?: string | undefined;
}

/** A site behind an agent, as the engine reads RotatorConfig.sites: who is there, never how to reach them. */
interface EngineSite {
  saes: readonly string[];
  devices: Readonly<Record<string, { sae: string; platform?: Platform | undefined }>>;
}

export interface EngineConfig {
  /** Directly reached SAEs; engineView() adds each site's with `kme: "agent <site>"`. */
  saes: Readonly<Record<string, { kme: string }>>;
  /** Directly reached devices; engineView() adds each site's. */
  devices: Readonly<Record<string, { sae: string }>>;
  /** Sites behind agents (RotatorConfig.sites; absent or empty in direct mode). */
  sites?: Readonly<Record<string, EngineSite>> | undefined;
  links: readonly EngineLink[];
  rotation: {
    mode: 'key-chain' | 'static-cak';
    cipherSuite: CipherSuite;
    ckn: { strategy: 'sha256-keyid' } | { strategy: 'prefix-uuid'; prefix: string };
    leadTimeSeconds: number;
    intervalSeconds: number;
    concurrency: number;
    confirmTimeoutMinutes: number;
  };
  /** The fallback-key (default: enabled, rotated every 168 h). */
  fallback?: { enabled: boolean; intervalHours: number } | undefined;
  stateDir: string;
  /** KME URLs (for `init.applyMacros`); RotatorConfig has them. */
  kmes?: Readonly<Record<string, { url: string }>> | undefined;
  /** Optional extras for `init`. */
  init?: InitExtras | undefined;
}

interface InitExtras {
  /** `system static-host-mapping` entries, e.g. for KME host names. */
  staticHostMappings?: ReadonlyArray<{ name: string; inet: readonly string[] }>;
  /**
   * The field script's `apply-macro qkd` tags on each MACsec interface: kme-host and kme-port of
   * the end's KME, kme-ca, kme-method (default post).
   */
  applyMacros?: boolean | { kmeMethod?: 'get' | 'post'; kmeKeyidCheck?: boolean };
  /** event-options for on-box runs (generate-event, policy, event-script file); merged by name. */
  eventOptions?: EventOptions;
}

/** One end of a link as the engine works with it. */
interface ResolvedEnd {
  role: 'master' | 'slave';
  device: string;
  sae: string;
  interfaces: readonly string[];
}

export interface ResolvedLink {
  name: string;
  connectivityAssociation: string;
  keyChain: string;
  ends: ResolvedEnd[];
  masterSae: string;
  /** Slave SAEs in order, without duplicates: the first is the path slave, the rest additional. */
  slaveSaes: string[];
}

export class EngineConfigError extends Error {
  override name = 'EngineConfigError';
}

/**
 * The config with its sites' devices and SAEs merged into `devices` and `saes` (a site SAE's KME
 * reads `agent <site>` in messages) and no `sites` left, so a second call changes nothing; the
 * config itself when it has no site. A name in two places is refused: which way to reach it would
 * be a guess. (Which agent reaches what is the AgentDirectory's to say.)
 */
export function engineView(config: EngineConfig): EngineConfig {
  const sites = Object.entries(config.sites ?? {});
  if (sites.length === 0) return config;
  const devices: Record<string, { sae: string; platform?: Platform }> = { ...config.devices };
  const saes: Record<string, { kme: string }> = { ...config.saes };
  for (const [site, s] of sites) {
    for (const sae of s.saes) {
      if (saes[sae]) throw new EngineConfigError(`SAE "${sae}" is at site ${site} and ${saes[sae].kme.startsWith('agent ') ? `at ${saes[sae].kme.slice(6)} too` : 'in saes too'}: name it in one place`);
      saes[sae] = { kme: `agent ${site}` };
    }
    for (const [name, d] of Object.entries(s.devices)) {
      if (devices[name]) throw new EngineConfigError(`device "${name}" is at site ${site} and ${name in config.devices ? 'in devices' : 'at another site'} too: name it in one place`);
      devices[name] = { sae: d.sae, ...(d.platform !== undefined ? { platform: d.platform } : {}) };
    }
  }
  const { sites: _folded, ...rest } = config;
  return { ...rest, devices, saes };
}

export function resolveLinks(given: EngineConfig): ResolvedLink[] {
  const config = engineView(given);
  return config.links.map((l) => {
    const end = (role: 'master' | 'slave', e: EngineLinkEnd): ResolvedEnd => {
      const d = config.devices[e.device];
      if (!d) throw new EngineConfigError(`link ${l.name}: device "${e.device}" is not in devices`);
      if (!config.saes[d.sae]) throw new EngineConfigError(`link ${l.name}: device ${e.device} uses SAE "${d.sae}", which is not in saes`);
      return { role, device: e.device, sae: d.sae, interfaces: [...e.interfaces] };
    };
    const ends = [end('master', l.master), ...l.slaves.map((s) => end('slave', s))];
    const devices = ends.map((e) => e.device);
    if (new Set(devices).size !== devices.length) throw new EngineConfigError(`link ${l.name}: a device appears at two ends (${devices.join(', ')})`);
    const masterSae = ends[0]!.sae;
    const slaveSaes = [...new Set(ends.slice(1).map((e) => e.sae))];
    if (slaveSaes.includes(masterSae)) throw new EngineConfigError(`link ${l.name}: a slave end uses the master's SAE ${masterSae}`);
    return {
      name: l.name,
      connectivityAssociation: l.connectivityAssociation ?? `qkd-${l.name}`,
      keyChain: l.keyChain ?? `qkd-${l.name}`,
      ends,
      masterSae,
      slaveSaes,
    };
  });
}
