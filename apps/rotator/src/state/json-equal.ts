// Equality of two JSON values (what JSON.stringify would write): how the store tells, without
// serialising, whether the links changed since it last wrote them.
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  const bk = Object.keys(bo);
  let n = 0;
  for (let i = 0; i < ak.length; i++) {
    const v = ao[ak[i]!];
    if (v === undefined) continue; // JSON drops undefined
    n++;
    if (!jsonEqual(v, bo[ak[i]!])) return false;
  }
  for (let i = 0; i < bk.length; i++) if (bo[bk[i]!] !== undefined) n--;
  return n === 0;
}
