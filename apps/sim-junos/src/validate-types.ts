// The YANG value types of the modelled hierarchies, checked at load time as Junos does: a value
// off its range or enumeration, a string of the wrong length or against Junos' posix-pattern, a
// statement the device's platform family lacks, a YANG choice with both cases, a list over its
// max-elements. Each rule lives on its schema node (schema-*.ts, which cite the YANG). A secret
// value never appears in a message.
import type { ConfigNode } from './config-tree.js';
import type { PlatformFamily } from './platform.js';
import { ROOT_SCHEMA, childSchema, type Schema } from './schema.js';
import type { ConfigIssue } from './validate.js';

const UINT = /^(0|[1-9]\d*)$/;

/** A secret still in Junos' encrypted `$9$…` form (the simulator's own `$9$` is decrypted while
 *  parsing, so this is one from a real device, e.g. the field script's configurations). Junos
 *  decrypts it and checks the plaintext; the simulator cannot, so it takes it as given. */
export const isEncrypted = (value: string) => value.startsWith('$9$');

/** Characters as YANG counts them (code points), without spreading the string when it holds no surrogate. */
const charCount = (value: string) => (/[\uD800-\uDFFF]/.test(value) ? [...value].length : value.length);

/** Why `value` does not fit the type of `s`, or undefined when it does (no message is built then). */
function typeError(value: string, s: Schema, family: PlatformFamily, showValue = !s.secret): string | undefined {
  // Runs on every value of every load: nothing is allocated unless there is something to say.
  if (s.range) {
    const range = s.familyRange?.[family] ?? s.range;
    const min = range[0];
    const max = range[1];
    if (!UINT.test(value) || Number(value) < min || Number(value) > max) return `${shown(value, showValue)} is not within range (${min}..${max})`;
  }
  if (s.enum && !s.enum.includes(value)) return `${shown(value, showValue)} is not one of: ${s.enum.join(', ')}`;
  if (s.length) {
    const min = s.length[0];
    const max = s.length[1];
    const n = charCount(value);
    if (n < min || n > max) return min === max ? `${shown(value, showValue)} must be ${min} characters long, has ${n}` : `${shown(value, showValue)} must be ${min}..${max} characters long, has ${n}`;
  }
  if (s.pattern && !s.pattern.test(value)) return s.pattern.message;
  return undefined;
}

const shown = (value: string, showValue: boolean) => (showValue ? `'${value}'` : 'value');

/** `path` is the walk's own stack of hierarchy words: an issue takes a copy of it. */
function walk(node: ConfigNode, schema: Schema, family: PlatformFamily, path: string[], out: ConfigIssue[]): void {
  const issue = (badElement: string, message: string) => out.push({ severity: 'error', path: [...path], badElement, message });
  let counts: Map<string, number> | undefined;
  for (const c of node.children) {
    const s = childSchema(schema, c.tag);
    if (!s) continue; // opaque statements (strict parents refuse unknown ones while parsing)
    if (s.maxElements !== undefined) (counts ??= new Map()).set(c.tag, (counts.get(c.tag) ?? 0) + 1);
    if (s.families && !s.families.includes(family)) {
      issue(c.tag, `syntax error: '${c.tag}' is not supported on this platform (${family})`);
      continue;
    }
    if (s.kind === 'list') {
      const name = c.name ?? '';
      const why = typeError(name, s, family);
      if (why) issue(name, why);
      if (s.children) {
        path.push(c.tag, name);
        walk(c, s, family, path, out);
        path.length -= 2;
      }
    } else if (s.kind === 'leaf' || s.kind === 'leaf-list') {
      const why = c.value === undefined || (s.secret && isEncrypted(c.value)) ? undefined : typeError(c.value, s, family);
      if (why) issue(c.tag, why);
    } else if (s.kind === 'container' && s.children) {
      path.push(c.tag);
      walk(c, s, family, path, out);
      path.length -= 1;
    }
  }
  for (const group of schema.choices ?? []) {
    const present = [...new Set(node.children.map((c) => c.tag).filter((tag) => group.includes(tag)))];
    if (present.length > 1) issue(present[1]!, `'${present[1]}' and '${present[0]}' are mutually exclusive (only one may be set)`);
  }
  for (const [tag, n] of counts ?? []) {
    const max = childSchema(schema, tag)!.maxElements!;
    if (n > max) issue(tag, `too many '${tag}' entries: ${n} (at most ${max})`);
  }
}

/** Every type error in the modelled hierarchies of `tree`, for a device of `family`. */
export function checkTypes(tree: ConfigNode, family: PlatformFamily): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  walk(tree, ROOT_SCHEMA, family, [], out);
  return out;
}
