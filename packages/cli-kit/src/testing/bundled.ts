// The apps bundle this package (tsup noExternal): a built app that still imports it would fail
// for whoever installs the app's tarball, which does not depend on it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const NAME = '@qkd-macsec/cli-kit';

/** The files under `dist` (code, types and source maps' code) that name this package: none, in a correctly built app. */
export function filesNamingCliKit(dist: string): string[] {
  const files = readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(c|m)?js$|\.d\.(c|m)?ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
  if (files.length === 0) throw new Error(`${dist}: no built file (build first)`);
  return files.filter((f) => readFileSync(f, 'utf8').includes(NAME)).map((f) => relative(dist, f));
}
