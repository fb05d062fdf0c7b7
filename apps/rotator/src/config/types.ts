// The resolved configuration: what the rest of the rotator works with. Paths are absolute,
// defaults are filled in, secrets are read (and wrapped in ConfigSecret), names are final.
import type { CipherSuite, EventOptions, Platform } from '@qkd-macsec/macsec-config';
import type { ConfigSecret } from './secret.js';

export interface KmeConfig {
  id: string;
  url: string;
  /** Absolute path of the CA bundle that signs the KME's server certificate. */
  caFile?: string;
  /** INSECURE: do not verify the KME's certificate. The loader records a warning. */
  insecureSkipVerify: boolean;
  timeoutMs?: number;
}

export interface SaeConfig {
  id: string;
  /** The KME this SAE talks to. */
  kme: string;
  /** Absolute paths of the SAE's client certificate and private key (mTLS to its KME). */
  certFile: string;
  keyFile: string;
}

export interface HostKeyConfig {
  /** Pinned "SHA256:..." fingerprints. */
  fingerprints: string[];
  /** Absolute path of an OpenSSH known_hosts file. */
  knownHostsFile?: string;
  /** INSECURE: accept a host that has no known key (a mismatching key is still refused). */
  insecureAcceptAnyHostKey: boolean;
}

export interface DeviceConfig {
  name: string;
  host: string;
  port: number;
  username: string;
  password?: ConfigSecret;
  privateKey?: { file: string; key: ConfigSecret; passphrase?: ConfigSecret };
  hostKey: HostKeyConfig;
  /** Each NETCONF request's budget (ms), a commit's included; absent: the connector's default (60 s). */
  timeoutMs?: number;
  /** The SAE this device's MACsec keys are fetched as. */
  sae: string;
  /** Its platform family, when the file names it (init detects it otherwise). */
  platform?: Platform;
}

/** How the coordinator reaches a site's agent (mutual TLS). Paths are absolute. */
export interface SiteAgentConfig {
  /** https://host:port */
  url: string;
  /** Verifies the agent's server certificate. */
  caFile: string;
  /** The coordinator's client certificate and key. */
  certFile: string;
  keyFile: string;
  /** SHA-256 pins of the agent's server certificate, "sha256:<64 hex>" lower-case; [] = the CA alone. */
  fingerprints: string[];
  timeoutMs?: number;
}

/** A device behind a site agent: the coordinator knows its name, SAE and platform, never its credentials. */
export interface SiteDeviceConfig {
  name: string;
  sae: string;
  platform?: Platform;
}

/** A site run by an agent: its KMEs, SAE certificates and device credentials are the agent's. */
export interface SiteConfig {
  name: string;
  agent: SiteAgentConfig;
  /** SAE IDs at this site: their KMEs and certificates are the agent's. */
  saes: string[];
  /** Devices at this site: credentials and host keys are the agent's. */
  devices: Record<string, SiteDeviceConfig>;
}

export interface LinkEndConfig {
  device: string;
  interfaces: string[];
}

export interface LinkConfig {
  name: string;
  /** Fetches the key with enc_keys; its SAE is the master SAE. */
  master: LinkEndConfig;
  /** Fetch it with dec_keys; more than one makes a group (additional_slave_SAE_IDs). */
  slaves: LinkEndConfig[];
  connectivityAssociation: string;
  keyChain: string;
}

export type CknConfig = { strategy: 'sha256-keyid' } | { strategy: 'prefix-uuid'; prefix: string };

export interface RotationConfig {
  mode: 'key-chain' | 'static-cak';
  cipherSuite: CipherSuite;
  /** Where cipherSuite came from: the file, the devices' platforms, or the built-in default. */
  cipherSuiteFrom: 'config' | 'platform' | 'default';
  ckn: CknConfig;
  leadTimeSeconds: number;
  intervalSeconds: number;
  concurrency: number;
  confirmTimeoutMinutes: number;
  /** Start-times beyond the confirm timeout (passed to the engine); false for labs and demos only. */
  startAfterConfirmTimeout: boolean;
  /** How often the daemon retries an unfinished transaction it could not resolve yet. */
  resumeRetrySeconds: number;
  /** `tolerance` init sets on every key chain (seconds; default 0). */
  keyChainTolerance: number;
}

export interface FallbackConfig {
  /** Install and rotate a fallback-key on every connectivity association (default true). */
  enabled: boolean;
  /** Rotate each link's fallback key this often (default 168 h). */
  intervalHours: number;
}

export interface CertificatePolicyConfig {
  renewBeforeDays: number;
  checkIntervalHours: number;
  maintenanceWindow?: { hours: number[]; daysOfMonth?: number[]; weekdays?: number[]; utcOffsetMinutes?: number };
  /** Absolute paths of a local CA's certificate and key, used by `certs renew`. */
  localCa?: { certFile: string; keyFile: string };
}

export interface MetricsConfig {
  host: string;
  port: number;
}

export interface ControlConfig {
  host: string;
  /** 0: any free port (the daemon writes the URL it got into the state directory). */
  port: number;
  /** Mutual TLS: absolute paths. Without it the endpoint is loopback only (checked at load). */
  tls?: { caFile: string; certFile: string; keyFile: string; clientCertFile: string; clientKeyFile: string };
}

export interface InitConfig {
  staticHostMappings?: Array<{ name: string; inet: string[] }>;
  applyMacros?: boolean | { kmeMethod?: 'get' | 'post'; kmeKeyidCheck?: boolean };
  /** macsec-config's EventOptions. */
  eventOptions?: EventOptions;
}

export interface RotatorConfig {
  /** Absolute path of the file this was loaded from. */
  file: string;
  /** KMEs and SAEs the coordinator reaches itself (may be empty when every SAE is at a site). */
  kmes: Record<string, KmeConfig>;
  saes: Record<string, SaeConfig>;
  /** Devices the coordinator reaches itself (direct mode); site devices are under sites. */
  devices: Record<string, DeviceConfig>;
  /** Sites with an agent, by name (empty when the file has none). */
  sites: Record<string, SiteConfig>;
  links: LinkConfig[];
  rotation: RotationConfig;
  fallback: FallbackConfig;
  /** Absolute path. */
  stateDir: string;
  certificates: CertificatePolicyConfig;
  metrics?: MetricsConfig;
  /** The daemon's control endpoint (always on; loopback by default). */
  control: ControlConfig;
  /** Extras for `init` (the engine's InitExtras). */
  init?: InitConfig;
  /** Things that work but deserve a loud log line: insecure options, inline secrets. */
  warnings: string[];
}
