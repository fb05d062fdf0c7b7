import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesNamingCliKit } from './bundled.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-kit-bundled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('filesNamingCliKit', () => {
  it('finds an import or a type reference of the package left in a dist, in code and declarations only', () => {
    mkdirSync(join(dir, 'dist', 'chunks'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.js'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'dist', 'chunks', 'cli.cjs'), 'const kit = require("@qkd-macsec/cli-kit");\n');
    writeFileSync(join(dir, 'dist', 'index.d.ts'), "import { Logger } from '@qkd-macsec/cli-kit';\n");
    writeFileSync(join(dir, 'dist', 'index.js.map'), '{"sourcesContent":["import \'@qkd-macsec/cli-kit\'"]}');
    expect(filesNamingCliKit(join(dir, 'dist')).sort()).toEqual([join('chunks', 'cli.cjs'), 'index.d.ts']);
  });

  it('an empty dist is an error, not a pass', () => {
    mkdirSync(join(dir, 'empty'));
    expect(() => filesNamingCliKit(join(dir, 'empty'))).toThrow(/no built file/);
  });
});
