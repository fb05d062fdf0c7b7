import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bindingProblem, sshNativeCrypto } from './native-crypto.js';

const require = createRequire(import.meta.url);
const ssh2Says = (require('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean }).bindingAvailable;
const bindingBuilt = existsSync(join(dirname(require.resolve('ssh2/package.json')), 'lib/protocol/crypto/build/Release/sshcrypto.node'));
const scratch = mkdtempSync(join(tmpdir(), 'native-crypto-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** sshNativeCrypto() in a fresh node whose loading of ssh2's binding throws `message`, as a binding built for another Node does. */
function inNodeWhereBindingThrows(message: string): { loaded: boolean; problem?: string } {
  const hook = join(scratch, 'hook.cjs');
  writeFileSync(hook, `const M = require('module'); const load = M._extensions['.node'];
M._extensions['.node'] = (m, file) => { if (file.endsWith('sshcrypto.node')) throw new Error(${JSON.stringify(message)}); return load(m, file); };`);
  const here = dirname(fileURLToPath(import.meta.url));
  const out = execFileSync(process.execPath, ['--require', hook, '--import', 'tsx', '--input-type=module', '-e', `import { sshNativeCrypto } from ${JSON.stringify(join(here, 'native-crypto.ts'))}; console.log(JSON.stringify(sshNativeCrypto()));`], { cwd: here, encoding: 'utf8' });
  return JSON.parse(out) as { loaded: boolean; problem?: string };
}

describe('sshNativeCrypto', () => {
  it("agrees with ssh2's own flag in this process", () => {
    const s = sshNativeCrypto();
    expect(s.loaded).toBe(ssh2Says);
    expect(s.problem === undefined).toBe(ssh2Says);
  });

  it('says a binding built for another Node.js version is not in use, why, and how to fix it', () => {
    const s = inNodeWhereBindingThrows("Module did not self-register: '/x/sshcrypto.node'.");
    expect(s.loaded).toBe(false);
    if (bindingBuilt) expect(s.problem).toMatch(/built for another Node\.js version than this one \(v\d+/);
    else expect(s.problem).toMatch(/never built/);
    expect(s.problem).toContain('npm rebuild ssh2');
  });

  it('names a binding never built, one ssh2 did not take, and any other load failure by its first line', () => {
    expect(bindingProblem('missing')).toMatch(/never built \(its install script did not run — --ignore-scripts, or npm 12 without an approval in allowScripts — or found no C\+\+ compiler\).*npm rebuild ssh2.*build-essential python3.*npm install-scripts approve ssh2/);
    expect(bindingProblem(new Error('libcrypto.so.3: cannot open shared object file\nstack'))).toContain('it does not load: libcrypto.so.3: cannot open shared object file. SSH');
    expect(bindingProblem('unused')).toMatch(/it loads, yet ssh2 did not take it.*npm rebuild ssh2/);
  });
});
