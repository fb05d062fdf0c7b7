// The shape of a schema node and the building blocks the hierarchy files share. A node may carry
// its YANG value type (range, enumeration, length, Junos' posix-pattern), the families whose YANG
// has it, and YANG list/choice constraints; validate-types.ts checks them at load time.
import type { PlatformFamily } from './platform.js';

export type StatementKind = 'container' | 'list' | 'leaf' | 'leaf-list' | 'flag';
type Range = readonly [number, number];

export interface Schema {
  kind: StatementKind;
  children?: Record<string, Schema>;
  /** Leaf whose value Junos shows only encrypted (`$9$…`); never quoted in an error. */
  secret?: boolean;
  /** Container whose entries belong to this implicit list; the list keyword is never typed
   *  in set or text form (top-level `interfaces ge-0/0/0 …` is `<interfaces><interface>`). */
  implicit?: string;
  /** List shown in text as `keyword { NAME { … } }` instead of `keyword NAME { … }`. */
  grouped?: boolean;
  /** `apply-macro NAME { key value; }`, stored as Junos XML does: data entries with a value. */
  macro?: boolean;
  /** Only the listed children exist: anything else is a syntax error, as on Junos (the modelled
   *  hierarchies, where a typo must not pass as an opaque statement). */
  strict?: boolean;
  /** Container (or list entry) whose one unnamed value goes to this leaf (`traceoptions file NAME size 10m`). */
  positional?: string;
  /** The YANG families that have this statement; absent: all four. */
  families?: readonly PlatformFamily[];
  /** Value type of a leaf, or of a list's key (`name`) when on a list: an unsigned integer in this range. */
  range?: Range;
  /** The range where a family's YANG differs from `range`. */
  familyRange?: Partial<Record<PlatformFamily, Range>>;
  /** Value type: one of these words (a YANG enumeration). */
  enum?: readonly string[];
  /** Value type: a string of this many characters (YANG `length`). */
  length?: Range;
  /** Junos' `junos:posix-pattern` with its `junos:pattern-message` (not checked by yanglint). */
  pattern?: { test: (value: string) => boolean; message: string };
  /** YANG `max-elements` of a list. */
  maxElements?: number;
  /** YANG choices among the children: at most one statement of each group. */
  choices?: ReadonlyArray<readonly string[]>;
}

export const leaf: Schema = { kind: 'leaf' };
export const flag: Schema = { kind: 'flag' };
export const leafList: Schema = { kind: 'leaf-list' };
export const applyMacro: Schema = { kind: 'list', macro: true };
export const opaqueList: Schema = { kind: 'list' };
export const opaqueContainer: Schema = { kind: 'container' };
export const uint = (min: number, max: number, extra: Partial<Schema> = {}): Schema => ({ kind: 'leaf', range: [min, max], ...extra });
export const enumLeaf = (values: readonly string[], extra: Partial<Schema> = {}): Schema => ({ kind: 'leaf', enum: values, ...extra });
export const str = (min: number, max: number, extra: Partial<Schema> = {}): Schema => ({ kind: 'leaf', length: [min, max], ...extra });

/** YANG grouping `apply-advanced`, which every Junos container and list entry uses. */
function advanced(children: Record<string, Schema>): Record<string, Schema> {
  return { 'apply-groups': leafList, 'apply-groups-except': leafList, 'apply-macro': applyMacro, ...children };
}

/** A strict container / list with apply-advanced. */
export const container = (children: Record<string, Schema>, extra: Partial<Schema> = {}): Schema => ({ kind: 'container', strict: true, children: advanced(children), ...extra });
export const list = (children: Record<string, Schema>, extra: Partial<Schema> = {}): Schema => ({ kind: 'list', strict: true, children: advanced(children), ...extra });
/** A list whose entries are only their name (`exclude-protocol lldp`, `flag all`). */
export const keyList = (extra: Partial<Schema> = {}): Schema => ({ kind: 'list', strict: true, children: {}, ...extra });

/** junos:posix-pattern "![/ %]": "Must not contain '/', % or a space". */
export const noSlashPercentSpace = { test: (v: string) => !/[/ %]/.test(v), message: "Must not contain '/', % or a space" };
/** junos:posix-pattern "!/": "File name cannot contain a '/'". */
export const noSlash = { test: (v: string) => !v.includes('/'), message: "File name cannot contain a '/'" };

/** Trace-file options shared by the trace groupings (`file NAME size S files N world-readable`). */
export function traceFile(extra: Record<string, Schema> = {}): Schema {
  return {
    kind: 'container',
    strict: true,
    positional: 'filename',
    choices: [['world-readable', 'no-world-readable']],
    children: {
      filename: str(1, 1024, { pattern: noSlashPercentSpace }),
      size: leaf,
      files: uint(2, 1000),
      'world-readable': flag,
      'no-world-readable': flag,
      ...extra,
    },
  };
}
