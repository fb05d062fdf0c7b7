// The apps bundle this package (tsup noExternal): a built app that still imports it, or a
// package.json that depends on it, would fail for whoever installs the app's tarball.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const NAME = '@qkd-macsec/cli-kit';

/**
 * What of an app still names this package: its dist's code and declaration files (source maps
 * quote the sources, imports included, and are left out) and the dependency fields of its
 * package.json. Empty for a correctly built app.
 */
export function cliKitLeftIn(appRoot: string): string[] {
  const dist = join(appRoot, 'dist');
  const files = readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(c|m)?js$|\.d\.(c|m)?ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
  if (files.length === 0) throw new Error(`${dist}: no built file (build first)`);
  const pkg = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  return [
    ...files.filter((f) => readFileSync(f, 'utf8').includes(NAME)).map((f) => f.slice(appRoot.length).replace(/^\//, '')),
    ...['dependencies', 'optionalDependencies', 'peerDependencies'].filter((field) => pkg[field]?.[NAME] !== undefined).map((field) => `package.json ${field}`),
  ];
}
