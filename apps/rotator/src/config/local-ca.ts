// `certificates.localCa` of a config file that may not load yet: `certs issue` makes the very
// certificates the file's sites point at, so it cannot wait for every referenced file to exist.
// Only that one setting is read (and shape-checked), its paths resolved like the loader's.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from './errors.js';
import { resolveConfigPath } from './paths.js';

export interface LocalCaFiles {
  certFile: string;
  keyFile: string;
}

/** The local CA's files named by the config at `path`, or undefined when it names none. Throws ConfigError when the file cannot be read or parsed. */
export async function readLocalCaSetting(path: string): Promise<LocalCaFiles | undefined> {
  const file = resolve(path);
  let data: unknown;
  try {
    data = parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? `cannot read ${file}: does not exist` : code !== undefined ? `cannot read ${file} (${code})` : `${/\.json$/i.test(file) ? 'JSON' : 'YAML'} syntax error`;
    throw new ConfigError(file, [{ path: '', message: problem }]);
  }
  const ca = (data as { certificates?: { localCa?: unknown } } | null)?.certificates?.localCa;
  if (ca === undefined) return undefined;
  const { cert, key } = (ca ?? {}) as { cert?: unknown; key?: unknown };
  if (typeof cert !== 'string' || cert === '' || typeof key !== 'string' || key === '') {
    throw new ConfigError(file, [{ path: 'certificates.localCa', message: 'must be { cert: PATH, key: PATH }' }]);
  }
  return { certFile: resolveConfigPath(dirname(file), cert), keyFile: resolveConfigPath(dirname(file), key) };
}
