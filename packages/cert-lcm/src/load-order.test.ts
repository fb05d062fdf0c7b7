// @peculiar/x509 throws at import unless the Reflect metadata polyfill is loaded first. Users of
// this package must not have to know: a fresh process importing only this package works.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const index = fileURLToPath(new URL('./index.ts', import.meta.url));

describe('module load order', () => {
  it('@peculiar/x509 alone fails to load (the reason this package imports reflect-metadata first)', async () => {
    const err = await run(process.execPath, ['--input-type=module', '-e', "await import('@peculiar/x509')"]).catch((e: { stderr: string }) => e);
    expect((err as { stderr: string }).stderr).toContain('tsyringe requires a reflect polyfill');
  });

  it('this package loads and signs in a fresh process with no polyfill imported by the caller', async () => {
    const code = `const m = await import(${JSON.stringify(index)}); const ca = await m.createCa({ commonName: 'fresh' }); console.log(String(ca));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code]);
    expect(stdout).toMatch(/^Credential\(CN=fresh, serial [0-9a-f]{32}\)$/m);
  });
});
