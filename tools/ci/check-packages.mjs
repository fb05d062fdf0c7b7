#!/usr/bin/env node
// The checks a published package must pass, run by `npm test` after the build: publint (the
// package.json fields and the files they point at) and @arethetypeswrong/cli with the node16
// profile (the types an ESM or CommonJS consumer gets resolve to the code they run). Every
// workspace package that is not private, from the tarball `npm pack` would publish: a private one
// (packages/cli-kit, which the apps bundle into their dist) is never published, so not checked.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

const packages = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(group, name)))
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .filter((dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).private !== true);

const failures = [];
for (const dir of packages) {
  for (const [tool, args] of [
    ['publint', ['--strict', '--pack', 'npm']],
    ['attw', ['--pack', '.', '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    const run = spawnSync(bin(tool), args, { cwd: join(root, dir), encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    const output = `${run.stdout}${run.stderr}`.trim();
    if (run.status === 0) {
      console.log(`ok    ${tool.padEnd(7)} ${dir}`);
    } else {
      failures.push(`${tool} ${dir}`);
      console.log(`FAIL  ${tool.padEnd(7)} ${dir}\n${output.replace(/^/gm, '      ')}`);
    }
  }
}
if (failures.length > 0) {
  console.error(`\n${failures.length} package check(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
