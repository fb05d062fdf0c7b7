// The generic configuration tree every device keeps, shaped like Junos XML: a node is a statement
// keyword (the XML element), optionally a list-entry name (`<name>`), a leaf value, and children in
// order. Set/delete commands, curly-brace text and XML all convert to and from this one tree.
import { ROOT_SCHEMA, childSchema, type Schema, type StatementKind } from './schema.js';
import { isSecretTag, redactWords, revealSecret } from './secret.js';

export interface ConfigNode {
  tag: string;
  /** Identifier of a list entry (`connectivity-association CA` → name "CA"). */
  name?: string;
  /** Value of a leaf (`ckn 00ab` → "00ab"); secrets are held in clear, only ever rendered obfuscated. */
  value?: string;
  children: ConfigNode[];
  /** Only on incoming (loaded) trees: what to do with the matching statement. */
  op?: 'replace' | 'delete';
  /** `inactive:` — kept in the configuration, ignored by the device. */
  inactive?: boolean;
}

/** A statement Junos would refuse, with the `[edit …]` path and the offending element. */
export class ConfigSyntaxError extends Error {
  override name = 'ConfigSyntaxError';
  constructor(
    message: string,
    readonly editPath: string[],
    readonly badElement?: string,
    readonly line?: number,
  ) {
    super(`${message}${editPath.length ? ` at [edit ${editPath.join(' ')}]` : ''}${badElement ? ` (${badElement})` : ''}${line ? ` on line ${line}` : ''}`);
  }
}

export function emptyTree(): ConfigNode {
  return { tag: 'configuration', children: [] };
}

export function cloneNode(n: ConfigNode): ConfigNode {
  const c: ConfigNode = { tag: n.tag, children: n.children.map(cloneNode) };
  if (n.name !== undefined) c.name = n.name;
  if (n.value !== undefined) c.value = n.value;
  if (n.op !== undefined) c.op = n.op;
  if (n.inactive) c.inactive = true;
  return c;
}

export function nodesEqual(a: ConfigNode, b: ConfigNode): boolean {
  if (a === b) return true; // trees are immutable once stored and share untouched subtrees
  return (
    a.tag === b.tag &&
    a.name === b.name &&
    a.value === b.value &&
    !a.inactive === !b.inactive &&
    a.children.length === b.children.length &&
    a.children.every((c, i) => nodesEqual(c, b.children[i]!))
  );
}

/** What a node is, from its schema when known, else from its shape. */
export function kindOf(node: ConfigNode, schema: Schema | undefined): StatementKind {
  if (schema) return schema.kind;
  if (node.name !== undefined) return 'list';
  if (node.value !== undefined) return 'leaf';
  return node.children.length ? 'container' : 'flag';
}

/** A plain loop: every lookup in the configuration comes through here, many per request, and
 *  `children.find` with a closure allocated one per call. */
export function findChild(parent: ConfigNode, tag: string, name?: string): ConfigNode | undefined {
  for (const c of parent.children) if (c.tag === tag && (name === undefined || c.name === name)) return c;
  return undefined;
}

/** Walks a path of `[tag, name?]` steps written as words: list steps take two words. */
export function getPath(root: ConfigNode, ...steps: Array<string | [string, string]>): ConfigNode | undefined {
  let node: ConfigNode | undefined = root;
  for (const step of steps) {
    if (!node) return undefined;
    node = typeof step === 'string' ? findChild(node, step) : findChild(node, step[0], step[1]);
  }
  return node;
}

export function leafValue(node: ConfigNode | undefined, tag: string): string | undefined {
  return node ? findChild(node, tag)?.value : undefined;
}

function findOrCreate(parent: ConfigNode, tag: string, name?: string): ConfigNode {
  let n = findChild(parent, tag, name);
  if (!n) {
    n = { tag, children: [] };
    if (name !== undefined) n.name = name;
    parent.children.push(n);
  }
  return n;
}

function setLeaf(parent: ConfigNode, tag: string, value: string): void {
  const v = isSecretTag(tag) ? revealSecret(value) : value;
  const existing = findChild(parent, tag);
  if (existing) existing.value = v;
  else parent.children.push({ tag, value: v, children: [] });
}

function addLeafListValue(parent: ConfigNode, tag: string, value: string): void {
  if (!parent.children.some((c) => c.tag === tag && c.value === value)) parent.children.push({ tag, value, children: [] });
}

/** Junos keywords are plain words; anything else in keyword position is a value or a typo. */
export const isKeyword = (w: string) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(w);

/** Shape of an unknown statement: from what the tree already holds, else from the words after it
 *  (`interface ge-0/0/0 disable`: a word that cannot be a keyword names a list entry). */
function guessKind(parent: ConfigNode, tag: string, rest: string[]): StatementKind {
  const existing = findChild(parent, tag);
  if (existing) {
    const k = kindOf(existing, undefined);
    if (k !== 'flag' || rest.length === 0) return k;
  }
  if (rest.length === 0) return 'flag';
  if (rest.length === 1) return 'leaf';
  return isKeyword(rest[0]!) ? 'container' : 'list';
}

/** Values of a leaf-list: one word, or `[ a b c ]`. Returns the values and the words consumed. */
function takeValues(words: string[], at: number): [string[], number] {
  if (words[at] !== '[') return words[at] === undefined ? [[], 0] : [[words[at]!], 1];
  const end = words.indexOf(']', at);
  if (end < 0) throw new ConfigSyntaxError("missing ']'", [], words[at]);
  return [words.slice(at + 1, end), end - at + 1];
}

interface Cursor {
  node: ConfigNode;
  schema: Schema | undefined;
  inMacro: boolean;
  path: string[];
  positionalDone?: boolean;
}

/** Applies the words of one `set` command (without `set`) below `start`. Also used for the
 *  inline leaves of text statements (`generate-event { every-hour time-interval 3600; }`). */
export function applySetWords(words: string[], start?: Partial<Cursor>): void {
  const cur: Cursor = { node: start?.node ?? emptyTree(), schema: start?.schema ?? ROOT_SCHEMA, inMacro: start?.inMacro ?? false, path: start?.path ?? [] };
  if (words.length === 0) throw new ConfigSyntaxError('missing statement', cur.path);
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (w === '[' || w === ']') throw new ConfigSyntaxError('syntax error', cur.path, w);
    if (cur.inMacro) {
      const data = findOrCreate(cur.node, 'data', w);
      const value = words[i + 1];
      if (value !== undefined) setLeaf(data, 'value', value);
      i += value === undefined ? 1 : 2;
      continue;
    }
    if (cur.schema?.positional && !childSchema(cur.schema, w) && !cur.positionalDone) {
      setLeaf(cur.node, cur.schema.positional, w);
      cur.positionalDone = true; // one unnamed value: `file a.log size 1m`, not `file a.log b.log`
      i++;
      continue;
    }
    if (cur.schema?.implicit) {
      const entrySchema = childSchema(cur.schema, cur.schema.implicit);
      cur.node = findOrCreate(cur.node, cur.schema.implicit, w);
      cur.schema = entrySchema;
      cur.path = [...cur.path, w];
      i++;
      continue;
    }
    const s = childSchema(cur.schema, w);
    if (!s && (!isKeyword(w) || cur.schema?.strict)) throw new ConfigSyntaxError('syntax error', cur.path, w);
    const kind = s?.kind ?? guessKind(cur.node, w, words.slice(i + 1));
    switch (kind) {
      case 'container':
        cur.node = findOrCreate(cur.node, w);
        cur.schema = s;
        cur.positionalDone = false;
        cur.path = [...cur.path, w];
        i++;
        break;
      case 'list': {
        const name = words[i + 1];
        if (name === undefined || name === '[') throw new ConfigSyntaxError(`missing name for '${w}'`, cur.path, w);
        cur.node = findOrCreate(cur.node, w, name);
        cur.inMacro = s?.macro === true;
        cur.schema = s;
        cur.positionalDone = false;
        cur.path = [...cur.path, w, name];
        i += 2;
        break;
      }
      case 'leaf': {
        const value = words[i + 1];
        if (value === undefined) throw new ConfigSyntaxError(`missing value for '${w}'`, cur.path, w);
        setLeaf(cur.node, w, value);
        i += 2;
        break;
      }
      case 'leaf-list': {
        const [values, used] = takeValues(words, i + 1);
        if (values.length === 0) throw new ConfigSyntaxError(`missing value for '${w}'`, cur.path, w);
        for (const v of values) addLeafListValue(cur.node, w, v);
        i += 1 + used;
        break;
      }
      case 'flag':
        findOrCreate(cur.node, w);
        i++;
        break;
    }
  }
}

/** Where a delete/activate/deactivate path points: the parent and which of its children. */
interface Target {
  parent: ConfigNode;
  matches(c: ConfigNode): boolean;
}

/** Resolves the words of a `delete`/`activate`/`deactivate` command; a string is why nothing matched. */
function resolveTarget(root: ConfigNode, words: string[]): Target | string {
  let node = root;
  let schema: Schema | undefined = ROOT_SCHEMA;
  let inMacro = false;
  // A value after a secret keyword (`delete … cak VALUE`) must not travel into the warning.
  const notFound = () => `statement not found: ${redactWords(words).join(' ')}`;
  const found = (parent: ConfigNode, matches: (c: ConfigNode) => boolean): Target | string =>
    parent.children.some(matches) ? { parent, matches } : notFound();
  for (let i = 0; i < words.length; ) {
    const w = words[i]!;
    const last = i === words.length - 1;
    if (inMacro) return found(node, (c) => c.tag === 'data' && c.name === w);
    if (schema?.implicit) {
      const tag = schema.implicit;
      if (last) return found(node, (c) => c.tag === tag && c.name === w);
      const next = findChild(node, tag, w);
      if (!next) return notFound();
      node = next;
      schema = childSchema(schema, tag);
      i++;
      continue;
    }
    const s = childSchema(schema, w);
    const existing = findChild(node, w);
    const kind = s?.kind ?? (existing ? kindOf(existing, undefined) : 'container');
    if (kind === 'leaf' || kind === 'flag') return found(node, (c) => c.tag === w);
    if (kind === 'leaf-list') {
      const [values] = takeValues(words, i + 1);
      return found(node, (c) => c.tag === w && (values.length === 0 || values.includes(c.value ?? '')));
    }
    if (kind === 'container') {
      if (last) return found(node, (c) => c.tag === w);
      if (!existing) return notFound();
      node = existing;
      schema = s;
      i++;
      continue;
    }
    const name = words[i + 1];
    if (name === undefined) return found(node, (c) => c.tag === w);
    if (i + 1 === words.length - 1) return found(node, (c) => c.tag === w && c.name === name);
    const entry = findChild(node, w, name);
    if (!entry) return notFound();
    node = entry;
    inMacro = s?.macro === true;
    schema = s;
    i += 2;
  }
  return { parent: root, matches: () => true };
}

/** Applies the words of one `delete` command. Returns a warning when the statement is absent,
 *  as Junos does ("statement not found"). */
export function applyDeleteWords(root: ConfigNode, words: string[]): string | undefined {
  const t = resolveTarget(root, words);
  if (typeof t === 'string') return t;
  t.parent.children = t.parent.children.filter((c) => !t.matches(c));
  return undefined;
}

/** `deactivate` (inactive = true) or `activate` (false): inactive statements stay in the
 *  configuration but the device ignores them. */
export function applyActivation(root: ConfigNode, words: string[], inactive: boolean): string | undefined {
  if (words.length === 0) throw new ConfigSyntaxError('missing statement', []);
  const t = resolveTarget(root, words);
  if (typeof t === 'string') return t;
  for (const c of t.parent.children.filter(t.matches)) {
    if (inactive) c.inactive = true;
    else delete c.inactive;
  }
  return undefined;
}

/** The configuration the device acts on: the tree without inactive statements. A subtree with
 *  no inactive statement is returned as it is, not copied: trees are never changed in place once
 *  a store holds them (every edit works on a copy), so sharing is safe and costs nothing. */
export function activeTree(tree: ConfigNode): ConfigNode {
  let children: ConfigNode[] | undefined;
  for (let i = 0; i < tree.children.length; i++) {
    const k = tree.children[i]!;
    const a = k.inactive ? undefined : activeTree(k);
    if (children === undefined && a === k) continue;
    children ??= tree.children.slice(0, i);
    if (a) children.push(a);
  }
  return children === undefined ? tree : { ...tree, children };
}

/** A node's own copy, one level deep: its children are shared until changed. */
function copyForWrite(n: ConfigNode): ConfigNode {
  return { ...n, children: n.children.slice() };
}

/** Merges an incoming tree (from text or XML) into `target`, honouring `replace`/`delete` marks.
 *  Returns warnings for deletions of absent statements. Copy on write: `target` itself is changed
 *  (its children array too), but a descendant is replaced by a copy before it is changed, so
 *  `target` may share its subtrees with stored trees (`{ ...tree, children: tree.children.slice() }`
 *  is enough to merge into) and they stay as they were. */
export function mergeTree(target: ConfigNode, incoming: ConfigNode, schema: Schema | undefined = ROOT_SCHEMA, warnings: string[] = [], path: string[] = []): string[] {
  // `path` is this walk's own stack of hierarchy words, read only for a warning.
  for (const c of incoming.children) {
    const s = childSchema(schema, c.tag);
    const kind = kindOf(c, s);
    const matches = (t: ConfigNode) =>
      t.tag === c.tag &&
      (kind === 'list' ? t.name === c.name : kind === 'leaf-list' ? c.value === undefined || t.value === c.value : true);
    if (c.op === 'delete') {
      const before = target.children.length;
      target.children = target.children.filter((t) => !matches(t));
      if (before === target.children.length) warnings.push(`statement not found: [edit ${[...path, c.tag, c.name ?? ''].join(' ').trim()}]`);
      continue;
    }
    let idx = -1;
    for (let i = 0; i < target.children.length; i++)
      if (matches(target.children[i]!)) {
        idx = i;
        break;
      }
    if (idx < 0) target.children.push(stripOps(c));
    else if (c.op === 'replace' || kind === 'leaf' || kind === 'flag' || kind === 'leaf-list') target.children[idx] = stripOps(c);
    else {
      const existing = copyForWrite(target.children[idx]!);
      target.children[idx] = existing;
      if (c.inactive !== undefined) existing.inactive = c.inactive;
      if (!existing.inactive) delete existing.inactive;
      const depth = path.length;
      path.push(c.tag);
      if (c.name !== undefined) path.push(c.name);
      mergeTree(existing, c, s, warnings, path);
      path.length = depth;
    }
  }
  return warnings;
}

/** A fresh copy of an incoming subtree without its marks (`delete`d children left out), in one pass. */
function stripOps(n: ConfigNode): ConfigNode {
  const c: ConfigNode = { tag: n.tag, children: [] };
  if (n.name !== undefined) c.name = n.name;
  if (n.value !== undefined) c.value = n.value;
  if (n.inactive) c.inactive = true;
  for (const k of n.children) if (k.op !== 'delete') c.children.push(stripOps(k));
  return c;
}

/** Keeps only what a subtree filter (a `<configuration>` with empty or named elements) selects.
 *  Selected subtrees are shared with `tree`, not copied: the result is for reading (rendering). */
export function filterTree(tree: ConfigNode, filter: ConfigNode): ConfigNode {
  const out: ConfigNode = { tag: tree.tag, children: [] };
  if (tree.name !== undefined) out.name = tree.name;
  if (tree.value !== undefined) out.value = tree.value;
  for (const f of filter.children) {
    const selectors = f.children;
    for (const t of tree.children) {
      if (t.tag !== f.tag || (f.name !== undefined && t.name !== f.name)) continue;
      out.children.push(selectors.length === 0 ? t : filterTree(t, f));
    }
  }
  return out;
}
