/**
 * Build the package into a scratch node_modules and load every subpath export with plain Node,
 * as ESM and as CJS. Vitest's own module interop hides mistakes such as a named import that
 * Node's ESM loader cannot see in a CommonJS dependency (ssh2's `utils`).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceModules = join(pkgDir, '..', '..', 'node_modules');
// Outside the package: from inside it, Node would resolve the name to the package itself.
const scratch = mkdtempSync(join(tmpdir(), 'junos-netconf-exports-'));
const installed = join(scratch, 'node_modules', '@qkd-macsec', 'junos-netconf');

beforeAll(() => {
  mkdirSync(installed, { recursive: true });
  for (const dep of ['ssh2', '@qkd-macsec/macsec-config']) symlinkSync(join(workspaceModules, dep), join(scratch, 'node_modules', dep));
  execFileSync(process.execPath, [join(workspaceModules, 'tsup', 'dist', 'cli-default.js'), '--out-dir', join(installed, 'dist'), '--no-dts', '--silent'], { cwd: pkgDir, stdio: 'pipe' });
  cpSync(join(pkgDir, 'package.json'), join(installed, 'package.json'));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// NO_COLOR: Nx and CI set FORCE_COLOR, which would make console.log(true) print an ANSI-coloured `true`.
const run = (code: string, type: 'module' | 'commonjs'): string =>
  execFileSync(process.execPath, ['--input-type', type, '-e', code], {
    cwd: scratch,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  }).trim();

describe('package exports under plain Node', () => {
  it('shares one error class between subpaths, in ESM and in CJS', () => {
    expect(run(`const a = await import('@qkd-macsec/junos-netconf'); const b = await import('@qkd-macsec/junos-netconf/framing'); const c = await import('@qkd-macsec/junos-netconf/xml'); console.log(a.FramingError === b.FramingError && a.XmlError === c.XmlError && new b.FramingError('x', { reason: 'empty-message' }) instanceof a.NetconfError)`, 'module')).toBe('true');
    expect(run(`const a = require('@qkd-macsec/junos-netconf'), b = require('@qkd-macsec/junos-netconf/framing'), c = require('@qkd-macsec/junos-netconf/xml'); console.log(a.FramingError === b.FramingError && a.XmlError === c.XmlError && new b.FramingError('x', { reason: 'empty-message' }) instanceof a.NetconfError)`, 'commonjs')).toBe('true');
  });

  for (const sub of ['', '/framing', '/xml']) {
    const spec = `@qkd-macsec/junos-netconf${sub}`;
    it(`${spec} loads as ESM and CJS with the same names`, () => {
      const esm = run(`const m = await import('${spec}'); console.log(Object.keys(m).sort().join(','))`, 'module');
      const cjs = run(`console.log(Object.keys(require('${spec}')).sort().join(','))`, 'commonjs');
      expect(esm).toBe(cjs);
      expect(esm.split(',')).toContain(sub === '/xml' ? 'parseXml' : sub === '/framing' ? 'encodeMessage' : 'connectJunos');
    });
  }
});
