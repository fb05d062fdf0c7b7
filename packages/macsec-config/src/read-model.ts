// The model read from a parsed `<configuration>` element: what parseConfigurationXml,
// readConfigurationTree and parseConfigurationChange share. Only the parts the model covers are
// read; everything else is ignored. Secrets come back as Secret values (usually `$9$...`).
import { ConfigParseError } from './errors.js';
import {
  CIPHER_SUITES,
  KEY_ALGORITHMS,
  KEY_OPTIONS,
  OFFSETS,
  SECURITY_MODES,
  type CipherSuite,
  type ConnectivityAssociation,
  type DeleteTarget,
  type EventOptions,
  type KeyChain,
  type KeyChainKey,
  type MacsecConfig,
  type MacsecInterface,
  type Offset,
  type PreSharedKey,
  type QkdMacro,
  type SecurityMode,
  type StaticHostMapping,
} from './model.js';
import { Secret } from './secret.js';
import { KEY_INDEX_MAX, KEY_INDEX_MIN } from './validate.js';
import { childInt, childText, has, isDeleted, isInactive, one, requiredText, texts } from './xml-element.js';
import type { XmlElement } from './xml/index.js';

type El = XmlElement;

function parsePsk(el: El | undefined, caPath: string, tag: string): PreSharedKey | undefined {
  if (!el) return undefined;
  const path = `${caPath}/${tag}`;
  const ckn = requiredText(el, 'ckn', path);
  const cak = requiredText(el, 'cak', path);
  try {
    return { ckn, cak: Secret.fromDevice(cak) };
  } catch {
    throw new ConfigParseError('<cak> is not a usable secret (contains whitespace or quotes)', { path: `${path}/cak` });
  }
}

const OFFSET_TEXTS: readonly string[] = OFFSETS.map(String);

function parseMka(el: El, m: string): NonNullable<ConnectivityAssociation['mka']> {
  const mka: NonNullable<ConnectivityAssociation['mka']> = {};
  // <must-secure/> (es/ex/nfx/qfx families up to 22.1R1) is what Junos does without
  // should-secure anyway; the model has no field for it, so it reads as nothing.
  if (has(el, 'should-secure')) mka.shouldSecure = true;
  const ksp = childInt(el, 'key-server-priority', m);
  if (ksp !== undefined) mka.keyServerPriority = ksp;
  const ti = childInt(el, 'transmit-interval', m);
  if (ti !== undefined) mka.transmitInterval = ti;
  const sri = childInt(el, 'sak-rekey-interval', m);
  if (sri !== undefined) mka.sakRekeyInterval = sri;
  return mka;
}

function parseCa(el: El, path: string): ConnectivityAssociation {
  const name = requiredText(el, 'name', path);
  const p = `${path}[${name}]`;
  const ca: ConnectivityAssociation = { name };
  const mode = childText(el, 'security-mode', p);
  if (mode !== undefined) {
    if (!(SECURITY_MODES as readonly string[]).includes(mode)) throw new ConfigParseError(`unknown security-mode "${mode}"`, { path: `${p}/security-mode` });
    ca.securityMode = mode as SecurityMode;
  }
  const suite = childText(el, 'cipher-suite', p);
  if (suite !== undefined) {
    if (!(CIPHER_SUITES as readonly string[]).includes(suite)) throw new ConfigParseError(`unknown cipher-suite "${suite}"`, { path: `${p}/cipher-suite` });
    ca.cipherSuite = suite as CipherSuite;
  }
  const psk = parsePsk(one(el, 'pre-shared-key', p), p, 'pre-shared-key');
  if (psk) ca.preSharedKey = psk;
  const chain = childText(el, 'pre-shared-key-chain', p);
  if (chain !== undefined) ca.preSharedKeyChain = chain;
  const fallback = parsePsk(one(el, 'fallback-key', p), p, 'fallback-key');
  if (fallback) ca.fallbackKey = fallback;
  const mkaEl = one(el, 'mka', p);
  if (mkaEl) ca.mka = parseMka(mkaEl, `${p}/mka`);
  if (has(el, 'include-sci')) ca.includeSci = true;
  const offset = childText(el, 'offset', p);
  if (offset !== undefined) {
    if (!OFFSET_TEXTS.includes(offset)) throw new ConfigParseError(`offset "${offset}" is not one of ${OFFSETS.join(', ')}`, { path: `${p}/offset` });
    ca.offset = Number(offset) as Offset;
  }
  const rp = one(el, 'replay-protect', p);
  if (rp) {
    // A bare <replay-protect/> is valid YANG (replay-window-size has no default there).
    const size = childInt(rp, 'replay-window-size', `${p}/replay-protect`);
    ca.replayProtect = size === undefined ? {} : { replayWindowSize: size };
  }
  // Accept both `<exclude-protocol>lldp</exclude-protocol>` and `<exclude-protocol><name>lldp</name>`.
  for (const x of el.children) {
    if (x.name !== 'exclude-protocol') continue;
    (ca.excludeProtocols ??= []).push(has(x, 'name') ? requiredText(x, 'name', `${p}/exclude-protocol`) : x.text);
  }
  return ca;
}

function oneOf<T extends string>(values: readonly T[], value: string, what: string, path: string): T {
  if (!(values as readonly string[]).includes(value)) throw new ConfigParseError(`${what} "${value}" is not one of ${values.join(', ')}`, { path });
  return value as T;
}

function parseBool(text: string | undefined, path: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigParseError(`expected true or false, got "${text ?? ''}"`, { path });
}

function parseQkdMacro(el: El, path: string): QkdMacro {
  const qkd: QkdMacro = {};
  for (const data of el.children) {
    if (data.name !== 'data') continue;
    const key = requiredText(data, 'name', path);
    const p = `${path}/data[${key}]`;
    const value = childText(data, 'value', p);
    switch (key) {
      case 'kme-host':
        if (!value) throw new ConfigParseError('kme-host has no value', { path: p });
        qkd.kmeHost = value;
        break;
      case 'kme-port':
        if (!value || !/^\d{1,5}$/.test(value)) throw new ConfigParseError(`kme-port "${value ?? ''}" is not a port number`, { path: p });
        qkd.kmePort = Number(value);
        break;
      case 'kme-ca':
        qkd.kmeCa = parseBool(value, p);
        break;
      case 'kme-keyid-check':
        qkd.kmeKeyidCheck = parseBool(value, p);
        break;
      case 'kme-method':
        if (value !== 'get' && value !== 'post') throw new ConfigParseError(`kme-method must be get or post, got "${value ?? ''}"`, { path: p });
        qkd.kmeMethod = value;
        break;
      default:
        // Other tags are someone else's: leave them alone.
        break;
    }
  }
  return qkd;
}

function parseInterface(el: El, path: string): MacsecInterface {
  const name = requiredText(el, 'name', path);
  const p = `${path}[${name}]`;
  const itf: MacsecInterface = { name };
  const ca = childText(el, 'connectivity-association', p);
  if (ca !== undefined) itf.connectivityAssociation = ca;
  for (const macro of el.children) {
    if (macro.name !== 'apply-macro') continue;
    if (requiredText(macro, 'name', `${p}/apply-macro`) === 'qkd') itf.qkd = parseQkdMacro(macro, `${p}/apply-macro[qkd]`);
  }
  return itf;
}

const KEY_INDEX = /^\d{1,2}$/;

/** The `<name>` of a key-chain `<key>`: its index 0..63. */
function keyIndex(el: El, path: string): number {
  const raw = requiredText(el, 'name', path);
  if (!KEY_INDEX.test(raw) || Number(raw) > KEY_INDEX_MAX) {
    throw new ConfigParseError(`key index "${raw}" is not ${KEY_INDEX_MIN}..${KEY_INDEX_MAX}`, { path: `${path}[${raw}]` });
  }
  return Number(raw);
}

function parseKey(el: El, path: string): KeyChainKey {
  const index = keyIndex(el, path);
  const p = `${path}[${index}]`;
  const key: KeyChainKey = { index };
  const keyName = childText(el, 'key-name', p);
  if (keyName !== undefined) key.keyName = keyName;
  const secret = childText(el, 'secret', p);
  if (secret !== undefined) {
    try {
      key.secret = Secret.fromDevice(secret);
    } catch {
      throw new ConfigParseError('<secret> is not a usable secret (empty, or contains whitespace or quotes)', { path: `${p}/secret` });
    }
  }
  const start = childText(el, 'start-time', p);
  if (start !== undefined) key.startTime = start;
  const algorithm = childText(el, 'algorithm', p);
  if (algorithm !== undefined) key.algorithm = oneOf(KEY_ALGORITHMS, algorithm, 'algorithm', `${p}/algorithm`);
  const options = childText(el, 'options', p);
  if (options !== undefined) key.options = oneOf(KEY_OPTIONS, options, 'options', `${p}/options`);
  if (isInactive(el)) key.inactive = true;
  return key;
}

function parseKeyChain(el: El, path: string): KeyChain {
  const name = requiredText(el, 'name', path);
  const p = `${path}[${name}]`;
  const chain: KeyChain = { name, keys: [] };
  const description = childText(el, 'description', p);
  if (description !== undefined) chain.description = description;
  const tolerance = childInt(el, 'tolerance', p);
  if (tolerance !== undefined) chain.tolerance = tolerance;
  const keys: KeyChainKey[] = [];
  const keyPath = `${p}/key`;
  for (const k of el.children) if (k.name === 'key' && !isDeleted(k)) keys.push(parseKey(k, keyPath));
  chain.keys = keys;
  return chain;
}

/** The children `tag` of `el` not marked deleted, each read by `read`; undefined when none. */
function entries<T>(el: El, tag: string, read: (child: El) => T): T[] | undefined {
  let out: T[] | undefined;
  for (const c of el.children) if (c.name === tag && !isDeleted(c)) (out ??= []).push(read(c));
  return out;
}

function parseEventOptions(el: El, path: string): EventOptions {
  const eo: EventOptions = {};
  const gen = entries(el, 'generate-event', (g) => {
    const name = requiredText(g, 'name', `${path}/generate-event`);
    const p = `${path}/generate-event[${name}]`;
    const out: NonNullable<EventOptions['generateEvents']>[number] = { name };
    const ti = childInt(g, 'time-interval', p);
    if (ti !== undefined) out.timeInterval = ti;
    const tod = childText(g, 'time-of-day', p);
    if (tod !== undefined) out.timeOfDay = tod;
    const st = childText(g, 'start-time', p);
    if (st !== undefined) out.startTime = st;
    if (has(g, 'no-drift')) out.noDrift = true;
    return out;
  });
  if (gen) eo.generateEvents = gen;
  const policies = entries(el, 'policy', (pol) => {
    const name = requiredText(pol, 'name', `${path}/policy`);
    const p = `${path}/policy[${name}]`;
    const then = one(pol, 'then', p);
    const eventScripts: string[] = [];
    if (then) for (const s of then.children) if (s.name === 'event-script') eventScripts.push(requiredText(s, 'name', `${p}/then/event-script`));
    return { name, events: texts(pol, 'events'), eventScripts };
  });
  if (policies) eo.policies = policies;
  const es = one(el, 'event-script', path);
  const files =
    es &&
    entries(es, 'file', (f) => {
      const name = requiredText(f, 'name', `${path}/event-script/file`);
      const user = childText(f, 'python-script-user', `${path}/event-script/file[${name}]`);
      return user === undefined ? { name } : { name, pythonScriptUser: user };
    });
  if (files) eo.eventScripts = files;
  const tr = one(el, 'traceoptions', path);
  if (tr) {
    const p = `${path}/traceoptions`;
    const t: NonNullable<EventOptions['traceoptions']> = {};
    const file = one(tr, 'file', p);
    if (file) {
      const filename = childText(file, 'filename', `${p}/file`);
      if (filename !== undefined) t.file = filename;
      const size = childText(file, 'size', `${p}/file`);
      if (size !== undefined) t.size = size;
      const count = childInt(file, 'files', `${p}/file`);
      if (count !== undefined) t.files = count;
    }
    const flags: string[] = [];
    for (const f of tr.children) if (f.name === 'flag') flags.push(requiredText(f, 'name', `${p}/flag`));
    if (flags.length > 0) t.flags = flags;
    eo.traceoptions = t;
  }
  return eo;
}

function parseHost(el: El, path: string): StaticHostMapping {
  const name = requiredText(el, 'name', path);
  const h: StaticHostMapping = { name };
  const inet = texts(el, 'inet');
  if (inet.length > 0) h.inet = inet;
  const inet6 = texts(el, 'inet6');
  if (inet6.length > 0) h.inet6 = inet6;
  const alias = texts(el, 'alias');
  if (alias.length > 0) h.alias = alias;
  return h;
}

const ROOT = 'configuration';
const MACSEC = `${ROOT}/security/macsec`;
const CA_PATH = `${MACSEC}/connectivity-association`;
const IF_PATH = `${MACSEC}/interfaces`;
const KEY_CHAIN_PATH = `${ROOT}/security/authentication-key-chains/key-chain`;

/** The model held by a `<configuration>` element. */
export function readModel(configuration: El): MacsecConfig {
  const config: MacsecConfig = {};
  const security = one(configuration, 'security', ROOT);
  const macsec = security && one(security, 'macsec', `${ROOT}/security`);
  if (macsec) {
    const cas = entries(macsec, 'connectivity-association', (c) => parseCa(c, CA_PATH));
    if (cas) config.connectivityAssociations = cas;
    const ifs = entries(macsec, 'interfaces', (i) => parseInterface(i, IF_PATH));
    if (ifs) config.interfaces = ifs;
  }
  const akc = security && one(security, 'authentication-key-chains', `${ROOT}/security`);
  if (akc) {
    const chains = entries(akc, 'key-chain', (c) => parseKeyChain(c, KEY_CHAIN_PATH));
    if (chains) config.keyChains = chains;
  }
  const eo = one(configuration, 'event-options', ROOT);
  if (eo) {
    const parsed = parseEventOptions(eo, `${ROOT}/event-options`);
    if (parsed.generateEvents || parsed.policies || parsed.eventScripts || parsed.traceoptions) config.eventOptions = parsed;
  }
  const system = one(configuration, 'system', ROOT);
  if (system) {
    const hosts = entries(system, 'static-host-mapping', (h) => parseHost(h, `${ROOT}/system/static-host-mapping`));
    if (hosts) config.staticHostMappings = hosts;
  }
  return config;
}

/** The entries marked `delete="delete"` or `operation="delete"` in a load-configuration body. */
export function readDeletes(configuration: El): DeleteTarget[] {
  const out: DeleteTarget[] = [];
  const names = (parent: El | undefined, tag: string, path: string): string[] => {
    const found: string[] = [];
    if (parent) for (const x of parent.children) if (x.name === tag && isDeleted(x)) found.push(requiredText(x, 'name', `${path}/${tag}`));
    return found;
  };
  const security = one(configuration, 'security', ROOT);
  const macsec = security && one(security, 'macsec', `${ROOT}/security`);
  for (const name of names(macsec, 'connectivity-association', MACSEC)) out.push({ kind: 'connectivity-association', name });
  for (const name of names(macsec, 'interfaces', MACSEC)) out.push({ kind: 'macsec-interface', name });
  const akc = security && one(security, 'authentication-key-chains', `${ROOT}/security`);
  for (const chain of akc ? akc.children : []) {
    if (chain.name !== 'key-chain') continue;
    const name = requiredText(chain, 'name', KEY_CHAIN_PATH);
    if (isDeleted(chain)) {
      out.push({ kind: 'key-chain', name });
      continue;
    }
    for (const key of chain.children) {
      if (key.name === 'key' && isDeleted(key)) out.push({ kind: 'key-chain-key', chain: name, index: keyIndex(key, `${KEY_CHAIN_PATH}[${name}]/key`) });
    }
  }
  const eo = one(configuration, 'event-options', ROOT);
  for (const name of names(eo, 'generate-event', `${ROOT}/event-options`)) out.push({ kind: 'generate-event', name });
  for (const name of names(eo, 'policy', `${ROOT}/event-options`)) out.push({ kind: 'event-policy', name });
  const es = eo && one(eo, 'event-script', `${ROOT}/event-options`);
  for (const name of names(es, 'file', `${ROOT}/event-options/event-script`)) out.push({ kind: 'event-script-file', name });
  const system = one(configuration, 'system', ROOT);
  for (const name of names(system, 'static-host-mapping', `${ROOT}/system`)) out.push({ kind: 'static-host-mapping', name });
  return out;
}

/**
 * The `<configuration>` element wherever a reply wraps it (rpc-reply, data), searched from the
 * top-level elements `top` down to four levels: at each level a direct child first, then each
 * child's subtree, children of one name before the next name (the order of fast-xml-parser's
 * objects, which both readers keep). Refuses two at one level.
 */
export function findConfiguration(top: readonly El[], depth = 0): El | undefined {
  if (depth > 4) return undefined;
  let found: El | undefined;
  let count = 0;
  for (let i = 0; i < top.length; i++) {
    if (top[i]!.name !== ROOT) continue;
    count++;
    found ??= top[i];
  }
  if (count > 1) throw new ConfigParseError(`${count} <configuration> elements, expected one`, { path: ROOT });
  if (found) return found;
  for (let i = 0; i < top.length; i++) {
    const name = top[i]!.name;
    if (firstOfName(top, i)) {
      for (let j = i; j < top.length; j++) {
        if (top[j]!.name !== name) continue;
        const inner = findConfiguration(top[j]!.children, depth + 1);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

/** Whether no element before `i` in `list` has its name. */
function firstOfName(list: readonly El[], i: number): boolean {
  for (let j = 0; j < i; j++) if (list[j]!.name === list[i]!.name) return false;
  return true;
}
