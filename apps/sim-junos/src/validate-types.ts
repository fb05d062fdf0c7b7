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

/** Why `value` does not fit the type of `s`, or undefined when it does. */
export function typeError(value: string, s: Schema, family: PlatformFamily, showValue = !s.secret): string | undefined {
  const shown = showValue ? `'${value}'` : 'value';
  if (s.range) {
    const [min, max] = s.familyRange?.[family] ?? s.range;
    if (!UINT.test(value) || Number(value) < min || Number(value) > max) return `${shown} is not within range (${min}..${max})`;
  }
  if (s.enum && !s.enum.includes(value)) return `${shown} is not one of: ${s.enum.join(', ')}`;
  if (s.length) {
    const [min, max] = s.length;
    const n = [...value].length;
    if (n < min || n > max) return min === max ? `${showValue ? shown : 'value'} must be ${min} characters long, has ${n}` : `${shown} must be ${min}..${max} characters long, has ${n}`;
  }
  if (s.pattern && !s.pattern.test(value)) return s.pattern.message;
  return undefined;
}

function walk(node: ConfigNode, schema: Schema, family: PlatformFamily, path: string[], out: ConfigIssue[]): void {
  const counts = new Map<string, number>();
  for (const c of node.children) {
    const s = childSchema(schema, c.tag);
    if (!s) continue; // opaque statements (strict parents refuse unknown ones while parsing)
    counts.set(c.tag, (counts.get(c.tag) ?? 0) + 1);
    if (s.families && !s.families.includes(family)) {
      out.push({ severity: 'error', path, badElement: c.tag, message: `syntax error: '${c.tag}' is not supported on this platform (${family})` });
      continue;
    }
    if (s.kind === 'list') {
      const name = c.name ?? '';
      const why = typeError(name, s, family);
      if (why) out.push({ severity: 'error', path, badElement: name, message: why });
      if (s.children) walk(c, s, family, [...path, c.tag, name], out);
    } else if (s.kind === 'leaf' || s.kind === 'leaf-list') {
      const why = c.value === undefined || (s.secret && isEncrypted(c.value)) ? undefined : typeError(c.value, s, family);
      if (why) out.push({ severity: 'error', path, badElement: c.tag, message: why });
    } else if (s.kind === 'container' && s.children) walk(c, s, family, [...path, c.tag], out);
  }
  for (const group of schema.choices ?? []) {
    const present = [...new Set(node.children.map((c) => c.tag).filter((tag) => group.includes(tag)))];
    if (present.length > 1)
      out.push({ severity: 'error', path, badElement: present[1]!, message: `'${present[1]}' and '${present[0]}' are mutually exclusive (only one may be set)` });
  }
  for (const [tag, n] of counts) {
    const max = childSchema(schema, tag)?.maxElements;
    if (max !== undefined && n > max) out.push({ severity: 'error', path, badElement: tag, message: `too many '${tag}' entries: ${n} (at most ${max})` });
  }
}

/** Every type error in the modelled hierarchies of `tree`, for a device of `family`. */
export function checkTypes(tree: ConfigNode, family: PlatformFamily): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  walk(tree, ROOT_SCHEMA, family, [], out);
  return out;
}
