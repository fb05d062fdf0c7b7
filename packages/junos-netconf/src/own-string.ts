/**
 * Strings a kept session holds must not be V8 sliced strings. A substring (a regex match,
 * slice(), trim()) of 13 characters or more is a view that keeps the whole text it was cut from
 * alive: a capability URI kept the session's hello, a loaded secret the whole configuration it
 * was loaded with, an RPC's name (in its response and errors) the whole request.
 */

/** A copy of `s` holding only its own characters. JSON's round trip copies any string exactly (lone surrogates included). */
export const ownCopy = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

// Values every session of a fleet shares (capability URIs, operation names): one flat copy for
// all. Bounded, so a peer inventing URIs cannot grow it for ever; past the bound, a flat copy each.
const interned = new Map<string, string>();
const MAX_INTERNED = 4096;

/** The process's one flat copy of `s`. */
export function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  const own = ownCopy(s);
  if (interned.size < MAX_INTERNED) interned.set(own, own);
  return own;
}
