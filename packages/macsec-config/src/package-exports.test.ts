/**
 * Build the package into a scratch node_modules and load every subpath export with plain Node,
 * as ESM and as CJS (vitest's own module interop would hide a broken exports map), and check
 * what the build holds.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceModules = join(pkgDir, '..', '..', 'node_modules');
// Outside the package: from inside it, Node would resolve the name to the package itself.
const scratch = mkdtempSync(join(tmpdir(), 'macsec-config-exports-'));
const installed = join(scratch, 'node_modules', '@qkd-macsec', 'macsec-config');

beforeAll(() => {
  mkdirSync(installed, { recursive: true });
  execFileSync(process.execPath, [join(workspaceModules, 'tsup', 'dist', 'cli-default.js'), '--out-dir', join(installed, 'dist'), '--no-dts', '--silent'], { cwd: pkgDir, stdio: 'pipe' });
  cpSync(join(pkgDir, 'package.json'), join(installed, 'package.json'));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// NO_COLOR: Nx and CI set FORCE_COLOR, which would make console.log(true) print an ANSI-coloured `true`.
const run = (code: string, type: 'module' | 'commonjs'): string =>
  execFileSync(process.execPath, ['--input-type', type, '-e', code], { cwd: scratch, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } }).trim();

describe('package exports under plain Node', () => {
  it("./xml's XmlError is one of the root entry's MacsecConfigErrors, in ESM and in CJS", () => {
    const check = `e = new x.XmlError('m', { reason: 'malformed' }); console.log(e instanceof a.MacsecConfigError, e.name)`;
    expect(run(`const a = await import('@qkd-macsec/macsec-config'), x = await import('@qkd-macsec/macsec-config/xml'); let e; ${check}`, 'module')).toBe('true XmlError');
    expect(run(`const a = require('@qkd-macsec/macsec-config'), x = require('@qkd-macsec/macsec-config/xml'); let e; ${check}`, 'commonjs')).toBe('true XmlError');
  });

  for (const [sub, name] of [['', 'parseConfigurationXml'], ['/xml', 'parseXmlOrdered']] as const) {
    const spec = `@qkd-macsec/macsec-config${sub}`;
    it(`${spec} loads as ESM and CJS with the same names`, () => {
      const esm = run(`const m = await import('${spec}'); console.log(Object.keys(m).sort().join(','))`, 'module');
      const cjs = run(`console.log(Object.keys(require('${spec}')).sort().join(','))`, 'commonjs');
      expect(esm).toBe(cjs);
      expect(esm.split(',')).toContain(name);
    });
  }

  it('ships no test helper (src/testing/) and no XML library', () => {
    const files = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(c?js)$/.test(f));
    const code = files.map((f) => readFileSync(join(installed, 'dist', f), 'utf8')).join('\n');
    for (const helper of ['fullModel', 'referencePlan', 'setCommandsToXml', 'heapAfterGc', 'fast-xml-parser', 'yanglint']) expect(code).not.toContain(helper);
  });
});
