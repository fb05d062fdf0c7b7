// The version `--version` prints: read from the app's own package.json when asked, so that it is
// right from src/ (tsx, vitest), from dist/ and from an installed tarball alike, and never a
// number someone forgot to bump. The caller says where to start (its import.meta.url): this
// module is bundled into each app, and its own location says nothing when it is not.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in the package.json named `name` found walking up from `from` (a file: URL or a path). */
export function packageVersion(name: string, from: string | URL): string {
  const start = typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === name && typeof pkg.version === 'string') return pkg.version;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(err as Error).message}`);
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of ${name} above ${start}`);
  }
}
