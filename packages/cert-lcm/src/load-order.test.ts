// @peculiar/x509 throws at import unless the Reflect metadata polyfill is loaded first. Users of
// this package must not have to know: a fresh process importing only this package works.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

describe('side effects of loading', () => {
  it('leaves @peculiar/x509’s crypto provider as the application set it, and does not sign through it', async () => {
    const code = `
      import 'reflect-metadata';
      const x509 = await import('@peculiar/x509');
      let calls = 0;
      const subtle = new Proxy(globalThis.crypto.subtle, { get: (t, p) => { calls++; const v = Reflect.get(t, p); return typeof v === 'function' ? v.bind(t) : v; } });
      const own = { subtle, getRandomValues: (a) => globalThis.crypto.getRandomValues(a) };
      x509.cryptoProvider.set(own);
      const m = await import(${JSON.stringify(index)});
      const ca = await m.createCa({ commonName: 'ca' });
      const leaf = await m.issueCertificate({ issuer: ca, profile: 'client', commonName: 'leaf' });
      console.log(JSON.stringify({ unchanged: x509.cryptoProvider.get() === own, calls, chain: m.verifyChain(leaf, { ca, now: new Date() }).ok }));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code]);
    expect(JSON.parse(stdout)).toEqual({ unchanged: true, calls: 0, chain: true });
  });

  it('package.json declares the one side effect: the built entries load reflect-metadata (src/x509.ts)', async () => {
    const src = fileURLToPath(new URL('.', import.meta.url));
    const modules = (await readdir(src)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const bareImports: string[] = [];
    for (const f of modules) if (/^import '[^']+';$/m.test(await readFile(join(src, f), 'utf8'))) bareImports.push(f);
    expect(bareImports).toEqual(['x509.ts']);
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { sideEffects: unknown };
    // tsup bundles x509.ts into each entry, so the entries are the files with the side effect.
    expect(manifest.sideEffects).toEqual(['./dist/index.js', './dist/index.cjs']);
  });
});
