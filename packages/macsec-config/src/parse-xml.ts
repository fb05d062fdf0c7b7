// Reads Junos configuration XML back into the model: a `<get-configuration>` reply (bare
// `<configuration>`, inside `<rpc-reply>`, or NETCONF `<data>`, with junos:* attributes and any
// whitespace), or this package's own renderXml output. Only the parts the model covers are read;
// everything else in the configuration is ignored. Secrets come back as Secret values (usually
// Junos-encrypted `$9$...`). The XML is read by xml/ (the package's one hardened reader: no DTD,
// no entity but the five predefined ones, XML 1.0 characters only, bounded depth).
import { ConfigParseError } from './errors.js';
import type { DeleteTarget, MacsecConfig } from './model.js';
import { findConfiguration, readDeletes, readModel } from './read-model.js';
import { isReplaced } from './xml-element.js';
import { parseXmlOrdered, XmlError, type XmlElement } from './xml/index.js';

/** Deepest nesting read as configuration (Junos configuration nests about 12 deep). */
export const MAX_CONFIGURATION_DEPTH = 100;

/** The root element of a document, or a ConfigParseError saying what is wrong and where. */
function parseDocument(xml: string): XmlElement {
  if (typeof xml !== 'string') throw new ConfigParseError(`expected an XML string, got ${typeof xml}`, { path: '(document)' });
  try {
    return parseXmlOrdered(xml)[0]!;
  } catch (err) {
    if (err instanceof XmlError) throw malformed(xml, err);
    throw err;
  }
}

/** The reader's refusal as this package's parse error, its position as line and column. */
function malformed(xml: string, err: XmlError): ConfigParseError {
  const at = err.position === undefined ? undefined : lineColumn(xml, err.position);
  const suffix = ` (at character ${err.position})`;
  const what = err.message.endsWith(suffix) ? err.message.slice(0, -suffix.length) : err.message;
  return new ConfigParseError(`malformed XML${at ? ` at ${at}` : ''}: ${what}`, { path: '(document)', cause: err });
}

function lineColumn(xml: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = xml.indexOf('\n'); i >= 0 && i < offset; i = xml.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/** The `<configuration>` element under `root`, after the checks a tree from any reader gets. */
function configurationOf(root: XmlElement): XmlElement {
  checkTree(root, 0);
  const configuration = findConfiguration([root]);
  if (!configuration) {
    const rpcError = root.name === 'rpc-reply' && root.children.some((c) => c.name === 'rpc-error');
    throw new ConfigParseError(rpcError ? 'the reply is an <rpc-error>, not configuration' : 'no <configuration> element', { path: '(document)' });
  }
  return configuration;
}

/**
 * Parses Junos configuration XML (a get-configuration reply or renderXml output) into the model.
 * Throws ConfigParseError naming the element for malformed XML or values of the wrong shape.
 * The result is not run through validateConfig: a device may hold names outside this package's
 * conservative rules, and reading them must still work.
 */
export function parseConfigurationXml(xml: string): MacsecConfig {
  return ownErrors(() => readModel(configurationOf(parseDocument(xml))));
}

/**
 * parseConfigurationXml for a reply its caller has parsed already (`root`: the `<rpc-reply>`,
 * `<data>` or `<configuration>` element, as `parseXmlOrdered` of `@qkd-macsec/macsec-config/xml`
 * or junos-netconf returns it), so a device's reply is parsed once. A rotator reads every device
 * every cycle.
 */
export function readConfigurationTree(root: XmlElement): MacsecConfig {
  return ownErrors(() => readModel(configurationOf(root)));
}

/**
 * What the reader refuses in a string, refused in a tree from elsewhere too: reserved names; and
 * nesting deeper than configuration goes (the reader allows more, for other documents).
 */
function checkTree(node: XmlElement, depth: number): void {
  if (depth > MAX_CONFIGURATION_DEPTH) throw new ConfigParseError(`elements nested deeper than ${MAX_CONFIGURATION_DEPTH} levels`, { path: '(document)' });
  const children = node.children;
  for (let i = 0; i < children.length; i++) {
    const name = children[i]!.name;
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') throw new ConfigParseError(`element <${name}> is not allowed in configuration XML`, { path: '(document)' });
    checkTree(children[i]!, depth + 1);
  }
}

/**
 * The contract: bad input gives a ConfigParseError, nothing else. The paths above throw it
 * themselves; this net turns anything else into one, without its text.
 */
function ownErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ConfigParseError) throw err;
    throw new ConfigParseError(`unreadable configuration XML (${err instanceof Error ? err.name : typeof err})`, { path: '(document)' });
  }
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
  return ownErrors(() => readChange(configurationOf(parseDocument(xml))));
}

function readChange(configuration: XmlElement): ParsedChange {
  const replaced: string[] = [];
  const visit = (el: XmlElement) => {
    const name = isReplaced(el) ? el.children.find((c) => c.name === 'name') : undefined;
    if (name) replaced.push(`${el.name}:${name.text}`);
    for (const child of el.children) visit(child);
  };
  visit(configuration);
  return { config: readModel(configuration), delete: readDeletes(configuration), replaced };
}
