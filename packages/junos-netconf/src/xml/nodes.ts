/** Helpers for walking objects produced by parseXml, where any element may be a string, object or array. */

export type XmlObject = Record<string, unknown>;

export function isObject(v: unknown): v is XmlObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Repeated elements become arrays, single ones are not: normalise to an array. */
export function asArray(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Text of a leaf element (plain string, or `#text` when it has attributes); undefined when absent or empty. */
export function textOf(v: unknown): string | undefined {
  if (Array.isArray(v)) return textOf(v[0]);
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (isObject(v)) return textOf(v['#text']);
  return undefined;
}

/** First child element `name` of an element, as an object (an empty element yields {}). */
export function childObject(parent: unknown, name: string): XmlObject | undefined {
  if (!isObject(parent)) return undefined;
  const c = Array.isArray(parent[name]) ? (parent[name] as unknown[])[0] : parent[name];
  if (c === undefined) return undefined;
  return isObject(c) ? c : {};
}

/** Names of the child elements (no attributes, no text). */
export function childNames(parent: unknown): string[] {
  return isObject(parent) ? Object.keys(parent).filter((k) => !k.startsWith('@_') && k !== '#text') : [];
}

/** Visit every element named `name` anywhere below `root` (depth-first, bounded by the parser's depth limit). */
export function findAll(root: unknown, name: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(root)) {
    for (const item of root) findAll(item, name, out);
  } else if (isObject(root)) {
    for (const [k, v] of Object.entries(root)) {
      if (k.startsWith('@_') || k === '#text') continue;
      if (k === name) out.push(...asArray(v));
      else findAll(v, name, out);
    }
  }
  return out;
}
