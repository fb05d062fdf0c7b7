// Problem lists in error messages, bounded: a hostile answer can carry thousands of problems, or
// one problem quoting a megabyte (a key_ID), and an error message ends up in logs.

/** Most problems an error message lists; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 10;
/** Longest a single listed problem gets. */
export const MAX_PROBLEM_CHARS = 200;
/** Longest the whole list gets. */
export const MAX_PROBLEMS_CHARS = 2000;

/** `text` whole, or cut to `max` characters ending in `…`. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  // Do not leave half a surrogate pair behind.
  return `${text.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '')}…`;
}

/** "a; b; c" for at most MAX_LISTED_PROBLEMS problems, then "; … and N more". */
export function listProblems(problems: readonly string[]): string {
  const shown: string[] = [];
  let length = 0;
  for (const problem of problems) {
    if (shown.length === MAX_LISTED_PROBLEMS) break;
    const item = cut(problem, MAX_PROBLEM_CHARS);
    if (length + item.length > MAX_PROBLEMS_CHARS) break;
    shown.push(item);
    length += item.length + 2;
  }
  const rest = problems.length - shown.length;
  return shown.join('; ') + (rest > 0 ? `${shown.length ? '; ' : ''}… and ${rest} more` : '');
}
