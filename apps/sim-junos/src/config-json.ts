// Junos JSON configuration (`format="json"`) to and from the generic tree: containers are objects,
// list entries arrays of objects with "name", leaf-lists arrays of strings, flags `[null]`, and
// attributes under "@" (`{"@": {"inactive": true}}`, `{"@": {"operation": "delete"}}`).
import { ROOT_SCHEMA, childSchema, type Schema } from './schema.js';
import { ConfigSyntaxError, emptyTree, kindOf, type ConfigNode } from './config-tree.js';
import { isSecretTag, obfuscateSecret, revealSecret } from './secret.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function attrsOf(node: ConfigNode, attrs: Json | undefined, path: string[]): void {
  if (attrs === undefined) return;
  if (!isObject(attrs)) throw new ConfigSyntaxError('"@" must be an object', path, node.tag);
  if (attrs['inactive'] === true) node.inactive = true;
  if (attrs['active'] === true) node.inactive = false;
  const op = attrs['operation'];
  if (op === 'delete' || op === 'remove') node.op = 'delete';
  else if (op === 'replace') node.op = 'replace';
  else if (op !== undefined && op !== 'merge' && op !== 'create') throw new ConfigSyntaxError(`unknown operation '${String(op)}'`, path, node.tag);
}

function fromObject(obj: Record<string, Json>, schema: Schema | undefined, path: string[]): ConfigNode[] {
  const out: ConfigNode[] = [];
  for (const [tag, value] of Object.entries(obj)) {
    if (tag === '@' || tag === 'name') continue;
    if (tag.startsWith('@')) continue; // leaf attributes are read with their leaf below
    const s = childSchema(schema, tag);
    if (!s && schema?.strict) throw new ConfigSyntaxError('syntax error', path, tag);
    const leafAttrs = obj[`@${tag}`];
    const leaf = (v: Json) => {
      if (isObject(v) || Array.isArray(v)) throw new ConfigSyntaxError(`'${tag}' takes a value`, path, tag);
      const n: ConfigNode = { tag, children: [] };
      if (v !== null) n.value = isSecretTag(tag) ? revealSecret(String(v)) : String(v);
      attrsOf(n, leafAttrs, path);
      return n;
    };
    if (Array.isArray(value)) {
      if (value.length === 1 && value[0] === null) {
        const n: ConfigNode = { tag, children: [] };
        attrsOf(n, leafAttrs, path);
        out.push(n);
      } else
        for (const item of value) {
          if (isObject(item)) {
            const name = item['name'];
            if (name === undefined || isObject(name) || Array.isArray(name) || name === null) throw new ConfigSyntaxError(`missing name for '${tag}'`, path, tag);
            const n: ConfigNode = { tag, name: String(name), children: [] };
            attrsOf(n, item['@'], path);
            n.children = fromObject(item, s, [...path, tag, String(name)]);
            out.push(n);
          } else out.push(leaf(item));
        }
    } else if (isObject(value)) {
      const n: ConfigNode = { tag, children: [] };
      attrsOf(n, value['@'], path);
      if (s?.kind === 'list' || value['name'] !== undefined) {
        if (value['name'] === undefined || isObject(value['name']) || Array.isArray(value['name'])) throw new ConfigSyntaxError(`missing name for '${tag}'`, path, tag);
        n.name = String(value['name']);
      }
      n.children = fromObject(value, s, [...path, tag, ...(n.name !== undefined ? [n.name] : [])]);
      out.push(n);
    } else out.push(leaf(value));
  }
  return out;
}

/** Parses `{"configuration": {…}}` (or the inner object) into a tree that may carry operations. */
export function jsonToTree(text: string): ConfigNode {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (e) {
    // V8's message quotes the text around the fault, which may be a CAK: keep only the position.
    const at = /at position (\d+)/.exec((e as Error).message)?.[1];
    throw new ConfigSyntaxError(at === undefined ? 'invalid JSON' : `invalid JSON at position ${at}`, []);
  }
  if (!isObject(doc)) throw new ConfigSyntaxError('JSON configuration must be an object', []);
  const inner = isObject(doc['configuration']) ? doc['configuration'] : doc;
  const root = emptyTree();
  root.children = fromObject(inner, ROOT_SCHEMA, []);
  return root;
}

/** Tree → Junos JSON; secrets appear only as `$9$…`. */
export function treeToJson(tree: ConfigNode): string {
  const toObject = (node: ConfigNode, schema: Schema | undefined): Record<string, Json> => {
    const obj: Record<string, Json> = {};
    if (node.name !== undefined) obj['name'] = node.name;
    if (node.inactive) obj['@'] = { inactive: true };
    for (const c of node.children) {
      const s = childSchema(schema, c.tag);
      const kind = kindOf(c, s);
      const existing = obj[c.tag];
      if (kind === 'list') {
        const entry = toObject(c, s);
        obj[c.tag] = Array.isArray(existing) ? [...existing, entry] : [entry];
      } else if (kind === 'container') obj[c.tag] = toObject(c, s);
      else if (kind === 'flag') obj[c.tag] = [null];
      else {
        const v = isSecretTag(c.tag) ? obfuscateSecret(c.value ?? '') : (c.value ?? '');
        const many = kind === 'leaf-list' || (existing !== undefined && !s);
        obj[c.tag] = many ? [...(Array.isArray(existing) ? existing : existing !== undefined ? [existing] : []), v] : v;
      }
      if (c.inactive && kind !== 'list' && kind !== 'container') obj[`@${c.tag}`] = { inactive: true };
    }
    return obj;
  };
  return JSON.stringify({ configuration: toObject(tree, ROOT_SCHEMA) }, null, 4);
}
