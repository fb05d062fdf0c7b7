#!/usr/bin/env node
// The checks a published package must pass, run by `npm test` after the build, on every workspace
// package that is not private, from the one tarball `npm pack` makes of it (what npm would publish):
//   - publint --strict: the package.json fields and the files they point at;
//   - @arethetypeswrong/cli, node16 profile: the types an ESM or CommonJS consumer gets resolve
//     to the code they run;
//   - the consumer check (consumer-check.mjs): a throw-away project type-checks every entry point
//     from a .cts and an .mts file and loads it with require() and import().
// A private package (packages/cli-kit, which the apps bundle into their dist; packages/junos-yang,
// test support) is never published, so not checked.
//
//   node tools/ci/check-packages.mjs [package dir…]     (default: all of them)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { consumerCheck } from './consumer-check.mjs';

const root = join(import.meta.dirname, '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const published = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(group, name)))
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .filter((dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).private !== true);
const packages = process.argv.length > 2 ? process.argv.slice(2).map((dir) => resolve(dir).slice(root.length + 1)) : published;

const failures = [];
function report(tool, dir, ok, output) {
  if (ok) {
    console.log(`ok    ${tool.padEnd(8)} ${dir}`);
  } else {
    failures.push(`${tool} ${dir}`);
    console.log(`FAIL  ${tool.padEnd(8)} ${dir}\n${output.replace(/^/gm, '      ')}`);
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'check-packages-'));
try {
  for (const dir of packages) {
    const cwd = join(root, dir);
    const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd, encoding: 'utf8' }));
    const tarball = join(scratch, filename);
    for (const [tool, args] of [
      ['publint', ['run', tarball, '--strict']],
      ['attw', [tarball, '--profile', 'node16', '--format', 'table-flipped']],
    ]) {
      const run = spawnSync(bin(tool), args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
      report(tool, dir, run.status === 0, `${run.stdout}${run.stderr}`.trim());
    }
    const lines = [];
    let ok = false;
    try {
      ok = consumerCheck(cwd, { tarball, log: (line) => lines.push(line) });
    } catch (err) {
      lines.push(String(err?.stack ?? err));
    }
    report('consumer', dir, ok, lines.join('\n'));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\n${failures.length} package check(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
