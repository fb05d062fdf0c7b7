import { relative } from 'node:path';

/** A path as the user would type it from here: `./pki/ca.crt`, or absolute when outside. */
export function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel.startsWith('..') || rel === '' ? p : `./${rel}`;
}
