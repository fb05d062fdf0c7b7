// The names a reader keeps across documents (element and attribute names, `@_` keys) must not be
// V8 sliced strings: a substring of 13 characters or more is a view that keeps the whole document
// it was cut from alive, so a cached name would hold the first reply it was read from for ever.

// A fleet's replies use a few hundred names: one flat copy each for the process. Bounded, so a
// peer inventing names cannot grow it for ever; past the bound, a flat copy each.
const interned = new Map<string, string>();
const MAX_INTERNED = 4096;

/** The process's one flat copy of `s` (JSON's round trip copies any string exactly, lone surrogates included). */
export function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  const own = JSON.parse(JSON.stringify(s)) as string;
  if (interned.size < MAX_INTERNED) interned.set(own, own);
  return own;
}
