// ssh2 encrypts, pads and authenticates every packet through an optional native binding that its
// install script builds with node-gyp (a C++ compiler, make and python3). Without it — installed
// with --ignore-scripts, by an npm that runs no unapproved install script (npm 12), on a machine
// without a compiler, or built for another Node.js version (Node upgraded after `npm ci`) — ssh2
// falls back to node:crypto without a word, and every packet costs more CPU on a busy client: a
// 2,000-link rotation cycle took 0.90 ms of the rotator's CPU per device-cycle against 0.75 ms with
// the binding, on the same machine (tools/bench, fleet).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface SshNativeCrypto {
  /** ssh2 runs on its native crypto binding. */
  loaded: boolean;
  /** When not: why, and the command that fixes it. */
  problem?: string;
}

const FIX =
  'run `npm rebuild ssh2` where the package is installed (it needs a C++ compiler, make and python3: on Debian, `apt-get install build-essential python3`; npm 12 runs it only once approved: `npm install-scripts approve ssh2`)';

/** Why the binding is not in use: `missing` (never built), `unused` (it loads, ssh2 did not take it), or the error loading it gave. */
export function bindingProblem(failure: 'missing' | 'unused' | Error): string {
  const cause =
    failure === 'missing'
      ? 'it was never built (its install script did not run — --ignore-scripts, or npm 12 without an approval in allowScripts — or found no C++ compiler)'
      : failure === 'unused'
        ? 'it loads, yet ssh2 did not take it (a binding left from another ssh2 version?)'
        : /did not self-register|NODE_MODULE_VERSION/.test(failure.message)
        ? `it was built for another Node.js version than this one (${process.version})`
        : `it does not load: ${failure.message.split('\n')[0]}`;
  return `ssh2's native crypto binding is not in use: ${cause}. SSH then costs more CPU per packet (about a fifth more rotator CPU at 2,000 links); ${FIX}`;
}

let status: SshNativeCrypto | undefined;

/** Whether ssh2 runs on its native crypto binding, and if not why: say it when a fleet's CPU matters. */
export function sshNativeCrypto(): SshNativeCrypto {
  return (status ??= probe());
}

function probe(): SshNativeCrypto {
  const require = createRequire(import.meta.url);
  const ssh2Crypto = require('ssh2/lib/protocol/crypto.js') as { bindingAvailable?: boolean };
  if (ssh2Crypto.bindingAvailable === true) return { loaded: true };
  // ssh2 swallows the reason: load the binding the way it does, to say why not.
  const binding = join(dirname(require.resolve('ssh2/package.json')), 'lib', 'protocol', 'crypto', 'build', 'Release', 'sshcrypto.node');
  if (!existsSync(binding)) return { loaded: false, problem: bindingProblem('missing') };
  try {
    require(binding);
    return { loaded: false, problem: bindingProblem('unused') };
  } catch (err) {
    return { loaded: false, problem: bindingProblem(err instanceof Error ? err : new Error(String(err))) };
  }
}
