#!/usr/bin/env node
// Consumer check: does a workspace package work for someone who installs it from npm?
//
//   node tools/ci/consumer-check.mjs packages/<name>     (after the package's build)
//
// tools/ci/check-packages.mjs runs it on every published package, from the tarball it packed.
//
// Packs the package (npm pack: what `files` publishes), unpacks it into a throw-away project
// under the OS temp dir, links its dependencies from the workspace's node_modules (offline: no
// registry), and there
//   - type-checks a CommonJS file (.cts) and an ESM file (.mts) importing every entry point, with
//     `module: node16` and no skipLibCheck, each on its own (so an error says which side failed);
//   - require()s and import()s every entry point with Node.
// Exit code 0 when all of it passes; the output names each step and quotes the compiler.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** node_modules/<name> as seen from `from`, walking up like Node does. */
function installed(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed (looked up from ${from}); run npm ci`);
  }
}

function link(target, path) {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

/** The package's import specifiers: its name and each subpath export but package.json. */
function entryPoints(manifest) {
  const subpaths = manifest.exports && typeof manifest.exports === 'object' ? Object.keys(manifest.exports) : ['.'];
  return subpaths.filter((p) => p === '.' || (p.startsWith('./') && !p.endsWith('.json') && !p.includes('*'))).map((p) => (p === '.' ? manifest.name : `${manifest.name}/${p.slice(2)}`));
}

function run(log, label, command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  const ok = result.status === 0;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  log(`${ok ? 'ok  ' : 'FAIL'} ${label}${output ? `\n${output.replace(/^/gm, '     ')}` : ''}`);
  return ok;
}

/**
 * Checks the package in `packageDir` from `tarball` (its `npm pack`), or packs it first; `log`
 * receives each step's line. True when every step passed.
 */
export function consumerCheck(packageDir, { tarball, log = console.log } = {}) {
  const dir = resolve(packageDir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const main = manifest.exports?.['.'] ? 'exports' : 'main';
  if (main === 'main' && !manifest.main) throw new Error(`${dir}/package.json has neither exports nor main`);
  const project = mkdtempSync(join(tmpdir(), 'consumer-check-'));
  try {
    const packedFile = tarball ?? join(project, JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', project], { cwd: dir, encoding: 'utf8' }))[0].filename);
    const unpacked = join(project, 'node_modules', manifest.name);
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', packedFile, '-C', unpacked, '--strip-components=1']);
    // optionalDependencies too: npm installs them unless told --omit=optional.
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })) link(installed(dep, dir), join(project, 'node_modules', dep));
    link(installed('@types/node', workspace), join(project, 'node_modules', '@types', 'node'));

    const specifiers = entryPoints(manifest);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'commonjs' }));
    writeFileSync(join(project, 'consumer.cts'), specifiers.map((s, i) => `import * as entry${i} from '${s}';\nexport const names${i} = Object.keys(entry${i});\n`).join(''));
    writeFileSync(join(project, 'consumer.mts'), specifiers.map((s, i) => `import * as entry${i} from '${s}';\nexport const names${i} = Object.keys(entry${i});\n`).join(''));
    writeFileSync(join(project, 'run.cjs'), specifiers.map((s) => `require('${s}');\n`).join(''));
    writeFileSync(join(project, 'run.mjs'), specifiers.map((s) => `await import('${s}');\n`).join(''));

    const tsc = join(installed('typescript', workspace), 'bin', 'tsc');
    const options = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', '--skipLibCheck', 'false'];
    log(`${manifest.name}: ${basename(packedFile)}, entry points ${specifiers.join(', ')}`);
    const results = [
      run(log, 'tsc: CommonJS consumer (consumer.cts, module node16)', process.execPath, [tsc, ...options, 'consumer.cts'], project),
      run(log, 'tsc: ESM consumer (consumer.mts, module node16)', process.execPath, [tsc, ...options, 'consumer.mts'], project),
      run(log, 'node: require() every entry point', process.execPath, ['run.cjs'], project),
      run(log, 'node: import() every entry point', process.execPath, ['run.mjs'], project),
    ];
    return results.every(Boolean);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const packageDir = process.argv[2];
  if (!packageDir) {
    console.error('usage: node tools/ci/consumer-check.mjs <package dir>');
    process.exit(2);
  }
  process.exit(consumerCheck(packageDir) ? 0 : 1);
}
