// Juniper's published YANG (../shared/junos-yang, never copied into the repository) for tests
// that check the package against it, and a reader for the few groupings they need.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The repository root's parent; for a git worktree also the main checkout's parent. */
function candidateDirs(): string[] {
  const dirs = [join(REPO_ROOT, '..', 'shared', 'junos-yang')];
  const dotGit = join(REPO_ROOT, '.git');
  try {
    const gitdir = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    const main = gitdir ? /^(.*)[/\\]\.git[/\\]worktrees[/\\][^/\\]+$/.exec(gitdir)?.[1] : undefined;
    if (main) dirs.push(join(main, '..', 'shared', 'junos-yang'));
  } catch {
    // .git is a directory (not a worktree) or absent: the first candidate is all there is.
  }
  return dirs;
}

/** Where the YANG is, or undefined. */
export function junosYangDir(): string | undefined {
  return candidateDirs().find((d) => existsSync(join(d, 'junos-rpc')));
}

/**
 * True means skip: a loud warning on a developer machine, an error under CI=true (where the
 * YANG must be present, so CI cannot pass by skipping).
 */
export function skipWithoutJunosYang(env: NodeJS.ProcessEnv = process.env): boolean {
  if (junosYangDir()) return false;
  const message = `Juniper's YANG not found in ${candidateDirs().join(' or ')}`;
  if (env['CI'] === 'true' || env['CI'] === '1') throw new Error(`${message}; CI must provide ../shared/junos-yang`);
  console.warn(`\n!!! SKIPPING the tests against Juniper's YANG: ${message} !!!\n`);
  return true;
}

export interface YangNode {
  kind: 'leaf' | 'leaf-list' | 'list' | 'container';
  name: string;
  /** Base type name of a leaf (string, uint32, …). */
  type: string | undefined;
  children: YangNode[];
}

const STATEMENT = /^\s*(grouping|container|list|leaf-list|leaf)\s+"?([\w.-]+)"?\s*\{/;

/**
 * The data nodes of one grouping of a YANG module, as Juniper formats them (one statement per
 * line). Enough for the RPC output groupings; not a YANG parser.
 */
export function readYangGrouping(file: string, grouping: string): YangNode[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\s*grouping\\s+${grouping}\\s*\\{`).test(l));
  if (start < 0) throw new Error(`grouping ${grouping} not found in ${file}`);
  const root: YangNode = { kind: 'container', name: grouping, type: undefined, children: [] };
  const stack: Array<{ node: YangNode; depth: number }> = [{ node: root, depth: 0 }];
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!.replace(/"(?:[^"\\]|\\.)*"/g, '""'); // braces in descriptions do not count
    const m = i === start ? null : STATEMENT.exec(line);
    if (m) {
      const node: YangNode = { kind: m[1] as YangNode['kind'], name: m[2]!, type: undefined, children: [] };
      stack.at(-1)!.node.children.push(node);
      stack.push({ node, depth: depth + 1 });
    }
    const type = /^\s*type\s+([\w:-]+)/.exec(line)?.[1];
    if (type && stack.length > 1) stack.at(-1)!.node.type ??= type;
    for (const c of line) {
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth < stack.at(-1)!.depth) stack.pop();
      }
    }
    if (depth === 0) break;
  }
  return root.children;
}
