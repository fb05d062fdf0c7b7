// Small helpers shared by the validators: a safe value printer, integer ranges, plain words.

/** A value for an error message; never throws (symbols, null-prototype objects, cycles). */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/** Why `value` is not an integer in min..max, or null. */
export function checkIntRange(what: string, value: unknown, min: number, max: number): string | null {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max
    ? null
    : `${what} must be an integer ${min}..${max}, got ${show(value)}`;
}

// A plain word: letters, digits, `_`, `-`, `.`, never needing quotes.
const WORD = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
export function checkWord(what: string, value: unknown, max = 64): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !WORD.test(value)) {
    return `${what} "${show(value)}" must be 1..${max} characters of letters, digits, "_", "-", "."`;
  }
  return null;
}

/** Records a problem at a path (a null message is no problem). */
export type Add = (path: string, message: string | null) => void;
