// An independent check of what a conforming XML 1.0 parser must refuse, for the two properties
// the parsers here have got wrong before: characters outside the XML Char production, and entity
// references other than the five predefined ones and character references to legal characters.
// It is deliberately not a parser: it only answers "must this document be refused, and why".

const ILLEGAL_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const REFERENCE = /^&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/;

function legalCodePoint(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Comments and CDATA sections hold no references; drop them (unclosed ones make the rest text). */
function withoutCommentsAndCdata(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
}

export interface Refusal {
  /** The rule broken (stable, for grouping findings). */
  reason: 'illegal character' | 'undefined entity reference' | 'reference to an illegal character';
  /** Which character or reference, and where. */
  detail: string;
}

/** Why a conforming parser must refuse `xml`, or undefined when this check sees no reason. */
export function mustRefuse(xml: string): Refusal | undefined {
  const bad = ILLEGAL_CHAR.exec(xml);
  if (bad) return { reason: 'illegal character', detail: `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at ${bad.index}` };
  const text = withoutCommentsAndCdata(xml);
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    const m = REFERENCE.exec(text.slice(i, i + 16));
    if (!m) return { reason: 'undefined entity reference', detail: JSON.stringify(text.slice(i, i + 16).split(';')[0] + ';') };
    const cp = m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? Number.parseInt(m[3], 16) : undefined;
    if (cp !== undefined && !legalCodePoint(cp)) return { reason: 'reference to an illegal character', detail: m[0] };
  }
  return undefined;
}

/** Strings in a parsed value that only come from JavaScript internals, never from a document. */
export function leakedInternals(value: unknown, depth = 0): string | undefined {
  if (depth > 400) return undefined;
  if (typeof value === 'string') {
    const at = value.indexOf('[native code]');
    return at < 0 ? undefined : value.slice(Math.max(0, at - 60), at + 15);
  }
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    const hit = leakedInternals(v, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}
