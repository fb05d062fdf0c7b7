// The leak scanner: finds any key or CAK the simulators handed out in any text — as lower- or
// upper-case hex, its first half (a truncated CAK is still a leak), Base64, Base64url, or the
// `$9$` form sim-junos shows for it. Linear in the text: candidate runs (hex digits, Base64
// characters, `$9$…`) are cut into windows of each needle length and looked up in sets, so a
// soak's megabytes of logs against thousands of needles take seconds. A hit names the file,
// line, form and key, never the needle itself.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyLogEntry } from './key-log.js';

type LeakForm = 'hex' | 'HEX' | 'hex-prefix' | 'base64' | 'base64url' | 'junos9';

export interface Leak {
  where: string;
  line: number;
  form: LeakForm;
  /** key_ID, or "<source> <id>" for a needle without one. */
  key: string;
}

interface Needle {
  form: LeakForm;
  key: string;
}

export interface Needles {
  count: number;
  /** lower-case hex (full and half) by length */
  hex: Map<number, Map<string, Needle>>;
  b64: Map<number, Map<string, Needle>>;
  /** junos9 needles by their first 8 characters */
  junos9: Map<string, Array<{ text: string; key: string }>>;
}

const HALF_MIN = 32; // only keys of >= 128 bits get a half-key needle (16 bytes)

export function buildNeedles(entries: readonly KeyLogEntry[]): Needles {
  const hex = new Map<number, Map<string, Needle>>();
  const b64 = new Map<number, Map<string, Needle>>();
  const junos9 = new Map<string, Array<{ text: string; key: string }>>();
  let count = 0;
  const add = (m: Map<number, Map<string, Needle>>, text: string, needle: Needle) => {
    let byLen = m.get(text.length);
    if (!byLen) m.set(text.length, (byLen = new Map()));
    if (!byLen.has(text)) {
      byLen.set(text, needle);
      count++;
    }
  };
  for (const e of entries) {
    const key = e.keyId ?? `${e.source} ${e.id}`;
    const h = e.hex.toLowerCase();
    if (h.length >= 8) add(hex, h, { form: 'hex', key });
    if (h.length >= HALF_MIN * 2) add(hex, h.slice(0, h.length / 2), { form: 'hex-prefix', key });
    const b64s = e.base64 ?? (h.length > 0 ? Buffer.from(h, 'hex').toString('base64') : undefined);
    if (b64s !== undefined && b64s.length >= 8) {
      add(b64, b64s, { form: 'base64', key });
      const url = Buffer.from(b64s, 'base64').toString('base64url');
      if (url !== b64s) add(b64, url, { form: 'base64url', key });
    }
    if (e.junos9 !== undefined && e.junos9.length >= 8) {
      const list = junos9.get(e.junos9.slice(0, 8)) ?? [];
      if (!list.some((n) => n.text === e.junos9)) {
        list.push({ text: e.junos9, key });
        count++;
      }
      junos9.set(e.junos9.slice(0, 8), list);
    }
  }
  return { count, hex, b64, junos9 };
}

const HEX_RUN = /[0-9a-fA-F]{8,}/g;
const B64_RUN = /[A-Za-z0-9+/_=-]{8,}/g;

function lineAt(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Every needle found in `text`; overlapping forms of one key at one place count once. */
export function scanText(where: string, text: string, needles: Needles): Leak[] {
  const found = new Map<string, Leak>();
  let lineStarts: number[] | undefined;
  const record = (offset: number, needle: Needle, form: LeakForm = needle.form) => {
    lineStarts ??= [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)];
    const line = lineAt(lineStarts, offset);
    const id = `${line}\u0000${needle.key}`;
    const prev = found.get(id);
    // Prefer the most specific form: a full key over its half.
    if (!prev || (prev.form === 'hex-prefix' && form !== 'hex-prefix')) found.set(id, { where, line, form, key: needle.key });
  };
  const windows = (run: string, at: number, sets: Map<number, Map<string, Needle>>, lower: boolean) => {
    for (const [len, set] of sets) {
      for (let i = 0; i + len <= run.length; i++) {
        const w = run.slice(i, i + len);
        const n = set.get(lower ? w.toLowerCase() : w);
        if (n) record(at + i, n, lower && n.form === 'hex' && w !== w.toLowerCase() ? 'HEX' : n.form);
      }
    }
  };
  if (needles.hex.size) for (const m of text.matchAll(HEX_RUN)) windows(m[0], m.index!, needles.hex, true);
  if (needles.b64.size) for (const m of text.matchAll(B64_RUN)) windows(m[0], m.index!, needles.b64, false);
  if (needles.junos9.size) {
    for (let i = text.indexOf('$9$'); i !== -1; i = text.indexOf('$9$', i + 3)) {
      for (const n of needles.junos9.get(text.slice(i, i + 8)) ?? []) if (text.startsWith(n.text, i)) record(i, { form: 'junos9', key: n.key });
    }
  }
  return [...found.values()];
}

/** Every regular file under `dir` (recursively). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...filesUnder(path));
    else if (st.isFile()) out.push(path);
  }
  return out;
}

export interface ScanResult {
  files: number;
  bytes: number;
  leaks: Leak[];
}

export function scanFiles(paths: readonly string[], needles: Needles): ScanResult {
  let bytes = 0;
  const leaks: Leak[] = [];
  for (const p of paths) {
    const buf = readFileSync(p);
    bytes += buf.length;
    // latin1 keeps every byte as one character, so binary or non-UTF-8 output is scanned too.
    leaks.push(...scanText(p, buf.toString('latin1'), needles));
  }
  return { files: paths.length, bytes, leaks };
}
