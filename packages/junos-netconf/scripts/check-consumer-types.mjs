#!/usr/bin/env node
// What a consumer's `tsc` sees of the published package: build it with its declarations, `npm pack`
// it, unpack the tarball in a scratch project with its dependencies, TypeScript and @types/node
// linked from the workspace — no @types/ssh2 — and type-check the README example under
// `moduleResolution: node16`, once as ESM (.mts) and once as CommonJS (.cts), against the
// package's `import` and `require` type declarations. Each file also asserts that the device is
// not `any` (a `@ts-expect-error` that must find an error). Prints tsc's output; exits non-zero
// when it fails. Run: `node scripts/check-consumer-types.mjs` (src/consumer-types.test.ts does).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(pkgDir, 'package.json'));
/** node_modules/<name> as Node finds it from the package (not require.resolve: a package's exports may hide package.json). */
function installedDir(name) {
  for (let dir = pkgDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed; run npm ci`);
  }
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = { stdio: 'pipe', encoding: 'utf8' };

/** The README's example block, with its imports split from its body (a CJS file has no top-level await). */
function readmeExample() {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const block = /## Example: stage a MACsec key with commit confirmed\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no "Example: stage a MACsec key with commit confirmed" ts block');
  const lines = block.split('\n');
  return { imports: lines.filter((l) => l.startsWith('import ')).join('\n'), body: lines.filter((l) => !l.startsWith('import ')).join('\n') };
}

// `device` must be typed: if the package's types degraded to `any`, this line is no error and tsc fails on the directive.
const NOT_ANY = '// @ts-expect-error -- a JunosDevice has no such method\nvoid device.noSuchMethod;\n';

function consumerFiles() {
  const { imports, body } = readmeExample();
  const esm = `${imports}\n${body}\n${NOT_ANY}`;
  const cjs = `${imports}\n\nasync function main(): Promise<void> {\n${body}\n${NOT_ANY}}\nvoid main();\n`;
  return { 'example.mts': esm, 'example.cts': cjs };
}

export function checkConsumerTypes() {
  const scratch = mkdtempSync(join(tmpdir(), 'junos-netconf-consumer-'));
  try {
    const staged = join(scratch, 'package');
    mkdirSync(staged);
    execFileSync(process.execPath, [require.resolve('tsup/dist/cli-default.js'), '--out-dir', join(staged, 'dist'), '--silent'], { ...quiet, cwd: pkgDir });
    for (const f of ['package.json', 'README.md']) cpSync(join(pkgDir, f), join(staged, f));
    execFileSync(npm, ['pack', '--silent', '--pack-destination', scratch], { ...quiet, cwd: staged });
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');

    // The tarball unpacked where npm would put it; its dependencies, TypeScript and @types/node
    // linked from the workspace (offline, and @qkd-macsec/macsec-config is not on a registry).
    // Nothing else: no @types/ssh2, which a consumer of the package does not have either.
    const consumer = join(scratch, 'consumer');
    const installed = join(consumer, 'node_modules', '@qkd-macsec', 'junos-netconf');
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    execFileSync('tar', ['-xzf', join(scratch, tarball), '-C', installed, '--strip-components=1'], quiet);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    for (const dep of [...Object.keys(manifest.dependencies ?? {}), 'typescript', '@types/node']) {
      const target = join(consumer, 'node_modules', dep);
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(installedDir(dep), target, 'dir');
    }
    for (const [name, text] of Object.entries(consumerFiles())) writeFileSync(join(consumer, name), text);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['example.mts', 'example.cts'] }),
    );
    try {
      execFileSync(process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer, '--listFilesOnly'], { ...quiet, cwd: consumer });
      execFileSync(process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { ...quiet, cwd: consumer });
      const installed = readdirSync(join(consumer, 'node_modules', '@types'));
      return { ok: true, output: `tsc --noEmit: example.mts (ESM) and example.cts (CJS) type-check; @types installed: ${installed.join(', ')}` };
    } catch (err) {
      return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = checkConsumerTypes();
  console.log(result.output);
  process.exitCode = result.ok ? 0 : 1;
}
