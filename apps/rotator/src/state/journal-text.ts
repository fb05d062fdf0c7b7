// The state file's bytes. A cycle writes its journal ~20–50 times (2,000 links: ~575 KB each
// time), and between two writes most links' entries have not changed. An entry made by
// `frozenEntry` (the engine's, engine/journal-writes.ts) is frozen, ends and all, so it cannot change: the
// UTF-8 of its JSON is kept with it (a WeakMap: gone with the entry) and the next write copies it.
// Any other entry — frozen by hand or not — is serialised afresh every time. The bytes are exactly
// JSON.stringify's text for the same state, newline-terminated, in UTF-8. Made as one string, a
// 2,000-link file cost ~3 ms a write to flatten and encode (~140 ms a cycle); from the kept
// entries' bytes, a copy (`npm run bench:journal -w tools`).
import type { Journal, JournalLink } from './types.js';

/** Entries frozenEntry made: the only ones whose bytes are kept. */
const sealed = new WeakSet<JournalLink>();
/** An entry's `"name":{…}` in UTF-8, for the name it was last written under. */
const pairs = new WeakMap<JournalLink, { name: string; bytes: Buffer }>();

/** `entry` frozen all the way down (the entry, its ends, each end): a change is a new entry. */
export function frozenEntry(entry: JournalLink): JournalLink {
  for (const end of entry.ends) Object.freeze(end);
  Object.freeze(entry.ends);
  sealed.add(Object.freeze(entry));
  return entry;
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
const pairOf = (name: string, entry: JournalLink): string => `${JSON.stringify(name)}:${JSON.stringify(entry)}`;

function pairBytes(name: string, entry: JournalLink): Buffer {
  if (!sealed.has(entry)) return utf8(pairOf(name, entry));
  let pair = pairs.get(entry);
  if (pair === undefined || pair.name !== name) pairs.set(entry, (pair = { name, bytes: utf8(pairOf(name, entry)) }));
  return pair.bytes;
}

const COMMA = utf8(',');

function journalParts(journal: Journal, out: Buffer[]): void {
  let head = '{';
  let first = true;
  for (const key in journal) {
    const value = journal[key as keyof Journal];
    if (value === undefined) continue; // as JSON.stringify leaves it out
    head += first ? '' : ',';
    first = false;
    if (key !== 'links') {
      head += `${JSON.stringify(key)}:${JSON.stringify(value)}`;
      continue;
    }
    out.push(utf8(`${head}"links":{`));
    head = '}';
    let firstLink = true;
    for (const name in journal.links) {
      const entry = journal.links[name];
      if (entry === undefined) continue;
      if (!firstLink) out.push(COMMA);
      out.push(pairBytes(name, entry));
      firstLink = false;
    }
  }
  out.push(utf8(`${head}}`));
}

/**
 * `JSON.stringify({ version: 2, journals })` and a newline (journals left out when undefined), in
 * UTF-8, in a buffer of its own (it can be handed to another thread without a copy).
 */
export function stateFileBytes(journals: Record<string, Journal> | undefined): Buffer {
  const parts: Buffer[] = [];
  if (journals === undefined) parts.push(utf8('{"version":2}\n'));
  else {
    parts.push(utf8('{"version":2,"journals":{'));
    let first = true;
    for (const id in journals) {
      const journal = journals[id];
      if (journal === undefined) continue;
      parts.push(utf8(`${first ? '' : ','}${JSON.stringify(id)}:`));
      journalParts(journal, parts);
      first = false;
    }
    parts.push(utf8('}}\n'));
  }
  let length = 0;
  for (const p of parts) length += p.length;
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const p of parts) at += p.copy(out, at);
  return out;
}
