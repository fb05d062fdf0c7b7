// Junos XML configuration (`<configuration>…`) to and from the generic tree. Operations are read
// from Junos attributes (`delete="delete"`, `replace="replace"`) and NETCONF ones
// (`operation="delete|remove|replace|merge|create"`).
import { escapeXmlText } from '@qkd-macsec/junos-netconf/xml';
import { ROOT_SCHEMA, childSchema, type Schema } from './schema.js';
import { ConfigSyntaxError, kindOf, emptyTree, type ConfigNode } from './config-tree.js';
import { isSecretTag, obfuscateSecret, revealSecret } from './secret.js';
import type { XmlElement } from './xml.js';

function opOf(e: XmlElement): ConfigNode['op'] {
  const op = e.attributes['operation'];
  if (e.attributes['delete'] === 'delete' || op === 'delete' || op === 'remove') return 'delete';
  if (e.attributes['replace'] === 'replace' || op === 'replace') return 'replace';
  if (op !== undefined && op !== 'merge' && op !== 'create') throw new ConfigSyntaxError(`unknown operation '${op}'`, [], e.name);
  return undefined;
}

/** `path` is the walk's own stack of hierarchy words (an error takes a copy of it): no array per
 *  element of every loaded configuration. */
function toNode(e: XmlElement, schema: Schema | undefined, path: string[], filter: boolean): ConfigNode {
  const s = childSchema(schema, e.name);
  if (!s && schema?.strict && !filter) throw new ConfigSyntaxError('syntax error', [...path], e.name);
  const node: ConfigNode = { tag: e.name, children: [] };
  const op = opOf(e);
  if (op) node.op = op;
  if (e.attributes['inactive'] === 'inactive') node.inactive = true;
  else if (e.attributes['active'] === 'active') node.inactive = false;
  let nameEl: XmlElement | undefined;
  for (const c of e.children)
    if (c.name === 'name') {
      nameEl = c;
      break;
    }
  const isList = s?.kind === 'list' || (!s && nameEl !== undefined);
  if (isList) {
    if (!nameEl) {
      if (op === 'delete' || filter) return node;
      throw new ConfigSyntaxError(`missing name for '${e.name}'`, [...path], e.name);
    }
    node.name = nameEl.text.trim();
  }
  const rest = isList ? e.children.filter((c) => c !== nameEl) : e.children;
  if (rest.length) {
    if (s && (s.kind === 'leaf' || s.kind === 'leaf-list' || s.kind === 'flag')) throw new ConfigSyntaxError('syntax error', [...path], e.name);
    const depth = path.length;
    path.push(e.name);
    if (node.name !== undefined) path.push(node.name);
    for (const c of rest) node.children.push(toNode(c, s, path, filter));
    path.length = depth;
    return node;
  }
  const text = e.text.trim();
  if (text !== '' && !isList) {
    if (s && s.kind !== 'leaf' && s.kind !== 'leaf-list') throw new ConfigSyntaxError(`'${e.name}' takes no value`, [...path], e.name);
    node.value = isSecretTag(e.name) ? revealSecret(text) : text;
  } else if (s && (s.kind === 'leaf' || s.kind === 'leaf-list') && op !== 'delete' && !filter) {
    throw new ConfigSyntaxError(`missing value for '${e.name}'`, [...path], e.name);
  }
  return node;
}

/** `<configuration>` element → tree (nodes may carry replace/delete marks). As a subtree
 *  `filter`, empty elements are selectors and need no value or name. */
export function xmlToTree(configuration: XmlElement, opts: { filter?: boolean } = {}): ConfigNode {
  const root = emptyTree();
  root.children = configuration.children.map((c) => toNode(c, ROOT_SCHEMA, [], opts.filter === true));
  return root;
}

/** The XML of each statement that has children, by node: trees are never changed in place, and
 *  a subtree shared between trees (a load copies only what it changes) sits at the same place in
 *  each, under the same schema, which is checked. So a read renders only what changed since the
 *  last one; the rest is one lookup. Secrets render to the same `$9$` every time (secret.ts). */
const rendered = new WeakMap<ConfigNode, { schema: Schema | undefined; xml: string }>();

function statementXml(c: ConfigNode, s: Schema | undefined): string {
  const kind = kindOf(c, s);
  const open = c.inactive ? `${c.tag} inactive="inactive"` : c.tag;
  if (kind === 'leaf' || kind === 'leaf-list') {
    const v = c.value ?? '';
    return `<${open}>${escapeXmlText(isSecretTag(c.tag) ? obfuscateSecret(v) : v)}</${c.tag}>`;
  }
  if (c.children.length === 0 && c.name === undefined) return `<${open}/>`;
  const known = rendered.get(c);
  if (known && known.schema === s) return known.xml;
  const parts = [`<${open}>`];
  if (c.name !== undefined) parts.push(`<name>${escapeXmlText(c.name)}</name>`);
  for (const k of c.children) parts.push(statementXml(k, childSchema(s, k.tag)));
  parts.push(`</${c.tag}>`);
  const xml = parts.join(''); // one flat string kept, not a rope of every piece
  rendered.set(c, { schema: s, xml });
  return xml;
}

/** Tree → `<configuration …>…</configuration>`; secrets appear only as `$9$…`. */
export function treeToXml(tree: ConfigNode, attrs = ''): string {
  const parts = [`<configuration${attrs}>`];
  for (const c of tree.children) parts.push(statementXml(c, childSchema(ROOT_SCHEMA, c.tag)));
  parts.push('</configuration>');
  return parts.join('');
}
