// Junos XML for `<load-configuration format="xml">`: a `<configuration>` element. Merge loads
// carry no attributes; `operation: 'replace'` marks each entry `replace="replace"` (load it with
// action="replace"); deletes carry `delete="delete"` (Junos XML protocol) or, with
// deleteAttribute: 'operation', the NETCONF-style `operation="delete"`.
import type { MacsecConfig } from './model.js';
import type { RenderOptions } from './render-options.js';
import { REDACTED } from './secret.js';
import { buildTree, type Node } from './tree.js';
import { validateConfig } from './validate.js';
import { escapeXmlText } from './xml/escape.js';

export interface XmlRenderOptions extends RenderOptions {
  deleteAttribute?: 'delete' | 'operation';
}

function attributes(node: Node, options: XmlRenderOptions): string {
  let attrs = '';
  if (node.op === 'delete') attrs += options.deleteAttribute === 'operation' ? ' operation="delete"' : ' delete="delete"';
  if (node.op === 'replace') attrs += ' replace="replace"';
  if (node.inactive) attrs += ' inactive="inactive"';
  return attrs;
}

// Indentation by depth, built once.
const PADS = Array.from({ length: 16 }, (_, depth) => '  '.repeat(depth));
const padOf = (depth: number) => PADS[depth] ?? '  '.repeat(depth);

/** One element and its children, each line ending in a newline. */
function printNode(node: Node, depth: number, options: XmlRenderOptions): string {
  const pad = padOf(depth);
  const open = node.tag + attributes(node, options);
  if (node.value !== undefined || node.secret) {
    const text = node.secret ? (options.revealSecrets ? node.secret.reveal() : REDACTED) : node.value!;
    return `${pad}<${open}>${escapeXmlText(text)}</${node.tag}>\n`;
  }
  const children = node.op === 'delete' ? undefined : node.children;
  if (node.name === undefined && (children === undefined || children.length === 0)) return `${pad}<${open}/>\n`;
  let out = `${pad}<${open}>\n`;
  if (node.name !== undefined) out += `${pad}  <name>${escapeXmlText(node.name)}</name>\n`;
  if (children) for (const child of children) out += printNode(child, depth + 1, options);
  return `${out}${pad}</${node.tag}>\n`;
}

/** Renders a model (plus optional deletes) as a Junos `<configuration>` element. Validates first. */
export function renderXml(config: MacsecConfig, options: XmlRenderOptions = {}): string {
  validateConfig(config, { partial: options.operation !== 'replace' });
  let out = '<configuration>\n';
  for (const node of buildTree(config, options)) out += printNode(node, 1, options);
  return `${out}</configuration>\n`;
}
