// Reads Junos configuration XML back into the model: a `<get-configuration>` reply (bare
// `<configuration>`, inside `<rpc-reply>`, or NETCONF `<data>`, with junos:* attributes and any
// whitespace), or this package's own renderXml output. Only the parts the model covers are read;
// everything else in the configuration is ignored. Secrets come back as Secret values (usually
// Junos-encrypted `$9$...`). Entity expansion is off; the five XML entities and character
// references are decoded here, after xml-well-formed.ts has refused every other reference.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ConfigParseError, MacsecConfigError } from './errors.js';
import { checkCharacters, checkReferences } from './xml-well-formed.js';
import {
  CIPHER_SUITES,
  KEY_ALGORITHMS,
  KEY_OPTIONS,
  OFFSETS,
  SECURITY_MODES,
  type Offset,
  type CipherSuite,
  type ConnectivityAssociation,
  type DeleteTarget,
  type EventOptions,
  type KeyChain,
  type KeyChainKey,
  type MacsecConfig,
  type MacsecInterface,
  type PreSharedKey,
  type QkdMacro,
  type SecurityMode,
  type StaticHostMapping,
} from './model.js';
import { Secret } from './secret.js';
import { KEY_INDEX_MAX, KEY_INDEX_MIN } from './validate.js';

type El = { [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  // Values leave the parser decoded, as readConfigurationTree's already-parsed trees do (after
  // xml-well-formed.ts has refused every reference but the five entities and character references).
  tagValueProcessor: (_name: string, value: string) => decodeEntities(value),
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the references in a value; checkReferences has already refused any other kind. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_whole, ent: string) =>
    ent.startsWith('#x') ? String.fromCodePoint(Number.parseInt(ent.slice(2), 16)) : ent.startsWith('#') ? String.fromCodePoint(Number(ent.slice(1))) : PREDEFINED[ent]!,
  );
}

/** Elements named `tag` under `el`, as objects (text-only elements become `{ '#text': ... }`). */
function kids(el: El, tag: string): El[] {
  const v = el[tag];
  if (v === undefined) return [];
  return (v as unknown[]).map((x) => (typeof x === 'object' && x !== null ? (x as El) : { '#text': x }));
}

function textOf(el: El, path: string): string {
  const t = el['#text'];
  if (t === undefined || t === '') return '';
  if (typeof t !== 'string') throw new ConfigParseError('expected text', path);
  return t;
}

/** Text of the single child `tag`, or undefined when absent. */
function childText(el: El, tag: string, path: string): string | undefined {
  const list = kids(el, tag);
  if (list.length === 0) return undefined;
  if (list.length > 1) throw new ConfigParseError(`<${tag}> appears ${list.length} times, expected once`, path);
  return textOf(list[0]!, `${path}/${tag}`);
}

function requiredText(el: El, tag: string, path: string): string {
  const t = childText(el, tag, path);
  if (t === undefined || t === '') throw new ConfigParseError(`missing <${tag}>`, path);
  return t;
}

function childInt(el: El, tag: string, path: string): number | undefined {
  const t = childText(el, tag, path);
  if (t === undefined) return undefined;
  if (!/^\d{1,10}$/.test(t)) throw new ConfigParseError(`"${t}" is not a non-negative integer`, `${path}/${tag}`);
  return Number(t);
}

const has = (el: El, tag: string) => el[tag] !== undefined;
const attr = (el: El, name: string) => el[`@_${name}`];
const isDeleted = (el: El) => attr(el, 'delete') === 'delete' || attr(el, 'operation') === 'delete';
const isInactive = (el: El) => attr(el, 'inactive') === 'inactive';

/** One child container (`<security>`), or undefined. */
function one(el: El, tag: string, path: string): El | undefined {
  const list = kids(el, tag);
  if (list.length > 1) throw new ConfigParseError(`<${tag}> appears ${list.length} times, expected once`, path);
  return list[0];
}

const texts = (el: El, tag: string, path: string) => kids(el, tag).map((k) => textOf(k, `${path}/${tag}`));

function parsePsk(el: El | undefined, path: string): PreSharedKey | undefined {
  if (!el) return undefined;
  const ckn = requiredText(el, 'ckn', path);
  const cak = requiredText(el, 'cak', path);
  try {
    return { ckn, cak: Secret.fromDevice(cak) };
  } catch {
    throw new ConfigParseError('<cak> is not a usable secret (contains whitespace or quotes)', `${path}/cak`);
  }
}

function parseCa(el: El, path: string): ConnectivityAssociation {
  const name = requiredText(el, 'name', path);
  const p = `${path}[${name}]`;
  const ca: ConnectivityAssociation = { name };
  const mode = childText(el, 'security-mode', p);
  if (mode !== undefined) {
    if (!(SECURITY_MODES as readonly string[]).includes(mode)) throw new ConfigParseError(`unknown security-mode "${mode}"`, `${p}/security-mode`);
    ca.securityMode = mode as SecurityMode;
  }
  const suite = childText(el, 'cipher-suite', p);
  if (suite !== undefined) {
    if (!(CIPHER_SUITES as readonly string[]).includes(suite)) throw new ConfigParseError(`unknown cipher-suite "${suite}"`, `${p}/cipher-suite`);
    ca.cipherSuite = suite as CipherSuite;
  }
  const psk = parsePsk(one(el, 'pre-shared-key', p), `${p}/pre-shared-key`);
  if (psk) ca.preSharedKey = psk;
  const chain = childText(el, 'pre-shared-key-chain', p);
  if (chain !== undefined) ca.preSharedKeyChain = chain;
  const fallback = parsePsk(one(el, 'fallback-key', p), `${p}/fallback-key`);
  if (fallback) ca.fallbackKey = fallback;
  const mkaEl = one(el, 'mka', p);
  if (mkaEl) {
    const m = `${p}/mka`;
    const mka: NonNullable<ConnectivityAssociation['mka']> = {};
    // <must-secure/> (es/ex/nfx/qfx families up to 22.1R1) is what Junos does without
    // should-secure anyway; the model has no field for it, so it reads as nothing.
    if (has(mkaEl, 'should-secure')) mka.shouldSecure = true;
    const ksp = childInt(mkaEl, 'key-server-priority', m);
    if (ksp !== undefined) mka.keyServerPriority = ksp;
    const ti = childInt(mkaEl, 'transmit-interval', m);
    if (ti !== undefined) mka.transmitInterval = ti;
    const sri = childInt(mkaEl, 'sak-rekey-interval', m);
    if (sri !== undefined) mka.sakRekeyInterval = sri;
    ca.mka = mka;
  }
  if (has(el, 'include-sci')) ca.includeSci = true;
  const offset = childText(el, 'offset', p);
  if (offset !== undefined) {
    if (!(OFFSETS as readonly number[]).map(String).includes(offset)) throw new ConfigParseError(`offset "${offset}" is not one of ${OFFSETS.join(', ')}`, `${p}/offset`);
    ca.offset = Number(offset) as Offset;
  }
  const rp = one(el, 'replay-protect', p);
  if (rp) {
    // A bare <replay-protect/> is valid YANG (replay-window-size has no default there).
    const size = childInt(rp, 'replay-window-size', `${p}/replay-protect`);
    ca.replayProtect = size === undefined ? {} : { replayWindowSize: size };
  }
  // Accept both `<exclude-protocol>lldp</exclude-protocol>` and `<exclude-protocol><name>lldp</name>`.
  const excluded = kids(el, 'exclude-protocol').map((x) => (has(x, 'name') ? requiredText(x, 'name', `${p}/exclude-protocol`) : textOf(x, `${p}/exclude-protocol`)));
  if (excluded.length > 0) ca.excludeProtocols = excluded;
  return ca;
}

function oneOf<T extends string>(values: readonly T[], value: string, what: string, path: string): T {
  if (!(values as readonly string[]).includes(value)) throw new ConfigParseError(`${what} "${value}" is not one of ${values.join(', ')}`, path);
  return value as T;
}

function parseBool(text: string | undefined, path: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigParseError(`expected true or false, got "${text ?? ''}"`, path);
}

function parseQkdMacro(el: El, path: string): QkdMacro {
  const qkd: QkdMacro = {};
  for (const data of kids(el, 'data')) {
    const key = requiredText(data, 'name', path);
    const p = `${path}/data[${key}]`;
    const value = childText(data, 'value', p);
    switch (key) {
      case 'kme-host':
        if (!value) throw new ConfigParseError('kme-host has no value', p);
        qkd.kmeHost = value;
        break;
      case 'kme-port':
        if (!value || !/^\d{1,5}$/.test(value)) throw new ConfigParseError(`kme-port "${value ?? ''}" is not a port number`, p);
        qkd.kmePort = Number(value);
        break;
      case 'kme-ca':
        qkd.kmeCa = parseBool(value, p);
        break;
      case 'kme-keyid-check':
        qkd.kmeKeyidCheck = parseBool(value, p);
        break;
      case 'kme-method':
        if (value !== 'get' && value !== 'post') throw new ConfigParseError(`kme-method must be get or post, got "${value ?? ''}"`, p);
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
  for (const macro of kids(el, 'apply-macro')) {
    if (requiredText(macro, 'name', `${p}/apply-macro`) === 'qkd') itf.qkd = parseQkdMacro(macro, `${p}/apply-macro[qkd]`);
  }
  return itf;
}

/** The `<name>` of a key-chain `<key>`: its index 0..63. */
function keyIndex(el: El, path: string): number {
  const raw = requiredText(el, 'name', path);
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > KEY_INDEX_MAX) {
    throw new ConfigParseError(`key index "${raw}" is not ${KEY_INDEX_MIN}..${KEY_INDEX_MAX}`, `${path}[${raw}]`);
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
      throw new ConfigParseError('<secret> is not a usable secret (empty, or contains whitespace or quotes)', `${p}/secret`);
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
  chain.keys = kids(el, 'key').filter((k) => !isDeleted(k)).map((k) => parseKey(k, `${p}/key`));
  return chain;
}

function parseEventOptions(el: El, path: string): EventOptions {
  const eo: EventOptions = {};
  const gen = kids(el, 'generate-event').filter((g) => !isDeleted(g));
  if (gen.length > 0) {
    eo.generateEvents = gen.map((g) => {
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
  }
  const policies = kids(el, 'policy').filter((x) => !isDeleted(x));
  if (policies.length > 0) {
    eo.policies = policies.map((pol) => {
      const name = requiredText(pol, 'name', `${path}/policy`);
      const p = `${path}/policy[${name}]`;
      const then = one(pol, 'then', p);
      return {
        name,
        events: texts(pol, 'events', p),
        eventScripts: then ? kids(then, 'event-script').map((s) => requiredText(s, 'name', `${p}/then/event-script`)) : [],
      };
    });
  }
  const es = one(el, 'event-script', path);
  const files = es ? kids(es, 'file').filter((x) => !isDeleted(x)) : [];
  if (files.length > 0) {
    eo.eventScripts = files.map((f) => {
      const name = requiredText(f, 'name', `${path}/event-script/file`);
      const user = childText(f, 'python-script-user', `${path}/event-script/file[${name}]`);
      return user === undefined ? { name } : { name, pythonScriptUser: user };
    });
  }
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
    const flags = kids(tr, 'flag').map((f) => requiredText(f, 'name', `${p}/flag`));
    if (flags.length > 0) t.flags = flags;
    eo.traceoptions = t;
  }
  return eo;
}

function parseHost(el: El, path: string): StaticHostMapping {
  const name = requiredText(el, 'name', path);
  const p = `${path}[${name}]`;
  const h: StaticHostMapping = { name };
  for (const [tag, field] of [['inet', 'inet'], ['inet6', 'inet6'], ['alias', 'alias']] as const) {
    const values = texts(el, tag, p);
    if (values.length > 0) h[field] = values;
  }
  return h;
}

/** Finds the `<configuration>` element wherever the reply wraps it (rpc-reply, data). */
function findConfiguration(doc: El, depth = 0): El | undefined {
  if (depth > 4) return undefined;
  const direct = kids(doc, 'configuration');
  if (direct.length > 1) throw new ConfigParseError(`${direct.length} <configuration> elements, expected one`, 'configuration');
  if (direct[0]) return direct[0];
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('@_') || key === '#text' || !Array.isArray(value)) continue;
    for (const child of value) {
      if (typeof child !== 'object' || child === null) continue;
      const found = findConfiguration(child as El, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** fast-xml-parser's default `maxNestedTags`; Junos configuration nests about 12 deep. */
export const MAX_XML_DEPTH = 100;

// Element names fast-xml-parser refuses (they would pollute Object.prototype). Junos has no such
// statements, so they are refused here, up front, with this package's error.
const RESERVED_ELEMENT = /<\/?\s*(?:[A-Za-z_][\w.-]*:)?(__proto__|constructor|prototype)(?=[\s/>]|$)/;

/** The library's own error messages, mapped to ours; library text can quote the document. */
function libraryFault(err: unknown): ConfigParseError {
  const msg = err instanceof Error ? err.message : '';
  if (/Maximum nested tags/i.test(msg)) return new ConfigParseError(`elements nested deeper than ${MAX_XML_DEPTH} levels`, '(document)');
  if (/DOCTYPE/i.test(msg)) return new ConfigParseError('"<!" that opens neither a comment nor CDATA', '(document)');
  const what = /CDATA/i.test(msg) ? 'an unclosed CDATA section' : /Comment/i.test(msg) ? 'an unclosed comment' : /Pi Tag/i.test(msg) ? 'an unclosed processing instruction' : 'an unterminated tag';
  return new ConfigParseError(`malformed XML: ${what}`, '(document)');
}

function parseDocument(xml: string): El {
  if (typeof xml !== 'string') throw new ConfigParseError(`expected an XML string, got ${typeof xml}`, '(document)');
  // Junos never sends a DTD; refusing one rules out entity tricks altogether.
  if (/<!DOCTYPE/i.test(xml)) throw new ConfigParseError('a DOCTYPE is not allowed in configuration XML', '(document)');
  checkCharacters(xml);
  const reserved = RESERVED_ELEMENT.exec(xml);
  if (reserved) throw new ConfigParseError(`element <${reserved[1]}> is not allowed in configuration XML`, '(document)');
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(xml);
  } catch (err) {
    // The validator itself throws on some unterminated markup (`<n/` at the end, `<!--`, ...).
    throw libraryFault(err);
  }
  if (valid !== true) {
    // The validator quotes document text: a broken tag next to a CAK gets the CAK quoted whole.
    // Keep quoted single characters only; line and column still point at the fault.
    const msg = valid.err.msg.replace(/'([^']*)'/g, (quoted, inner: string) => (inner.length <= 1 ? quoted : "'…'"));
    throw new ConfigParseError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${msg}`, '(document)');
  }
  checkReferences(xml);
  let doc: El;
  try {
    doc = parser.parse(xml) as El;
  } catch (err) {
    throw libraryFault(err);
  }
  const configuration = findConfiguration(doc);
  if (!configuration) {
    const rpcError = JSON.stringify(doc).includes('"rpc-error"');
    throw new ConfigParseError(rpcError ? 'the reply is an <rpc-error>, not configuration' : 'no <configuration> element', '(document)');
  }
  return configuration;
}

function readModel(configuration: El): MacsecConfig {
  const root = 'configuration';
  const config: MacsecConfig = {};
  const security = one(configuration, 'security', root);
  const macsec = security && one(security, 'macsec', `${root}/security`);
  if (macsec) {
    const p = `${root}/security/macsec`;
    const cas = kids(macsec, 'connectivity-association').filter((x) => !isDeleted(x));
    if (cas.length > 0) config.connectivityAssociations = cas.map((c) => parseCa(c, `${p}/connectivity-association`));
    const ifs = kids(macsec, 'interfaces').filter((x) => !isDeleted(x));
    if (ifs.length > 0) config.interfaces = ifs.map((i) => parseInterface(i, `${p}/interfaces`));
  }
  const akc = security && one(security, 'authentication-key-chains', `${root}/security`);
  if (akc) {
    const chains = kids(akc, 'key-chain').filter((x) => !isDeleted(x));
    if (chains.length > 0) config.keyChains = chains.map((c) => parseKeyChain(c, `${root}/security/authentication-key-chains/key-chain`));
  }
  const eo = one(configuration, 'event-options', root);
  if (eo) {
    const parsed = parseEventOptions(eo, `${root}/event-options`);
    if (Object.keys(parsed).length > 0) config.eventOptions = parsed;
  }
  const system = one(configuration, 'system', root);
  if (system) {
    const hosts = kids(system, 'static-host-mapping').filter((x) => !isDeleted(x));
    if (hosts.length > 0) config.staticHostMappings = hosts.map((h) => parseHost(h, `${root}/system/static-host-mapping`));
  }
  return config;
}

/**
 * Parses Junos configuration XML (a get-configuration reply or renderXml output) into the model.
 * Throws ConfigParseError naming the element for malformed XML or values of the wrong shape.
 * The result is not run through validateConfig: a device may hold names outside this package's
 * conservative rules, and reading them must still work.
 */
export function parseConfigurationXml(xml: string): MacsecConfig {
  return ownErrors(() => readModel(parseDocument(xml)));
}

/**
 * An XML element already parsed by a hardened parser (DOCTYPE and entities refused, references
 * decoded, names without namespace prefix): junos-netconf's `parseXmlOrdered` returns this shape.
 */
export interface XmlTreeElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: readonly XmlTreeElement[];
  /** The element's own text, decoded and trimmed. */
  text: string;
}

/**
 * parseConfigurationXml for a reply its caller has parsed already (`root`: the `<rpc-reply>`,
 * `<data>` or `<configuration>` element), so a device's reply is parsed once: parsing the string
 * again here (validator + parser) was most of what a rotator allocated per device and cycle.
 */
export function readConfigurationTree(root: XmlTreeElement): MacsecConfig {
  return ownErrors(() => {
    const doc: El = Object.create(null) as El;
    doc[root.name] = [elementOf(root, 0)];
    const configuration = findConfiguration(doc);
    if (!configuration) throw new ConfigParseError(root.name === 'rpc-reply' && root.children.some((c) => c.name === 'rpc-error') ? 'the reply is an <rpc-error>, not configuration' : 'no <configuration> element', '(document)');
    return readModel(configuration);
  });
}

/** The tree in the shape the readers above take (every child a list; text under `#text`). */
function elementOf(node: XmlTreeElement, depth: number): El {
  if (depth > MAX_XML_DEPTH) throw new ConfigParseError(`elements nested deeper than ${MAX_XML_DEPTH} levels`, '(document)');
  // No prototype: an element named like an Object.prototype member is an ordinary key.
  const el = Object.create(null) as El;
  if (node.text !== '') el['#text'] = node.text;
  for (const [name, value] of Object.entries(node.attributes)) el[`@_${name}`] = value;
  for (const child of node.children) {
    if (RESERVED_NAMES.has(child.name)) throw new ConfigParseError(`element <${child.name}> is not allowed in configuration XML`, '(document)');
    const list = (el[child.name] ??= []) as El[];
    list.push(elementOf(child, depth + 1));
  }
  return el;
}
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The contract: bad input gives a ConfigParseError, nothing else. The paths above throw it
 * themselves; this net turns anything a library may still throw into one, without its text.
 */
function ownErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof MacsecConfigError) throw err;
    throw new ConfigParseError(`unreadable configuration XML (${err instanceof Error ? err.name : typeof err})`, '(document)');
  }
}

/** The entries marked `delete="delete"` or `operation="delete"` in a load-configuration body. */
function readDeletes(configuration: El): DeleteTarget[] {
  const out: DeleteTarget[] = [];
  const root = 'configuration';
  const names = (parent: El | undefined, tag: string, path: string) =>
    parent ? kids(parent, tag).filter(isDeleted).map((x) => requiredText(x, 'name', `${path}/${tag}`)) : [];
  const security = one(configuration, 'security', root);
  const macsec = security && one(security, 'macsec', `${root}/security`);
  for (const name of names(macsec, 'connectivity-association', `${root}/security/macsec`)) out.push({ kind: 'connectivity-association', name });
  for (const name of names(macsec, 'interfaces', `${root}/security/macsec`)) out.push({ kind: 'macsec-interface', name });
  const akc = security && one(security, 'authentication-key-chains', `${root}/security`);
  for (const chain of akc ? kids(akc, 'key-chain') : []) {
    const p = `${root}/security/authentication-key-chains/key-chain`;
    const name = requiredText(chain, 'name', p);
    if (isDeleted(chain)) {
      out.push({ kind: 'key-chain', name });
      continue;
    }
    for (const key of kids(chain, 'key').filter(isDeleted)) {
      out.push({ kind: 'key-chain-key', chain: name, index: keyIndex(key, `${p}[${name}]/key`) });
    }
  }
  const eo = one(configuration, 'event-options', root);
  for (const name of names(eo, 'generate-event', `${root}/event-options`)) out.push({ kind: 'generate-event', name });
  for (const name of names(eo, 'policy', `${root}/event-options`)) out.push({ kind: 'event-policy', name });
  const es = eo && one(eo, 'event-script', `${root}/event-options`);
  for (const name of names(es, 'file', `${root}/event-options/event-script`)) out.push({ kind: 'event-script-file', name });
  const system = one(configuration, 'system', root);
  for (const name of names(system, 'static-host-mapping', `${root}/system`)) out.push({ kind: 'static-host-mapping', name });
  return out;
}

export interface ParsedChange {
  /** What the load adds or changes (entries without a delete attribute). */
  config: MacsecConfig;
  /** What the load removes. */
  delete: DeleteTarget[];
  /** Entries marked `replace="replace"` as `kind:name` strings, e.g. `key-chain:KC1`. */
  replaced: string[];
}

/**
 * Parses a `<load-configuration>` body (e.g. renderXml output) into what it adds and what it
 * removes, for a device simulator applying the load.
 */
export function parseConfigurationChange(xml: string): ParsedChange {
  return ownErrors(() => readChange(parseDocument(xml)));
}

function readChange(configuration: El): ParsedChange {
  const replaced: string[] = [];
  const visit = (el: El, tag: string) => {
    if (attr(el, 'replace') === 'replace' && typeof kids(el, 'name')[0]?.['#text'] === 'string') {
      replaced.push(`${tag}:${textOf(kids(el, 'name')[0]!, tag)}`);
    }
    for (const [key, value] of Object.entries(el)) {
      if (key.startsWith('@_') || key === '#text' || !Array.isArray(value)) continue;
      for (const child of value) if (typeof child === 'object' && child !== null) visit(child as El, key);
    }
  };
  visit(configuration, 'configuration');
  return { config: readModel(configuration), delete: readDeletes(configuration), replaced };
}
