// What importing a built entry point does, seen from a fresh process: the apps' import tests
// check that loading the package (what the rotator's demo does, lazily) starts nothing and reads
// no file.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface ImportProbe {
  /** How many names the module exports. */
  exports: number;
  /** Files read ("readFileSync /path") and sockets listened on ("listen") while importing. */
  seen: string[];
  /** What is still running after the import (beyond the child's own stdio). */
  handles: string[];
  stderr: string;
}

// Runs in the child: records file reads and listens, then imports the entry point.
const probe = (load: string) => `
const fs = require('node:fs'), net = require('node:net');
const seen = [];
for (const name of ['readFileSync', 'openSync', 'readFile', 'open', 'createReadStream']) {
  const orig = fs[name];
  // Module loading reads .js files and dependencies' package.json through fs too: not the package's own reads.
  fs[name] = function (...a) { if (!/\\.(c|m)?js$|\\/node_modules\\//.test(String(a[0]))) seen.push(name + ' ' + String(a[0])); return orig.apply(this, a); };
}
// ESM imports of node:fs see the patched functions only once synced.
require('node:module').syncBuiltinESMExports();
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...a) { seen.push('listen'); return listen.apply(this, a); };
Promise.resolve(${load}).then((m) => {
  setImmediate(() => {
    const handles = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap' && r !== 'Immediate');
    console.log(JSON.stringify({ exports: Object.keys(m).length, seen, handles }));
    // What was left running would keep the child alive: it has been reported.
    process.exit(0);
  });
});`;

/** Imports `file` (.js with import(), .cjs with require()) in a fresh Node process. */
function probeImport(file: string): ImportProbe {
  const load = file.endsWith('.cjs') ? `require(${JSON.stringify(file)})` : `import(${JSON.stringify(file)})`;
  const res = spawnSync(process.execPath, ['-e', probe(load)], { encoding: 'utf8', timeout: 20_000 });
  if (res.status !== 0) return { exports: 0, seen: [], handles: [], stderr: res.stderr || `exit ${res.status}` };
  return { ...(JSON.parse(res.stdout) as Omit<ImportProbe, 'stderr'>), stderr: res.stderr };
}

/**
 * What is wrong with importing an app's built entry points, dist/index.js (ESM) and
 * dist/index.cjs (CommonJS), each in a fresh process: empty when each loads, exports something,
 * reads no file, listens on nothing and leaves nothing running.
 */
export function importProblems(appRoot: string): string[] {
  return ['dist/index.js', 'dist/index.cjs'].flatMap((entry) => {
    const out = probeImport(join(appRoot, entry));
    return [
      ...(out.stderr === '' ? [] : [`${entry}: stderr ${out.stderr}`]),
      ...(out.exports === 0 ? [`${entry}: exports nothing`] : []),
      ...out.seen.map((s) => `${entry}: ${s}`),
      ...out.handles.map((h) => `${entry}: leaves ${h} running`),
    ];
  });
}
