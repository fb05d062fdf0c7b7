// The built sim-kme binary, as `npm i -g` would install it: tests run it in a child process.
// `nx test` builds first (the project's test target depends on its build).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../../bin/sim-kme.js', import.meta.url));
if (!existsSync(fileURLToPath(new URL('../../../dist/cli.js', import.meta.url))))
  throw new Error('apps/sim-kme/dist/cli.js is missing: build first (npx nx build @qkd-macsec/sim-kme)');

/** Runs the binary to completion; stdout and stderr are pipes, as under a supervisor. */
export function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env });
}
