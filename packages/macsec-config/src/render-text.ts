// Junos curly-brace configuration text, as `show configuration` prints it and as
// `<load-configuration format="text">` takes it (`delete:` / `replace:` operators included).
import type { MacsecConfig } from './model.js';
import type { RenderOptions } from './render-options.js';
import { buildTree, statementTokens, type Node } from './tree.js';
import { validateConfig } from './validate.js';

const INDENT = '    ';

function flatTokens(node: Node, reveal: boolean): string[] {
  const tokens = statementTokens(node, reveal);
  const children = node.children ?? [];
  for (const child of children) {
    if (!child.list) {
      tokens.push(...flatTokens(child, reveal));
      continue;
    }
    const same = children.filter((c) => c.list && c.tag === child.tag);
    if (same[0] !== child) continue;
    const values = same.map((c) => statementTokens({ ...c, hideTag: true }, reveal).join(' '));
    tokens.push(child.tag, values.length === 1 ? values[0]! : `[ ${values.join(' ')} ]`);
  }
  return tokens;
}

function printNodes(nodes: Node[], depth: number, reveal: boolean, out: string[]): void {
  const pad = INDENT.repeat(depth);
  const done = new Set<Node>();
  for (const node of nodes) {
    if (done.has(node)) continue;
    if (node.grouped || node.list) {
      // Gather every sibling of the same kind at the first one's position.
      const same = nodes.filter((n) => n.tag === node.tag && (node.grouped ? n.grouped : n.list && !n.op));
      same.forEach((n) => done.add(n));
      if (node.list) {
        const values = same.map((n) => statementTokens({ ...n, tag: '', hideTag: true }, reveal).join(' '));
        out.push(`${pad}${node.tag} ${values.length === 1 ? values[0] : `[ ${values.join(' ')} ]`};`);
      } else {
        out.push(`${pad}${node.tag} {`);
        printNodes(same.map((n) => ({ ...n, grouped: false, hideTag: true })), depth + 1, reveal, out);
        out.push(`${pad}}`);
      }
      continue;
    }
    done.add(node);
    if (node.op === 'delete') out.push(`${pad}delete:`);
    if (node.op === 'replace') out.push(`${pad}replace:`);
    const prefix = node.inactive ? 'inactive: ' : '';
    const head = statementTokens(node, reveal).join(' ');
    if (node.op === 'delete' || !node.children || node.children.length === 0) {
      out.push(`${pad}${prefix}${head};`);
    } else if (node.oneLine) {
      out.push(`${pad}${prefix}${flatTokens(node, reveal).join(' ')};`);
    } else {
      out.push(`${pad}${prefix}${head} {`);
      printNodes(node.children, depth + 1, reveal, out);
      out.push(`${pad}}`);
    }
  }
}

/** Renders a model (plus optional deletes) as Junos curly-brace text. Validates the model first. */
export function renderText(config: MacsecConfig, options: RenderOptions = {}): string {
  validateConfig(config, { partial: options.operation !== 'replace' });
  const out: string[] = [];
  printNodes(buildTree(config, options), 0, options.revealSecrets === true, out);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
