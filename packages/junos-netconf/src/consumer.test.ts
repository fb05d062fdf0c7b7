// The package as npm installs it: packed, unpacked into a throw-away project, type-checked from
// a CommonJS and an ESM file (module node16, no skipLibCheck) and loaded by require() and
// import(). Runs on dist/, so the build comes first (package.json: test depends on build).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('../../../tools/ci/consumer-check.mjs', import.meta.url));

describe('as a consumer installs it', () => {
  it('type-checks from CommonJS and ESM (node16) and loads with require() and import()', async () => {
    expect(existsSync(new URL('../dist/index.d.cts', import.meta.url)), 'dist/ is missing: build the package first').toBe(true);
    const result = await promisify(execFile)(process.execPath, [script, packageDir], { encoding: 'utf8' }).catch((e: { stdout: string; stderr: string }) => e);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('ok   tsc: CommonJS consumer');
    expect(output).toContain('ok   tsc: ESM consumer');
    expect(output).toContain('ok   node: require() every entry point');
    expect(output).toContain('ok   node: import() every entry point');
    expect(output).not.toContain('FAIL');
  }, 300_000); // npm pack and two tsc runs: slow on a loaded machine
});
