// Junos' rules for the values this package renders. Each check returns a message or null; the
// messages name the rule and the offending value, except for secrets, where they give only the
// length. checkConfig walks a whole model and reports every problem with its path. Ranges and
// value sets come from Juniper's 24.4R1 YANG (the same in the junos, junos-qfx, junos-es and evo
// families); each check cites the YANG node it enforces, and the junos:must rules come from
// junos-with-extensions.
import { isIPv4, isIPv6 } from 'node:net';
import { validationError, type ValidationIssue } from './errors.js';
import {
  CIPHER_SUITES,
  EXCLUDE_PROTOCOLS,
  KEY_ALGORITHMS,
  KEY_OPTIONS,
  OFFSETS,
  SECURITY_MODES,
  type CipherSuite,
  type ConnectivityAssociation,
  type KeyChain,
  type MacsecConfig,
  type MkaOptions,
  type PreSharedKey,
  type SecurityMode,
} from './model.js';
import { isSecret } from './secret.js';
import { checkStartTime } from './start-time.js';
import { startTimeMillis } from './start-time-scan.js';
import { checkEventOptions } from './validate-event-options.js';
import { checkIntRange, show, type Add } from './validate-util.js';

const HEX = /^[0-9a-fA-F]*$/;


export const KEY_INDEX_MIN = 0;
export const KEY_INDEX_MAX = 63;
/** Ring size of a Junos key chain: key indexes 0..63. */
export const KEY_CHAIN_SLOTS = KEY_INDEX_MAX - KEY_INDEX_MIN + 1;

/** CKN: even number of hex digits, 2..64. */
export function checkCkn(ckn: unknown): string | null {
  if (typeof ckn !== 'string') return `CKN must be a string, got ${typeof ckn}`;
  if (!HEX.test(ckn)) return `CKN "${ckn}" is not hex`;
  if (ckn.length < 2 || ckn.length > 64) return `CKN must have 2..64 hex digits, got ${ckn.length}`;
  if (ckn.length % 2 !== 0) return `CKN must have an even number of hex digits, got ${ckn.length}`;
  return null;
}

/** Hex digits of a CAK for the suite: 32 for 128-bit suites, 64 for 256-bit ones. */
export function cakHexLength(cipherSuite: CipherSuite): 32 | 64 {
  return cipherSuite.endsWith('256') ? 64 : 32;
}

/**
 * CAK: exactly 32 or 64 hex digits, matching the suite when one is given. A Junos-encrypted value
 * read back from a device (`$9$...`) passes: its length cannot be checked. Never echoes the value.
 */
export function checkCak(cak: unknown, cipherSuite?: CipherSuite): string | null {
  let hexLength: number | undefined;
  if (isSecret(cak)) {
    if (cak.encrypted) return null;
    hexLength = cak.hexLength;
    if (hexLength === undefined) return 'CAK is neither hex nor a Junos-encrypted value';
  } else if (typeof cak === 'string') {
    if (!HEX.test(cak)) return 'CAK is not hex';
    hexLength = cak.length;
  } else {
    return `CAK must be a Secret or hex string, got ${typeof cak}`;
  }
  if (cipherSuite) {
    const want = cakHexLength(cipherSuite);
    if (hexLength !== want) return `CAK for ${cipherSuite} must be exactly ${want} hex digits, got ${hexLength}`;
  } else if (hexLength !== 32 && hexLength !== 64) {
    return `CAK must be exactly 32 or 64 hex digits, got ${hexLength}`;
  }
  return null;
}

function checkCipherSuite(suite: unknown): string | null {
  return (CIPHER_SUITES as readonly unknown[]).includes(suite)
    ? null
    : `cipher-suite "${show(suite)}" is not one of ${CIPHER_SUITES.join(', ')}`;
}

/** Key-chain key index: an integer 0..63. */
export function checkKeyIndex(index: unknown): string | null {
  return Number.isInteger(index) && (index as number) >= KEY_INDEX_MIN && (index as number) <= KEY_INDEX_MAX
    ? null
    : `key index must be an integer 0..63, got ${show(index)}`;
}

// Names: this library's conservative subset of what Junos takes, so every name renders in set,
// text and XML form without quoting: a letter or digit, then letters, digits, `_`, `-`, `.`.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function checkName(kind: string, name: unknown, max: number): string | null {
  if (typeof name !== 'string') return `${kind} name must be a string, got ${typeof name}`;
  if (name.length === 0 || name.length > max) return `${kind} name must have 1..${max} characters, got ${name.length}`;
  if (!NAME.test(name)) return `${kind} name "${name}" may hold only letters, digits, "_", "-", "." and must start with a letter or digit`;
  return null;
}

/** Connectivity-association name: 1..32 characters (YANG: connectivity-association/name, length "1 .. 32"). */
export function checkCaName(name: unknown): string | null {
  return checkName('connectivity-association', name, 32);
}

/**
 * Key-chain name: 1..32 characters, no spaces (YANG: key-chain/name, posix-pattern
 * `!^((__.*__)|(.*[ ].*)|(.{33,}))$`; our subset also rules out `__x__`).
 */
export function checkKeyChainName(name: unknown): string | null {
  return checkName('key-chain', name, 32);
}

// type-fpc/pic/port, optional channel (:N) and logical unit (.N): ge-0/0/0, et-0/0/20:3, xe-1/2/3.0
const INTERFACE = /^[a-z]{2,4}-\d{1,2}\/\d{1,2}\/\d{1,3}(?::\d{1,2})?(?:\.\d{1,5})?$/;

/** A physical interface name as MACsec takes it, e.g. `ge-0/0/0`, `et-0/0/20:3`, `xe-1/2/3.0`. */
export function checkInterfaceName(name: unknown): string | null {
  if (typeof name !== 'string') return `interface name must be a string, got ${typeof name}`;
  return INTERFACE.test(name) ? null : `interface name "${name}" is not TYPE-FPC/PIC/PORT[:CHANNEL][.UNIT] (e.g. ge-0/0/0)`;
}

const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * The field script's `kme-host`: a host (see checkHost), or, as v3.2 wrote it, an `http(s)://`
 * URL whose host passes checkHost. Macro values are free text to Junos; this keeps them sane.
 */
export function checkKmeHost(value: unknown): string | null {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return checkHost(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `kme-host "${value}" is not a valid URL`;
  }
  if (/[\s"\\]/.test(value)) return `kme-host "${value}" may not contain spaces, quotes or backslashes`;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return checkHost(host);
}

/** A host name (RFC 1123) or an IPv4/IPv6 address. */
export function checkHost(host: unknown): string | null {
  if (typeof host !== 'string' || host.length === 0) return 'host must be a non-empty string';
  if (isIPv4(host) || isIPv6(host)) return null;
  if (host.length > 253 || !host.split('.').every((l) => HOST_LABEL.test(l))) return `host "${host}" is not a host name or IP address`;
  return null;
}



export interface CheckOptions {
  /**
   * The model is a change merged into the device's configuration (what a merge load carries):
   * a statement it leaves out is the device's, so rules that need one (pre-shared-key needs
   * security-mode static-cak) are checked only when both are present. Default false: the model
   * is the whole configuration of what it names, and a statement it leaves out is absent.
   */
  partial?: boolean;
}

/** All problems in a model, each with its path. Empty when the model is valid. */
export function checkConfig(config: MacsecConfig, options: CheckOptions = {}): ValidationIssue[] {
  const partial = options.partial === true;
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string | null) => {
    if (message) issues.push({ path, message });
  };
  // Entries of a list with the same name (no Set for the usual list of one).
  const unique = (path: string, entries: ReadonlyArray<{ name: unknown }>, what: string) => {
    if (entries.length < 2) return;
    const seen = new Set<unknown>();
    for (const { name } of entries) {
      if (seen.has(name)) add(path, `duplicate ${what} "${show(name)}"`);
      seen.add(name);
    }
  };
  if (!isObject(config as unknown)) return [{ path: '(config)', message: 'configuration must be an object' }];
  // Wrong shapes (a string where a list belongs, ...) are reported alone: the checks below
  // assume the shape is right.
  const shape = checkShape(config as unknown as Record<string, unknown>);
  if (shape.length > 0) return shape;

  const cas = config.connectivityAssociations ?? [];
  unique('connectivityAssociations', cas, 'connectivity-association');
  const suiteByChain = new Map<string, CipherSuite>();
  cas.forEach((ca, i) => {
    checkCa(ca, `connectivityAssociations[${i}]`, partial, add);
    if (ca.preSharedKeyChain && ca.cipherSuite) suiteByChain.set(ca.preSharedKeyChain, ca.cipherSuite);
  });

  const ifs = config.interfaces ?? [];
  unique('interfaces', ifs, 'interface');
  ifs.forEach((itf, i) => {
    const p = `interfaces[${i}]`;
    add(`${p}.name`, checkInterfaceName(itf.name));
    if (itf.connectivityAssociation !== undefined) add(`${p}.connectivityAssociation`, checkCaName(itf.connectivityAssociation));
    const q = itf.qkd;
    if (q) {
      if (q.kmeHost !== undefined) add(`${p}.qkd.kmeHost`, checkKmeHost(q.kmeHost));
      if (q.kmePort !== undefined) add(`${p}.qkd.kmePort`, checkIntRange('kme-port', q.kmePort, 1, 65535));
      if (q.kmeCa !== undefined && typeof q.kmeCa !== 'boolean') add(`${p}.qkd.kmeCa`, 'kme-ca must be a boolean');
      if (q.kmeKeyidCheck !== undefined && typeof q.kmeKeyidCheck !== 'boolean') add(`${p}.qkd.kmeKeyidCheck`, 'kme-keyid-check must be a boolean');
      if (q.kmeMethod !== undefined && q.kmeMethod !== 'get' && q.kmeMethod !== 'post') add(`${p}.qkd.kmeMethod`, `kme-method must be get or post, got "${show(q.kmeMethod)}"`);
    }
  });

  const chains = config.keyChains ?? [];
  unique('keyChains', chains, 'key-chain');
  chains.forEach((chain, i) => checkChain(chain, `keyChains[${i}]`, suiteByChain.get(chain.name), add));

  if (config.eventOptions) checkEventOptions(config.eventOptions, 'eventOptions', add);

  const hosts = config.staticHostMappings ?? [];
  unique('staticHostMappings', hosts, 'static-host-mapping');
  hosts.forEach((h, i) => {
    const p = `staticHostMappings[${i}]`;
    add(`${p}.name`, typeof h.name === 'string' && !isIPv4(h.name) ? checkHost(h.name) : `static-host-mapping name "${show(h.name)}" must be a host name`);
    h.inet?.forEach((a, j) => add(`${p}.inet[${j}]`, isIPv4(a) ? null : `"${a}" is not an IPv4 address`));
    h.inet6?.forEach((a, j) => add(`${p}.inet6[${j}]`, isIPv6(a) ? null : `"${a}" is not an IPv6 address`));
    h.alias?.forEach((a, j) => add(`${p}.alias[${j}]`, checkHost(a)));
  });
  return issues;
}


const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Shape = 'object' | 'array' | 'string[]' | { list: Record<string, Shape> } | { fields: Record<string, Shape> };

const PSK: Shape = { fields: {} };
const SHAPE: Record<string, Shape> = {
  connectivityAssociations: {
    list: { preSharedKey: PSK, fallbackKey: PSK, mka: 'object', replayProtect: 'object', excludeProtocols: 'string[]' },
  },
  interfaces: { list: { qkd: 'object' } },
  keyChains: { list: { keys: { list: {} } } },
  eventOptions: {
    fields: {
      generateEvents: { list: {} },
      policies: { list: { events: 'string[]', eventScripts: 'string[]' } },
      eventScripts: { list: {} },
      traceoptions: { fields: { flags: 'string[]' } },
    },
  },
  staticHostMappings: { list: { inet: 'string[]', inet6: 'string[]', alias: 'string[]' } },
};

// The entries of each shape's field table, listed once (checkConfig runs at every render).
const SHAPE_ENTRIES = new WeakMap<object, Array<[string, Shape]>>();
function entriesOf(table: Record<string, Shape>): Array<[string, Shape]> {
  let entries = SHAPE_ENTRIES.get(table);
  if (!entries) SHAPE_ENTRIES.set(table, (entries = Object.entries(table)));
  return entries;
}

function checkShapeOf(value: unknown, shape: Shape, path: string, issues: ValidationIssue[]): void {
  if (value === undefined) return;
  if (shape === 'object' || (typeof shape === 'object' && 'fields' in shape)) {
    if (!isObject(value)) {
      issues.push({ path, message: 'must be an object' });
      return;
    }
    if (typeof shape === 'object') for (const [k, s] of entriesOf(shape.fields)) if (value[k] !== undefined) checkShapeOf(value[k], s, `${path}.${k}`, issues);
    return;
  }
  if (!Array.isArray(value)) {
    issues.push({ path, message: 'must be an array' });
    return;
  }
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (shape === 'string[]') {
      if (typeof item !== 'string') issues.push({ path: `${path}[${i}]`, message: `must be a string, got ${typeof item}` });
    } else if (typeof shape === 'object' && 'list' in shape) {
      if (!isObject(item)) issues.push({ path: `${path}[${i}]`, message: 'must be an object' });
      else for (const [k, s] of entriesOf(shape.list)) if (item[k] !== undefined) checkShapeOf(item[k], s, `${path}[${i}].${k}`, issues);
    }
  }
}

function checkShape(config: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [k, s] of entriesOf(SHAPE)) checkShapeOf(config[k], s, k, issues);
  // Lists the renderers walk unconditionally must be present.
  const chains = config.keyChains;
  if (Array.isArray(chains)) {
    for (let i = 0; i < chains.length; i++) {
      const c: unknown = chains[i];
      if (isObject(c) && c.keys === undefined) issues.push({ path: `keyChains[${i}].keys`, message: 'must be an array' });
    }
  }
  const eo = config.eventOptions;
  if (isObject(eo) && Array.isArray(eo.policies)) {
    eo.policies.forEach((p, i) => {
      if (isObject(p) && p.eventScripts === undefined) issues.push({ path: `eventOptions.policies[${i}].eventScripts`, message: 'must be an array' });
    });
  }
  return issues;
}

// In a model a secret must be a Secret, so no renderer can print it by accident.
function checkModelSecret(value: unknown, suite: CipherSuite | undefined): string | null {
  return isSecret(value) ? checkCak(value, suite) : 'must be a Secret (Secret.fromHex), not a plain value';
}

function checkPsk(psk: PreSharedKey, p: string, suite: CipherSuite | undefined, add: Add) {
  add(`${p}.ckn`, checkCkn(psk.ckn));
  add(`${p}.cak`, checkModelSecret(psk.cak, suite));
}

// The junos:must rules of junos-with-extensions/junos-conf-security (grouping security-macsec):
// each statement and the security modes it is allowed in. yanglint does not check these.
const MODE_RULES: ReadonlyArray<[field: string, statement: string, modes: readonly SecurityMode[]]> = [
  // connectivity-association/mka: must (".. security-mode static-cak" || ".. security-mode dynamic")
  ['mka', 'mka', ['static-cak', 'dynamic']],
  // connectivity-association/pre-shared-key: must (".. security-mode static-cak")
  ['preSharedKey', 'pre-shared-key', ['static-cak']],
  // connectivity-association/fallback-key: must (".. security-mode static-cak")
  ['fallbackKey', 'fallback-key', ['static-cak']],
  // connectivity-association/pre-shared-key-chain: must (".. security-mode static-cak")
  ['preSharedKeyChain', 'pre-shared-key-chain', ['static-cak']],
  // connectivity-association/replay-protect, include-sci, offset, exclude-protocol: static-cak or dynamic
  ['replayProtect', 'replay-protect', ['static-cak', 'dynamic']],
  ['includeSci', 'include-sci', ['static-cak', 'dynamic']],
  ['offset', 'offset', ['static-cak', 'dynamic']],
  ['excludeProtocols', 'exclude-protocol', ['static-cak', 'dynamic']],
];

/**
 * Checks a statement's security-mode rule. In a partial model (a merge load) an absent mode is
 * the device's, unknown here; in a complete one it is absent, and the rule fails.
 */
function modeRule(mode: unknown, statement: string, modes: readonly SecurityMode[], partial: boolean): string | null {
  if (mode === undefined ? partial : modes.includes(mode as SecurityMode)) return null;
  return `${statement} requires security-mode ${modes.join(' or ')}${mode === undefined ? ' (none set)' : `, not ${show(mode)}`}`;
}

function checkMka(mka: MkaOptions, p: string, mode: unknown, partial: boolean, add: Add) {
  const bool = (path: string, v: unknown) => add(path, v === undefined || typeof v === 'boolean' ? null : `must be a boolean, got ${show(v)}`);
  if ('mustSecure' in mka) {
    // No 24.4R1 family has mka must-secure (it was in es/ex/nfx/qfx up to 22.1R1); dropping
    // traffic that MKA cannot secure is what Junos does without should-secure.
    add(`${p}.mustSecure`, 'must-secure is not a Junos 24.4R1 statement: leave shouldSecure unset for the same behaviour');
  }
  bool(`${p}.shouldSecure`, mka.shouldSecure);
  // YANG: connectivity-association/mka/key-server-priority, uint32 range "0 .. 255",
  // junos:must (".. .. security-mode static-cak").
  if (mka.keyServerPriority !== undefined) {
    add(`${p}.keyServerPriority`, checkIntRange('key-server-priority', mka.keyServerPriority, 0, 255));
    add(`${p}.keyServerPriority`, modeRule(mode, 'key-server-priority', ['static-cak'], partial));
  }
  // YANG: connectivity-association/mka/transmit-interval, uint32 range "2000 .. 6000" (milliseconds).
  if (mka.transmitInterval !== undefined) add(`${p}.transmitInterval`, checkIntRange('transmit-interval (ms)', mka.transmitInterval, 2000, 6000));
  // YANG: connectivity-association/mka/sak-rekey-interval, uint32 range "60 .. 86400" (seconds).
  if (mka.sakRekeyInterval !== undefined) add(`${p}.sakRekeyInterval`, checkIntRange('sak-rekey-interval (s)', mka.sakRekeyInterval, 60, 86400));
}

function checkCa(ca: ConnectivityAssociation, p: string, partial: boolean, add: Add) {
  add(`${p}.name`, checkCaName(ca.name));
  const modeOk = ca.securityMode === undefined || (SECURITY_MODES as readonly string[]).includes(ca.securityMode);
  if (!modeOk) add(`${p}.securityMode`, `security-mode "${show(ca.securityMode)}" is not one of ${SECURITY_MODES.join(', ')}`);
  if (ca.cipherSuite !== undefined) add(`${p}.cipherSuite`, checkCipherSuite(ca.cipherSuite));
  const suite = ca.cipherSuite && !checkCipherSuite(ca.cipherSuite) ? ca.cipherSuite : undefined;
  // YANG: cipher-suite enums gcm-aes-256, gcm-aes-xpn-128, gcm-aes-xpn-256: must (!(".. security-mode static-sak")).
  if (suite && suite !== 'gcm-aes-128' && ca.securityMode === 'static-sak') add(`${p}.cipherSuite`, `${suite} is not allowed with security-mode static-sak`);
  if (modeOk) {
    for (const [field, statement, modes] of MODE_RULES) {
      if ((ca as unknown as Record<string, unknown>)[field] !== undefined) add(`${p}.${field}`, modeRule(ca.securityMode, statement, modes, partial));
    }
  }
  if (ca.preSharedKey) checkPsk(ca.preSharedKey, `${p}.preSharedKey`, suite, add);
  // YANG: pre-shared-key-chain, posix-pattern "^.{1,32}$"; must (!(".. pre-shared-key")).
  if (ca.preSharedKeyChain !== undefined) add(`${p}.preSharedKeyChain`, checkKeyChainName(ca.preSharedKeyChain));
  if (ca.preSharedKey && ca.preSharedKeyChain !== undefined) add(p, 'pre-shared-key and pre-shared-key-chain are mutually exclusive');
  if (ca.fallbackKey) {
    checkPsk(ca.fallbackKey, `${p}.fallbackKey`, suite, add);
    // YANG: fallback-key/ckn: must (!(".. .. pre-shared-key ckn $$")).
    const primary = ca.preSharedKey?.ckn;
    if (typeof primary === 'string' && typeof ca.fallbackKey.ckn === 'string' && primary.toLowerCase() === ca.fallbackKey.ckn.toLowerCase()) {
      add(`${p}.fallbackKey.ckn`, 'fallback-key CKN must differ from the pre-shared-key CKN');
    }
  }
  add(`${p}.includeSci`, ca.includeSci === undefined || typeof ca.includeSci === 'boolean' ? null : `must be a boolean, got ${show(ca.includeSci)}`);
  if (ca.mka) checkMka(ca.mka, `${p}.mka`, ca.securityMode, partial, add);
  // YANG: connectivity-association/offset, enumeration "0" | "30" | "50".
  if (ca.offset !== undefined && !(OFFSETS as readonly unknown[]).includes(ca.offset)) add(`${p}.offset`, `offset must be one of ${OFFSETS.join(', ')}, got ${show(ca.offset)}`);
  // YANG: connectivity-association/exclude-protocol (list, key name), name enumeration cdp | lldp | lacp.
  ca.excludeProtocols?.forEach((proto, j) =>
    add(`${p}.excludeProtocols[${j}]`, (EXCLUDE_PROTOCOLS as readonly string[]).includes(proto) ? null : `exclude-protocol "${proto}" is not one of ${EXCLUDE_PROTOCOLS.join(', ')}`),
  );
  if (ca.excludeProtocols) {
    const seen = new Set<string>();
    ca.excludeProtocols.forEach((proto, j) => {
      if (seen.has(proto)) add(`${p}.excludeProtocols[${j}]`, `duplicate exclude-protocol "${proto}"`);
      seen.add(proto);
    });
  }
  // YANG: replay-protect/replay-window-size, uint32 range "0 .. 65535"; a bare replay-protect is valid.
  const size = ca.replayProtect?.replayWindowSize;
  if (size !== undefined) add(`${p}.replayProtect.replayWindowSize`, checkIntRange('replay-window-size', size, 0, 65535));
}

// A key's path, built only for a problem (a chain is checked at every render of a rotation).
const keyPath = (p: string, j: number, field: string) => `${p}.keys[${j}].${field}`;

function checkChain(chain: KeyChain, p: string, suite: CipherSuite | undefined, add: Add) {
  const nameProblem = checkKeyChainName(chain.name);
  if (nameProblem) add(`${p}.name`, nameProblem);
  // YANG: key-chain/description, string length "1 .. 80".
  if (chain.description !== undefined) {
    if (typeof chain.description !== 'string' || /["\\\p{Cc}]/u.test(chain.description)) add(`${p}.description`, 'description must be a string without quotes, backslashes or control characters');
    else if (chain.description.length < 1 || chain.description.length > 80) add(`${p}.description`, `description must have 1..80 characters, got ${chain.description.length}`);
  }
  // YANG: key-chain/tolerance, uint32 range "0 .. 4294967295" (seconds, default 3600).
  if (chain.tolerance !== undefined) add(`${p}.tolerance`, checkIntRange('tolerance (s)', chain.tolerance, 0, 4294967295));
  if (!Array.isArray(chain.keys)) {
    add(`${p}.keys`, 'keys must be an array');
    return;
  }
  const keys = chain.keys;
  // Each key's start instant (NaN: none or invalid), to find start-times used twice.
  const starts: number[] = [];
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j]!;
    const indexProblem = checkKeyIndex(key.index);
    if (indexProblem) add(keyPath(p, j, 'index'), indexProblem);
    if (key.inactive !== undefined && typeof key.inactive !== 'boolean') add(keyPath(p, j, 'inactive'), `must be a boolean, got ${show(key.inactive)}`);
    for (let i = 0; i < j; i++) {
      if (keys[i]!.index !== key.index) continue;
      add(keyPath(p, j, 'index'), `duplicate key index ${key.index}`);
      break;
    }
    if (key.keyName !== undefined) {
      const problem = checkCkn(key.keyName);
      if (problem) add(keyPath(p, j, 'keyName'), problem);
    }
    // YANG: key-chain/key/algorithm and key-chain/key/options enumerations.
    if (key.algorithm !== undefined && !(KEY_ALGORITHMS as readonly unknown[]).includes(key.algorithm)) add(keyPath(p, j, 'algorithm'), `algorithm "${show(key.algorithm)}" is not one of ${KEY_ALGORITHMS.join(', ')}`);
    if (key.options !== undefined && !(KEY_OPTIONS as readonly unknown[]).includes(key.options)) add(keyPath(p, j, 'options'), `options "${show(key.options)}" is not one of ${KEY_OPTIONS.join(', ')}`);
    if (key.secret !== undefined) {
      const problem = checkModelSecret(key.secret, suite);
      if (problem) add(keyPath(p, j, 'secret'), problem);
    }
    const t = typeof key.startTime === 'string' ? startTimeMillis(key.startTime, 0) : Number.NaN;
    starts.push(t);
    if (key.startTime === undefined) continue;
    if (Number.isNaN(t)) {
      add(keyPath(p, j, 'startTime'), checkStartTime(key.startTime));
      continue;
    }
    for (let i = 0; i < j; i++) {
      if (starts[i] !== t) continue;
      add(keyPath(p, j, 'startTime'), `start-time ${key.startTime} is also used by key ${keys[i]!.index}; Junos needs unique start times`);
      break;
    }
  }
}

/** Throws MacsecValidationError listing every problem, or returns the config unchanged. */
export function validateConfig<T extends MacsecConfig>(config: T, options: CheckOptions = {}): T {
  const issues = checkConfig(config, options);
  if (issues.length > 0) throw validationError(issues);
  return config;
}

/** Throws MacsecValidationError when `check` reports a problem for `value`. */
export function assertValid<T>(check: (value: T) => string | null, value: T, path: string): T {
  const message = check(value);
  if (message) throw validationError([{ path, message }]);
  return value;
}

