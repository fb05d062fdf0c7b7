// Junos configuration as text: curly-brace form (`show configuration`), set form
// (`show configuration | display set`, `load set`) and the `show | compare` diff.
import { ROOT_SCHEMA, childSchema, type Schema } from './schema.js';
import { ConfigSyntaxError, applyActivation, applyDeleteWords, applySetWords, isKeyword, kindOf, emptyTree, type ConfigNode } from './config-tree.js';
import { isSecretTag, obfuscateSecret, redactWords, revealSecret } from './secret.js';

interface Token {
  kind: 'word' | '{' | '}' | ';' | '[' | ']';
  value: string;
  line: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
    } else if (/\s/.test(ch)) i++;
    else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new ConfigSyntaxError('unterminated comment', [], undefined, line);
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if ('{};[]'.includes(ch)) {
      out.push({ kind: ch as Token['kind'], value: ch, line });
      i++;
    } else if (ch === '"') {
      let v = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        if (text[i] === '\n') line++;
        v += text[i];
        i++;
      }
      if (i >= text.length) throw new ConfigSyntaxError('unterminated quoted string', [], undefined, line);
      i++;
      out.push({ kind: 'word', value: v, line });
    } else {
      let v = '';
      while (i < text.length && !/[\s{};"\[\]]/.test(text[i]!)) v += text[i++];
      out.push({ kind: 'word', value: v, line });
    }
  }
  return out;
}

interface Statement {
  words: string[];
  block?: Statement[];
  op?: 'replace' | 'delete';
  inactive?: boolean;
  line: number;
}

function parseStatements(tokens: Token[], pos: { i: number }, nested: boolean): Statement[] {
  const out: Statement[] = [];
  while (pos.i < tokens.length) {
    const t = tokens[pos.i]!;
    if (t.kind === '}') {
      if (!nested) throw new ConfigSyntaxError("unexpected '}'", [], '}', t.line);
      pos.i++;
      return out;
    }
    const st: Statement = { words: [], line: t.line };
    let brackets = false;
    for (;;) {
      const tok = tokens[pos.i];
      if (!tok) throw new ConfigSyntaxError("missing ';' or '{'", [], redactWords(st.words).join(' '), t.line);
      pos.i++;
      if (tok.kind === 'word') st.words.push(tok.value);
      else if (tok.kind === '[' || tok.kind === ']') {
        if ((tok.kind === '[') === brackets) throw new ConfigSyntaxError('syntax error', [], tok.value, tok.line);
        brackets = tok.kind === '[';
        st.words.push(tok.value);
      } else if (tok.kind === ';') break;
      else if (tok.kind === '{') {
        st.block = parseStatements(tokens, pos, true);
        break;
      } else throw new ConfigSyntaxError("unexpected '}'", [], '}', tok.line);
    }
    for (let first = st.words[0]; first === 'replace:' || first === 'delete:' || first === 'inactive:' || first === 'protect:'; first = st.words[0]) {
      st.words.shift();
      if (first === 'replace:' || first === 'delete:') st.op = first === 'replace:' ? 'replace' : 'delete';
      if (first === 'inactive:') st.inactive = true;
    }
    if (st.words.length === 0) throw new ConfigSyntaxError('missing statement', [], undefined, st.line);
    out.push(st);
  }
  if (nested) throw new ConfigSyntaxError("missing '}'", [], undefined, tokens.at(-1)?.line);
  return out;
}

function toNodes(stmts: Statement[], parent: ConfigNode, schema: Schema | undefined, inMacro: boolean, path: string[]): void {
  for (const st of stmts) {
    const [kw, ...rest] = st.words as [string, ...string[]];
    const mark = (n: ConfigNode) => {
      if (st.op) n.op = st.op;
      if (st.inactive) n.inactive = true;
      return n;
    };
    if (inMacro) {
      const data = mark({ tag: 'data', name: kw, children: [] });
      if (rest.length) data.children.push({ tag: 'value', value: rest.join(' '), children: [] });
      parent.children.push(data);
      continue;
    }
    if (schema?.implicit) {
      const entry = mark({ tag: schema.implicit, name: kw, children: [] });
      const s = childSchema(schema, schema.implicit);
      if (rest.length) applySetWords(rest, { node: entry, schema: s, path: [...path, kw] });
      if (st.block) toNodes(st.block, entry, s, false, [...path, kw]);
      parent.children.push(entry);
      continue;
    }
    const s = childSchema(schema, kw);
    if (!s && (!isKeyword(kw) || schema?.strict)) throw new ConfigSyntaxError('syntax error', path, kw, st.line);
    const kind =
      s?.kind ??
      (st.block ? (rest.length ? 'list' : 'container') : rest.length === 0 ? 'flag' : rest[0] === '[' ? 'leaf-list' : 'leaf');
    switch (kind) {
      case 'container': {
        const node = mark({ tag: kw, children: [] });
        if (rest.length && st.block) toNodes([{ words: rest, line: st.line, block: st.block }], node, s, false, [...path, kw]);
        else if (rest.length) applySetWords(rest, { node, schema: s, path: [...path, kw] }); // `file app.log size 10m;`
        else if (st.block) toNodes(st.block, node, s, false, [...path, kw]);
        parent.children.push(node);
        break;
      }
      case 'list': {
        if (rest.length === 0) {
          if (!st.block) throw new ConfigSyntaxError(`missing name for '${kw}'`, path, kw, st.line);
          // grouped form: `interfaces { ge-0/0/1 { … } ge-0/0/2; }`
          for (const entrySt of st.block) {
            const [name, ...inline] = entrySt.words as [string, ...string[]];
            const entry: ConfigNode = { tag: kw, name, children: [] };
            if (entrySt.op) entry.op = entrySt.op;
            if (entrySt.inactive) entry.inactive = true;
            fillEntry(entry, s, inline, entrySt.block, [...path, kw, name]);
            parent.children.push(entry);
          }
          if (st.op) throw new ConfigSyntaxError(`'${st.op}:' must mark an entry of '${kw}'`, path, kw, st.line);
          break;
        }
        const [name, ...inline] = rest as [string, ...string[]];
        const entry = mark({ tag: kw, name, children: [] });
        fillEntry(entry, s, inline, st.block, [...path, kw, name]);
        parent.children.push(entry);
        break;
      }
      case 'leaf': {
        if (rest.length === 0 && st.op !== 'delete') throw new ConfigSyntaxError(`missing value for '${kw}'`, path, kw, st.line);
        const node = mark({ tag: kw, children: [] });
        if (rest.length) node.value = isSecretTag(kw) ? revealSecret(rest.join(' ')) : rest.join(' ');
        parent.children.push(node);
        break;
      }
      case 'leaf-list': {
        const values = rest.filter((w) => w !== '[' && w !== ']');
        if (values.length === 0 && st.op !== 'delete') throw new ConfigSyntaxError(`missing value for '${kw}'`, path, kw, st.line);
        if (values.length === 0) parent.children.push(mark({ tag: kw, children: [] }));
        for (const v of values) parent.children.push(mark({ tag: kw, value: v, children: [] }));
        break;
      }
      case 'flag':
        if (rest.length) throw new ConfigSyntaxError(`'${kw}' takes no value`, path, rest[0], st.line);
        parent.children.push(mark({ tag: kw, children: [] }));
        break;
    }
  }
}

function fillEntry(entry: ConfigNode, s: Schema | undefined, inline: string[], block: Statement[] | undefined, path: string[]): void {
  const macro = s?.macro === true;
  if (inline.length) applySetWords(inline, { node: entry, schema: s, inMacro: macro, path });
  if (block) toNodes(block, entry, s, macro, path);
}

/** Parses curly-brace configuration text (as `show configuration` prints it) into a tree whose
 *  nodes may carry `replace:`/`delete:` marks. */
export function parseConfigText(text: string): ConfigNode {
  const tokens = tokenize(text);
  const stmts = parseStatements(tokens, { i: 0 }, false);
  const root = emptyTree();
  toNodes(stmts, root, ROOT_SCHEMA, false, []);
  return root;
}

/** Applies `set`/`delete` lines to `tree` in place; returns Junos-style warnings. */
export function applySetCommands(tree: ConfigNode, text: string): string[] {
  const warnings: string[] = [];
  text.split('\n').forEach((raw, idx) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    let tokens;
    try {
      tokens = tokenize(line);
    } catch (e) {
      throw e instanceof ConfigSyntaxError ? new ConfigSyntaxError(e.message.replace(/ on line \d+$/, ''), [], e.badElement, idx + 1) : e;
    }
    const bad = tokens.find((t) => t.kind === '{' || t.kind === '}' || t.kind === ';');
    if (bad) throw new ConfigSyntaxError('syntax error', [], bad.value, idx + 1);
    const [verb, ...words] = tokens.map((t) => t.value);
    try {
      let w: string | undefined;
      if (verb === 'set') applySetWords(words, { node: tree });
      else if (verb === 'delete') w = applyDeleteWords(tree, words);
      else if (verb === 'deactivate' || verb === 'activate') w = applyActivation(tree, words, verb === 'deactivate');
      else throw new ConfigSyntaxError(`unknown command '${verb}'`, [], verb);
      if (w) warnings.push(w);
    } catch (e) {
      if (e instanceof ConfigSyntaxError) throw new ConfigSyntaxError(e.message.replace(/ at \[edit.*$| \(.*\)$/g, ''), e.editPath, e.badElement, idx + 1);
      throw e;
    }
  });
  return warnings;
}

function quote(word: string): string {
  return word === '' || /[\s{};"#\[\]]/.test(word) ? `"${word.replace(/["\\]/g, '\\$&')}"` : word;
}

function leafLine(tag: string, value: string | undefined): string {
  if (value === undefined) return `${tag};`;
  if (isSecretTag(tag)) return `${tag} "${obfuscateSecret(value)}"; ## SECRET-DATA`;
  return `${tag} ${quote(value)};`;
}

/** Renders a tree the way `show configuration` does; secrets appear only as `$9$…`. */
export function renderConfigText(tree: ConfigNode): string {
  const lines: string[] = [];
  renderChildren(tree, ROOT_SCHEMA, false, '', lines);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

function renderChildren(node: ConfigNode, schema: Schema | undefined, inMacro: boolean, ind: string, out: string[]): void {
  const done = new Set<string>();
  const block = (rawHead: string, n: ConfigNode, s: Schema | undefined, macro: boolean, indent: string) => {
    const head = n.inactive ? `inactive: ${rawHead}` : rawHead;
    if (n.children.length === 0) {
      out.push(`${indent}${head};`);
      return;
    }
    out.push(`${indent}${head} {`);
    renderChildren(n, s, macro, indent + '    ', out);
    out.push(`${indent}}`);
  };
  for (const c of node.children) {
    const ia = c.inactive ? 'inactive: ' : '';
    if (inMacro) {
      const v = c.children.find((d) => d.tag === 'value')?.value;
      out.push(`${ind}${ia}${quote(c.name ?? c.tag)}${v !== undefined ? ` ${quote(v)}` : ''};`);
      continue;
    }
    if (schema?.implicit && c.tag === schema.implicit) {
      block(quote(c.name ?? ''), c, childSchema(schema, c.tag), false, ind);
      continue;
    }
    const s = childSchema(schema, c.tag);
    const kind = kindOf(c, s);
    if (kind === 'list' && s?.grouped) {
      if (done.has(c.tag)) continue;
      done.add(c.tag);
      out.push(`${ind}${c.tag} {`);
      for (const e of node.children.filter((x) => x.tag === c.tag)) block(quote(e.name ?? ''), e, s, false, ind + '    ');
      out.push(`${ind}}`);
    } else if (kind === 'list') block(`${c.tag} ${quote(c.name ?? '')}`, c, s, s?.macro === true, ind);
    else if (kind === 'container') block(c.tag, c, s, false, ind);
    else if (kind === 'flag') out.push(`${ind}${ia}${c.tag};`);
    else {
      const same = node.children.filter((x) => x.tag === c.tag && x.value !== undefined && !x.inactive);
      if (!c.inactive && same.length > 1 && (kind === 'leaf-list' || !s)) {
        if (done.has(c.tag)) continue;
        done.add(c.tag);
        out.push(`${ind}${c.tag} [ ${same.map((x) => quote(x.value!)).join(' ')} ];`);
      } else out.push(`${ind}${ia}${leafLine(c.tag, c.value)}`);
    }
  }
}

interface FlatStatement {
  /** Hierarchy words above the statement (`security macsec connectivity-association CA`). */
  path: string[];
  tag: string;
  /** Words after the tag, values in clear (never print these for secret tags). */
  words: string[];
  /** The statement or one above it is inactive. */
  inactive: boolean;
}

/** Paths (as `deactivate` words) of every node marked inactive. */
function inactivePaths(tree: ConfigNode): string[][] {
  const out: string[][] = [];
  const walk = (node: ConfigNode, schema: Schema | undefined, inMacro: boolean, path: string[]) => {
    for (const c of node.children) {
      const s = childSchema(schema, c.tag);
      const kind = inMacro ? 'list' : kindOf(c, s);
      // implicit-list entries and apply-macro data are addressed by their name alone
      const byName = inMacro || (schema?.implicit !== undefined && c.tag === schema.implicit);
      const here = byName
        ? [...path, c.name ?? '']
        : kind === 'list'
          ? [...path, c.tag, c.name ?? '']
          : kind === 'leaf-list'
            ? [...path, c.tag, c.value ?? '']
            : [...path, c.tag];
      if (c.inactive) out.push(here);
      if (kind === 'list' || kind === 'container') walk(c, s, !inMacro && s?.macro === true, here);
    }
  };
  walk(tree, ROOT_SCHEMA, false, []);
  return out;
}

/** One entry per leaf, flag or empty container/entry: the `display set` view of a tree. */
function flattenTree(tree: ConfigNode): FlatStatement[] {
  const out: FlatStatement[] = [];
  const walk = (node: ConfigNode, schema: Schema | undefined, inMacro: boolean, path: string[], off: boolean) => {
    for (const c of node.children) {
      const inactive = off || c.inactive === true;
      if (inMacro) {
        const v = c.children.find((d) => d.tag === 'value')?.value;
        out.push({ path, tag: c.name ?? c.tag, words: v !== undefined ? [v] : [], inactive });
        continue;
      }
      if (schema?.implicit && c.tag === schema.implicit) {
        if (c.children.length === 0) out.push({ path, tag: c.name ?? '', words: [], inactive });
        else walk(c, childSchema(schema, c.tag), false, [...path, c.name ?? ''], inactive);
        continue;
      }
      const s = childSchema(schema, c.tag);
      const kind = kindOf(c, s);
      if (kind === 'list') {
        if (c.children.length === 0) out.push({ path, tag: c.tag, words: [c.name ?? ''], inactive });
        else walk(c, s, s?.macro === true, [...path, c.tag, c.name ?? ''], inactive);
      } else if (kind === 'container') {
        if (c.children.length === 0) out.push({ path, tag: c.tag, words: [], inactive });
        else walk(c, s, false, [...path, c.tag], inactive);
      } else out.push({ path, tag: c.tag, words: c.value !== undefined ? [c.value] : [], inactive });
    }
  };
  walk(tree, ROOT_SCHEMA, false, [], false);
  return out;
}

function statementText(f: FlatStatement): string {
  if (isSecretTag(f.tag) && f.words.length) return `${f.tag} "${obfuscateSecret(f.words.join(' '))}"`;
  return [f.tag, ...f.words].map(quote).join(' ');
}

export function renderConfigSet(tree: ConfigNode): string {
  const sets = flattenTree(tree).map((f) => `set ${[...f.path.map(quote), statementText(f)].join(' ')}\n`);
  const deactivations = inactivePaths(tree).map((p) => `deactivate ${p.map(quote).join(' ')}\n`);
  return [...sets, ...deactivations].join('');
}

/** `show | compare`: statements removed from `from` and added in `to`, grouped under `[edit …]`. */
export function renderCompare(from: ConfigNode, to: ConfigNode): string {
  const key = (f: FlatStatement) => JSON.stringify([f.path, f.tag, f.words, f.inactive]);
  const a = flattenTree(from);
  const b = flattenTree(to);
  const inA = new Set(a.map(key));
  const inB = new Set(b.map(key));
  const groups = new Map<string, string[]>();
  const add = (f: FlatStatement, sign: string) => {
    const head = f.path.length ? `[edit ${f.path.map(quote).join(' ')}]` : '[edit]';
    const line = `${sign}    ${f.inactive ? 'inactive: ' : ''}${statementText(f)};${isSecretTag(f.tag) ? ' ## SECRET-DATA' : ''}`;
    groups.set(head, [...(groups.get(head) ?? []), line]);
  };
  for (const f of a) if (!inB.has(key(f))) add(f, '-');
  for (const f of b) if (!inA.has(key(f))) add(f, '+');
  return [...groups].map(([head, lines]) => `${head}\n${lines.join('\n')}\n`).join('');
}
