// How a path in a config file resolves: relative to the file's directory, `~` the home directory.
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

export function resolveConfigPath(base: string, p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : isAbsolute(p) ? p : resolve(base, p);
}
