// Junos XML for `<load-configuration format="xml">`: a `<configuration>` element. Merge loads
// carry no attributes; `operation: 'replace'` marks each entry `replace="replace"` (load it with
// action="replace"); deletes carry `delete="delete"` (Junos XML protocol) or, with
// deleteAttribute: 'operation', the NETCONF-style `operation="delete"`.
import type { MacsecConfig } from './model.js';
import type { RenderOptions } from './render-options.js';
import { REDACTED } from './secret.js';
import { buildTree, type Node } from './tree.js';
import { validateConfig } from './validate.js';

export interface XmlRenderOptions extends RenderOptions {
  deleteAttribute?: 'delete' | 'operation';
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function attributes(node: Node, options: XmlRenderOptions): string {
  const attrs: string[] = [];
  if (node.op === 'delete') attrs.push(options.deleteAttribute === 'operation' ? 'operation="delete"' : 'delete="delete"');
  if (node.op === 'replace') attrs.push('replace="replace"');
  if (node.inactive) attrs.push('inactive="inactive"');
  return attrs.map((a) => ` ${a}`).join('');
}

function printNode(node: Node, depth: number, options: XmlRenderOptions, out: string[]): void {
  const pad = '  '.repeat(depth);
  const open = `${node.tag}${attributes(node, options)}`;
  if (node.value !== undefined || node.secret) {
    const text = node.secret ? (options.revealSecrets ? node.secret.reveal() : REDACTED) : node.value!;
    out.push(`${pad}<${open}>${escapeXml(text)}</${node.tag}>`);
    return;
  }
  const children = node.op === 'delete' ? [] : (node.children ?? []);
  if (node.name === undefined && children.length === 0) {
    out.push(`${pad}<${open}/>`);
    return;
  }
  out.push(`${pad}<${open}>`);
  if (node.name !== undefined) out.push(`${pad}  <name>${escapeXml(node.name)}</name>`);
  for (const child of children) printNode(child, depth + 1, options, out);
  out.push(`${pad}</${node.tag}>`);
}

/** Renders a model (plus optional deletes) as a Junos `<configuration>` element. Validates first. */
export function renderXml(config: MacsecConfig, options: XmlRenderOptions = {}): string {
  validateConfig(config, { partial: options.operation !== 'replace' });
  const out = ['<configuration>'];
  for (const node of buildTree(config, options)) printNode(node, 1, options, out);
  out.push('</configuration>');
  return `${out.join('\n')}\n`;
}
