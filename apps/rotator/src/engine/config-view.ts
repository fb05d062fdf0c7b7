// The part of the resolved configuration the engine reads. The shell's RotatorConfig
// (src/config/schema.ts) has these fields (and more); taking only what is needed keeps the engine
// usable from tests and tools with a hand-built object.
import type { CipherSuite, EventOptions } from '@qkd-macsec/macsec-config';

export interface EngineLinkEnd {
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

export interface EngineConfig {
  saes: Readonly<Record<string, { kme: string }>>;
  devices: Readonly<Record<string, { sae: string }>>;
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

export interface InitExtras {
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
export interface ResolvedEnd {
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

export function resolveLinks(config: EngineConfig): ResolvedLink[] {
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
