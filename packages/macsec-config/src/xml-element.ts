// Accessors over a parsed element (xml/parse.ts's parseXmlOrdered shape) for the configuration
// readers, that allocate nothing on the good path: a device is read every cycle, and its reply is
// a few dozen elements, so a list or a path string per lookup was most of the cost. Error paths
// are built only when something is wrong.
import { ConfigParseError } from './errors.js';
import type { XmlElement } from './xml/index.js';

/** The single child `tag` of `el`, or undefined; refuses a repeated one (`path`: el's path). */
export function one(el: XmlElement, tag: string, path: string): XmlElement | undefined {
  const children = el.children;
  let found: XmlElement | undefined;
  let count = 0;
  for (let i = 0; i < children.length; i++) {
    if (children[i]!.name !== tag) continue;
    count++;
    found ??= children[i];
  }
  if (count > 1) throw new ConfigParseError(`<${tag}> appears ${count} times, expected once`, { path });
  return found;
}

/** Text of the single child `tag`, or undefined when absent; its own copy (ownText). */
export function childText(el: XmlElement, tag: string, path: string): string | undefined {
  const t = one(el, tag, path)?.text;
  return t === undefined ? undefined : ownText(t);
}

/**
 * `t` holding only its own characters. A parser's text of 13 characters or more is a V8 sliced
 * string, a view that keeps the whole reply it was cut from alive: a fleet's models (key names,
 * secrets, start-times) kept every device's configuration reply through a cycle's first second.
 * Concatenating flattens into a fresh string of t's length + 1, which the slice then keeps.
 */
function ownText(t: string): string {
  return t.length < 13 ? t : (t + ' ').slice(0, -1);
}

export function requiredText(el: XmlElement, tag: string, path: string): string {
  const t = childText(el, tag, path);
  if (t === undefined || t === '') throw new ConfigParseError(`missing <${tag}>`, { path });
  return t;
}

const UINT = /^\d{1,10}$/;

export function childInt(el: XmlElement, tag: string, path: string): number | undefined {
  const t = childText(el, tag, path);
  if (t === undefined) return undefined;
  if (!UINT.test(t)) throw new ConfigParseError(`"${t}" is not a non-negative integer`, { path: `${path}/${tag}` });
  return Number(t);
}

/** Whether `el` has a child `tag` (a flag such as `<include-sci/>`). */
export function has(el: XmlElement, tag: string): boolean {
  const children = el.children;
  for (let i = 0; i < children.length; i++) if (children[i]!.name === tag) return true;
  return false;
}

/** The texts of every child `tag` (a leaf-list), in document order. */
export function texts(el: XmlElement, tag: string): string[] {
  const out: string[] = [];
  const children = el.children;
  for (let i = 0; i < children.length; i++) if (children[i]!.name === tag) out.push(ownText(children[i]!.text));
  return out;
}

// Attributes are own data of a parsed element: Object.hasOwn keeps Object.prototype out of it.
const attr = (el: XmlElement, name: string) => (Object.hasOwn(el.attributes, name) ? el.attributes[name] : undefined);
export const isDeleted = (el: XmlElement) => attr(el, 'delete') === 'delete' || attr(el, 'operation') === 'delete';
export const isInactive = (el: XmlElement) => attr(el, 'inactive') === 'inactive';
export const isReplaced = (el: XmlElement) => attr(el, 'replace') === 'replace';
