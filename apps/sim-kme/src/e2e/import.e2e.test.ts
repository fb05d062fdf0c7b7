// The built package as npm would install it: importing it (what the rotator's demo does, lazily)
// starts nothing and reads no file; and the private CLI kit is bundled in, never imported (the
// tarball does not depend on it).
import { fileURLToPath } from 'node:url';
import { cliKitLeftIn, importProblems } from '@qkd-macsec/cli-kit/testing';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the built @qkd-macsec/sim-kme', () => {
  it('importing dist/index.js or dist/index.cjs (a fresh process each) reads no file, opens no socket, leaves nothing running', () => {
    expect(importProblems(root)).toEqual([]);
  });

  it('has @qkd-macsec/cli-kit bundled in: no file of dist names it, and no dependency does', () => {
    expect(cliKitLeftIn(root)).toEqual([]);
  });
});
