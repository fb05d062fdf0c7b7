// Importing the package (what the rotator's demo does, lazily) starts nothing and reads no file:
// checked on the built ESM and CommonJS entry points in a fresh process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

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
  });
});`;

describe('importing @qkd-macsec/sim-kme', () => {
  for (const [what, load] of [
    ['ESM dist/index.js', `import(${JSON.stringify(`${root}dist/index.js`)})`],
    ['CommonJS dist/index.cjs', `require(${JSON.stringify(`${root}dist/index.cjs`)})`],
  ] as const)
    it(`${what}: no file read, no socket, nothing left running`, () => {
      const res = spawnSync(process.execPath, ['-e', probe(load)], { encoding: 'utf8' });
      expect(res.stderr).toBe('');
      const out = JSON.parse(res.stdout) as { exports: number; seen: string[]; handles: string[] };
      expect(out.exports).toBeGreaterThan(5);
      expect(out.seen).toEqual([]);
      expect(out.handles).toEqual([]);
    });
});
