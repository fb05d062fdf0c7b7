// The version `--version` prints: read from this package's own package.json when asked, so that
// it is right from src/ (tsx), from dist/ and from an installed tarball alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = '@qkd-macsec/sim-junos';

export function packageVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === NAME && typeof pkg.version === 'string') return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package.json of ${NAME} above ${fileURLToPath(from)}`);
    dir = up;
  }
}
