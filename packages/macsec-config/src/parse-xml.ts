// Reads Junos configuration XML back into the model: a `<get-configuration>` reply (bare
// `<configuration>`, inside `<rpc-reply>`, or NETCONF `<data>`, with junos:* attributes and any
// whitespace), or this package's own renderXml output. Only the parts the model covers are read;
// everything else in the configuration is ignored. Secrets come back as Secret values (usually
// Junos-encrypted `$9$...`). Entity expansion is off; the five XML entities and character
// references are decoded here, after xml-well-formed.ts has refused every other reference.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ConfigParseError, MacsecConfigError } from './errors.js';
import type { DeleteTarget, MacsecConfig } from './model.js';
import { findConfiguration, readDeletes, readModel } from './read-model.js';
import { isReplaced, type XmlTreeElement } from './xml-element.js';
import { checkCharacters, checkReferences } from './xml-well-formed.js';

export type { XmlTreeElement } from './xml-element.js';

/** fast-xml-parser's output: every child a list, text under `#text`, attributes under `@_`. */
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

/** fast-xml-parser's default `maxNestedTags`; Junos configuration nests about 12 deep. */
export const MAX_XML_DEPTH = 100;

// Element names fast-xml-parser refuses (they would pollute Object.prototype). Junos has no such
// statements, so they are refused here, up front, with this package's error.
const RESERVED_ELEMENT = /<\/?\s*(?:[A-Za-z_][\w.-]*:)?(__proto__|constructor|prototype)(?=[\s/>]|$)/;

/** The library's own error messages, mapped to ours; library text can quote the document. */
function libraryFault(err: unknown): ConfigParseError {
  const msg = err instanceof Error ? err.message : '';
  if (/Maximum nested tags/i.test(msg)) return new ConfigParseError(`elements nested deeper than ${MAX_XML_DEPTH} levels`, { path: '(document)' });
  if (/DOCTYPE/i.test(msg)) return new ConfigParseError('"<!" that opens neither a comment nor CDATA', { path: '(document)' });
  const what = /CDATA/i.test(msg) ? 'an unclosed CDATA section' : /Comment/i.test(msg) ? 'an unclosed comment' : /Pi Tag/i.test(msg) ? 'an unclosed processing instruction' : 'an unterminated tag';
  return new ConfigParseError(`malformed XML: ${what}`, { path: '(document)' });
}

/** The `<configuration>` element of a document, checked and parsed by fast-xml-parser. */
function parseDocument(xml: string): XmlTreeElement {
  if (typeof xml !== 'string') throw new ConfigParseError(`expected an XML string, got ${typeof xml}`, { path: '(document)' });
  // Junos never sends a DTD; refusing one rules out entity tricks altogether.
  if (/<!DOCTYPE/i.test(xml)) throw new ConfigParseError('a DOCTYPE is not allowed in configuration XML', { path: '(document)' });
  checkCharacters(xml);
  const reserved = RESERVED_ELEMENT.exec(xml);
  if (reserved) throw new ConfigParseError(`element <${reserved[1]}> is not allowed in configuration XML`, { path: '(document)' });
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
    throw new ConfigParseError(`malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${msg}`, { path: '(document)' });
  }
  checkReferences(xml);
  let doc: El;
  try {
    doc = parser.parse(xml) as El;
  } catch (err) {
    throw libraryFault(err);
  }
  const configuration = findConfiguration(treesOf(doc));
  if (!configuration) {
    const rpcError = JSON.stringify(doc).includes('"rpc-error"');
    throw new ConfigParseError(rpcError ? 'the reply is an <rpc-error>, not configuration' : 'no <configuration> element', { path: '(document)' });
  }
  return configuration;
}

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * fast-xml-parser's children of `el` as trees: the elements of one name in document order, the
 * names in the order they first appear (all the model depends on: it never orders across names).
 */
function treesOf(el: El): XmlTreeElement[] {
  const out: XmlTreeElement[] = [];
  for (const [name, value] of Object.entries(el)) {
    if (name.startsWith('@_') || name === '#text' || !Array.isArray(value)) continue;
    for (const child of value) out.push(treeOf(name, child));
  }
  return out;
}

/** One fast-xml-parser element (a string when it holds only text) as a tree. */
function treeOf(name: string, value: unknown): XmlTreeElement {
  if (typeof value !== 'object' || value === null) return { name, attributes: NO_ATTRIBUTES, children: [], text: String(value) };
  const el = value as El;
  const text = el['#text'] ?? '';
  if (typeof text !== 'string') throw new ConfigParseError('expected text', { path: name });
  let attributes = NO_ATTRIBUTES;
  for (const key of Object.keys(el)) {
    if (!key.startsWith('@_')) continue;
    if (attributes === NO_ATTRIBUTES) attributes = Object.create(null) as Record<string, string>;
    (attributes as Record<string, string>)[key.slice(2)] = String(el[key]);
  }
  return { name, attributes, children: treesOf(el), text };
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
 * parseConfigurationXml for a reply its caller has parsed already (`root`: the `<rpc-reply>`,
 * `<data>` or `<configuration>` element), so a device's reply is parsed once. The model is read
 * straight from the tree: a rotator reads every device every cycle.
 */
export function readConfigurationTree(root: XmlTreeElement): MacsecConfig {
  return ownErrors(() => {
    checkTree(root, 0);
    const configuration = findConfiguration([root]);
    if (!configuration) throw new ConfigParseError(root.name === 'rpc-reply' && root.children.some((c) => c.name === 'rpc-error') ? 'the reply is an <rpc-error>, not configuration' : 'no <configuration> element', { path: '(document)' });
    return readModel(configuration);
  });
}

/** What parseDocument refuses in a string, refused in a tree: deep nesting and reserved names. */
function checkTree(node: XmlTreeElement, depth: number): void {
  if (depth > MAX_XML_DEPTH) throw new ConfigParseError(`elements nested deeper than ${MAX_XML_DEPTH} levels`, { path: '(document)' });
  const children = node.children;
  for (let i = 0; i < children.length; i++) {
    const name = children[i]!.name;
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') throw new ConfigParseError(`element <${name}> is not allowed in configuration XML`, { path: '(document)' });
    checkTree(children[i]!, depth + 1);
  }
}

/**
 * The contract: bad input gives a ConfigParseError, nothing else. The paths above throw it
 * themselves; this net turns anything a library may still throw into one, without its text.
 */
function ownErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof MacsecConfigError) throw err;
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
  return ownErrors(() => readChange(parseDocument(xml)));
}

function readChange(configuration: XmlTreeElement): ParsedChange {
  const replaced: string[] = [];
  const visit = (el: XmlTreeElement) => {
    const name = isReplaced(el) ? el.children.find((c) => c.name === 'name') : undefined;
    if (name) replaced.push(`${el.name}:${name.text}`);
    for (const child of el.children) visit(child);
  };
  visit(configuration);
  return { config: readModel(configuration), delete: readDeletes(configuration), replaced };
}
