import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageVersion } from './package-version.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-kit-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('packageVersion', () => {
  it('walks up from the caller to the package.json with its name, past other packages', () => {
    mkdirSync(join(dir, 'app', 'dist', 'chunks'), { recursive: true });
    writeFileSync(join(dir, 'app', 'package.json'), JSON.stringify({ name: '@x/app', version: '1.2.3' }));
    // A bundled dependency's own package.json on the way up is not the app's.
    writeFileSync(join(dir, 'app', 'dist', 'package.json'), JSON.stringify({ name: 'other', version: '9.9.9' }));
    const file = join(dir, 'app', 'dist', 'chunks', 'cli.js');
    expect(packageVersion('@x/app', pathToFileURL(file).href)).toBe('1.2.3');
    expect(packageVersion('@x/app', file)).toBe('1.2.3');
    expect(packageVersion('@x/app', pathToFileURL(file))).toBe('1.2.3');
  });

  it("reads this package's own version from its sources", () => {
    expect(packageVersion('@qkd-macsec/cli-kit', import.meta.url)).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('says which package it could not find, and from where', () => {
    expect(() => packageVersion('@x/nowhere', join(dir, 'app', 'dist', 'cli.js'))).toThrow(/^no package\.json of @x\/nowhere above .*cli\.js$/);
  });

  it('a package.json it cannot read is an error naming the file, not skipped', () => {
    // A directory where the file should be: unreadable even for root.
    mkdirSync(join(dir, 'odd', 'package.json'), { recursive: true });
    mkdirSync(join(dir, 'odd', 'src'));
    expect(() => packageVersion('@x/app', join(dir, 'odd', 'src', 'cli.js'))).toThrow(/^cannot read .*odd\/package\.json: EISDIR/);
  });
});
