// Junos configuration-mode commands (`set`, `delete`, `deactivate`), one per line, as taken by
// `<load-configuration action="set">` or pasted at the CLI. Deletes come first, so a change that
// removes and re-adds an entry applies in order.
import type { DeleteTarget, MacsecConfig } from './model.js';
import type { RenderOptions } from './render-options.js';
import { buildTree, statementTokens, type Node } from './tree.js';
import { validateConfig } from './validate.js';

/** Renders a model (plus optional deletes) as `set` commands. Validates the model first. */
export function renderSet(config: MacsecConfig, options: RenderOptions = {}): string[] {
  validateConfig(config, { partial: options.operation !== 'replace' });
  const reveal = options.revealSecrets === true;
  const deletes: string[] = [];
  const sets: string[] = [];
  const deactivates: string[] = [];
  const walk = (nodes: Node[], path: string[]) => {
    for (const node of nodes) {
      const here = [...path, ...statementTokens(node, reveal)];
      const line = here.join(' ');
      if (node.op === 'delete') {
        deletes.push(`delete ${line}`);
        continue;
      }
      if (node.op === 'replace') deletes.push(`delete ${line}`);
      if (!node.children || node.children.length === 0) sets.push(`set ${line}`);
      else walk(node.children, here);
      if (node.inactive) deactivates.push(`deactivate ${line}`);
    }
  };
  walk(buildTree(config, options), []);
  return [...deletes, ...sets, ...deactivates];
}

/** `delete` commands for the given targets. */
export function renderDelete(targets: readonly DeleteTarget[]): string[] {
  return renderSet({}, { delete: targets });
}
