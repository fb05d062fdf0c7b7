// The published types as a consumer's tsc sees them (ESM and CJS, moduleResolution node16, without
// @types/ssh2): scripts/check-consumer-types.mjs packs the package, installs the tarball in a
// scratch project and type-checks the README example there.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/check-consumer-types.mjs', import.meta.url));

describe('published types', () => {
  it('type-check the README example in a consumer project, as ESM and as CJS, with no ssh2 types installed', async () => {
    const run = await promisify(execFile)(process.execPath, [script], { encoding: 'utf8', timeout: 240_000 }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: `${err.stdout ?? ''}${err.stderr ?? ''}`, stderr: '' }));
    expect(run.stdout.trim()).toBe('tsc --noEmit: example.mts (ESM) and example.cts (CJS) type-check; @types installed: node');
  }, 300_000);
});
