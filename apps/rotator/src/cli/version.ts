// `qkd-macsec --version`: the version in the package's own package.json, read when asked (the CLI
// kit's reader), so the binary never reports a number someone forgot to bump. Found by walking up
// from this module: src/cli/ in the repository, dist/ once built (a chunk of either bundle).
import { packageVersion as versionOf } from '@qkd-macsec/cli-kit';

export function packageVersion(): string {
  return versionOf('@qkd-macsec/rotator', import.meta.url);
}
