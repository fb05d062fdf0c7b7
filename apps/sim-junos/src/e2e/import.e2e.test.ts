// The built package as npm would install it: importing it (what the rotator's demo does, lazily)
// starts nothing and reads no file, on the ESM and CommonJS entry points, each in a fresh process;
// and the private CLI kit is bundled in, never imported (the tarball does not depend on it).
import { fileURLToPath } from 'node:url';
import { cliKitLeftIn, probeImport } from '@qkd-macsec/cli-kit/testing';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the built @qkd-macsec/sim-junos', () => {
  for (const entry of ['dist/index.js', 'dist/index.cjs'])
    it(`importing ${entry}: no file read, no socket, nothing left running`, () => {
      const out = probeImport(`${root}${entry}`);
      expect(out).toMatchObject({ stderr: '', seen: [], handles: [] });
      expect(out.exports).toBeGreaterThan(5);
    });

  it('has @qkd-macsec/cli-kit bundled in: no file of dist names it, and no dependency does', () => {
    expect(cliKitLeftIn(root)).toEqual([]);
  });
});
