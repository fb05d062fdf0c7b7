// The typed configuration model: the parts of a Junos configuration that quantum-keyed MACsec
// touches. Field names follow the Junos statements (camelCased); each type notes its hierarchy.
import type { Secret } from './secret.js';

// The value sets below are the enumerations of Juniper's 24.4R1 YANG, identical in the junos,
// junos-qfx, junos-es and evo families (junos-conf-security: grouping security-macsec,
// grouping security-authentication-key-chains).

/** Security modes Junos knows; this package's key handling is for `static-cak`. YANG: `connectivity-association/security-mode`. */
export const SECURITY_MODES = ['static-cak', 'static-sak', 'dynamic'] as const;
export type SecurityMode = (typeof SECURITY_MODES)[number];

/** YANG: `connectivity-association/cipher-suite`. */
export const CIPHER_SUITES = ['gcm-aes-128', 'gcm-aes-256', 'gcm-aes-xpn-128', 'gcm-aes-xpn-256'] as const;
export type CipherSuite = (typeof CIPHER_SUITES)[number];

/** Confidentiality offset in octets. YANG: `connectivity-association/offset` (enumeration "0", "30", "50"). */
export const OFFSETS = [0, 30, 50] as const;
export type Offset = (typeof OFFSETS)[number];

/** Protocols MACsec may leave in the clear. YANG: `connectivity-association/exclude-protocol/name` (keyed list). */
export const EXCLUDE_PROTOCOLS = ['cdp', 'lldp', 'lacp'] as const;
export type ExcludeProtocol = (typeof EXCLUDE_PROTOCOLS)[number];

/** YANG: `key-chain/key/algorithm` (routing-protocol authentication; MACsec ignores it). */
export const KEY_ALGORITHMS = ['md5', 'hmac-sha-1', 'ao', 'sha-1', 'hmac-sha2-224', 'hmac-sha2-256', 'hmac-sha2-384', 'hmac-sha2-512'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** YANG: `key-chain/key/options` (IS-IS encoding; MACsec ignores it). */
export const KEY_OPTIONS = ['basic', 'isis-enhanced'] as const;
export type KeyOptions = (typeof KEY_OPTIONS)[number];

/** YANG (junos-conf-event-options): `traceoptions/flag/name`. */
export const EVENT_TRACE_FLAGS = ['server', 'configuration', 'events', 'timer-events', 'database', 'policy', 'registration', 'syslogd', 'all'] as const;

/** `pre-shared-key` / `fallback-key`: a CKN (clear hex) and its CAK (secret). */
export interface PreSharedKey {
  ckn: string;
  cak: Secret;
}

/** `mka` options of a connectivity association. */
export interface MkaOptions {
  /** 0..255, lower wins the key-server election. */
  keyServerPriority?: number;
  /** Milliseconds between MKA PDUs (Junos: 2000..6000). */
  transmitInterval?: number;
  /** Seconds between SAK rekeys (Junos: 60..86400). */
  sakRekeyInterval?: number;
  /**
   * Allow unsecured traffic when MKA fails. Without it traffic is dropped: what `must-secure`
   * used to say, a statement no 24.4R1 family has any more (see the README).
   */
  shouldSecure?: boolean;
}

/** `security macsec connectivity-association NAME`. */
export interface ConnectivityAssociation {
  name: string;
  securityMode?: SecurityMode;
  cipherSuite?: CipherSuite;
  preSharedKey?: PreSharedKey;
  /** Name of a `security authentication-key-chains key-chain` (hitless rollover). */
  preSharedKeyChain?: string;
  fallbackKey?: PreSharedKey;
  mka?: MkaOptions;
  /** Protocols sent in the clear: `lldp`, `cdp`, `lacp`. */
  excludeProtocols?: string[];
  includeSci?: boolean;
  /** Octets left unencrypted at the start of each frame: 0 (default), 30 or 50. */
  offset?: Offset;
  /**
   * `replay-protect [replay-window-size N]` (0 = strict order). `{}` is a bare
   * `replay-protect`, as the field script's successor writes it.
   */
  replayProtect?: { replayWindowSize?: number };
}

/**
 * The field script's `apply-macro qkd` tags. The field script placed them under
 * `security macsec interfaces IF`, so this model does too.
 */
export interface QkdMacro {
  /** A host name or address, or (field script v3.2) an `https://` / `http://` URL. */
  kmeHost?: string;
  kmePort?: number;
  /** Verify the KME with the CA (HTTPS certificate checks). */
  kmeCa?: boolean;
  /** Skip the KME call when the key_ID has not changed. */
  kmeKeyidCheck?: boolean;
  kmeMethod?: 'get' | 'post';
}

/** `security macsec interfaces IF`. */
export interface MacsecInterface {
  name: string;
  connectivityAssociation?: string;
  qkd?: QkdMacro;
}

/** `security authentication-key-chains key-chain KC key N`. */
export interface KeyChainKey {
  /** 0..63 */
  index: number;
  /** The CKN (hex) for MACsec. */
  keyName?: string;
  /** The CAK. */
  secret?: Secret;
  /** `YYYY-MM-DD.HH:MM[:SS]`, optionally followed by ` +HHMM` as Junos prints it back. */
  startTime?: string;
  /** Set when the device reports the key `inactive`; such a key never activates. */
  inactive?: boolean;
  /** Routing-protocol authentication algorithm; MACsec does not use it. */
  algorithm?: KeyAlgorithm;
  /** IS-IS encoding; MACsec does not use it. */
  options?: KeyOptions;
}

/** `security authentication-key-chains key-chain KC`. */
export interface KeyChain {
  name: string;
  description?: string;
  /**
   * Clock-skew tolerance in seconds (0..4294967295; Junos' default 3600): how far from its
   * start-time a peer's key is still accepted. See the README.
   */
  tolerance?: number;
  keys: KeyChainKey[];
}

/** `event-options generate-event NAME time-interval S [start-time T]` or `time-of-day`. */
export interface GenerateEvent {
  name: string;
  /** Seconds, 60..2592000. */
  timeInterval?: number;
  /** `hh:mm:ss`, optionally with `+hhmm` offset; excludes timeInterval. */
  timeOfDay?: string;
  /** Only with timeInterval. Same format as a key-chain start-time. */
  startTime?: string;
  noDrift?: boolean;
}

/** `event-options policy NAME events E then event-script FILE`. */
export interface EventPolicy {
  name: string;
  events: string[];
  /** Event scripts run by `then event-script FILE`. */
  eventScripts: string[];
}

/** `event-options event-script file FILE python-script-user U`. */
export interface EventScriptFile {
  name: string;
  pythonScriptUser?: string;
}

/** `event-options traceoptions`. */
export interface EventTraceoptions {
  file?: string;
  /** e.g. `10m`, `1g`, or bytes. */
  size?: string;
  files?: number;
  flags?: string[];
}

export interface EventOptions {
  generateEvents?: GenerateEvent[];
  policies?: EventPolicy[];
  eventScripts?: EventScriptFile[];
  traceoptions?: EventTraceoptions;
}

/** `system static-host-mapping HOST inet A`. */
export interface StaticHostMapping {
  name: string;
  inet?: string[];
  inet6?: string[];
  alias?: string[];
}

/** Everything above in one value: what renderers take and the parser returns. */
export interface MacsecConfig {
  connectivityAssociations?: ConnectivityAssociation[];
  interfaces?: MacsecInterface[];
  keyChains?: KeyChain[];
  eventOptions?: EventOptions;
  staticHostMappings?: StaticHostMapping[];
}

/** Something to remove, rendered as `delete ...` (set), `delete="delete"` (XML) or `delete:` (text). */
export type DeleteTarget =
  | { kind: 'connectivity-association'; name: string }
  | { kind: 'macsec-interface'; name: string }
  | { kind: 'key-chain'; name: string }
  | { kind: 'key-chain-key'; chain: string; index: number }
  | { kind: 'generate-event'; name: string }
  | { kind: 'event-policy'; name: string }
  | { kind: 'event-script-file'; name: string }
  | { kind: 'static-host-mapping'; name: string };
