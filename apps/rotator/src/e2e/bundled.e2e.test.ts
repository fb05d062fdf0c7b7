// The built package as npm would publish it: the private CLI kit is bundled into dist, never
// imported, and no dependency names it (the tarball could not install it).
import { fileURLToPath } from 'node:url';
import { cliKitLeftIn } from '@qkd-macsec/cli-kit/testing';
import { describe, expect, it } from 'vitest';

describe('the built @qkd-macsec/rotator', () => {
  it('has @qkd-macsec/cli-kit bundled in: no file of dist names it, and no dependency does', () => {
    expect(cliKitLeftIn(fileURLToPath(new URL('../../', import.meta.url)))).toEqual([]);
  });
});
