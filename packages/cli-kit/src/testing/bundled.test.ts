import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliKitLeftIn } from './bundled.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-kit-bundled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cliKitLeftIn', () => {
  it('finds an import or a type reference left in dist (code and declarations only) and a dependency on the kit', () => {
    const app = join(dir, 'app');
    mkdirSync(join(app, 'dist', 'chunks'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ dependencies: { '@qkd-macsec/cli-kit': '0.1.0' }, devDependencies: { '@qkd-macsec/cli-kit': '0.1.0' } }));
    writeFileSync(join(app, 'dist', 'index.js'), 'export const x = 1;\n');
    writeFileSync(join(app, 'dist', 'chunks', 'cli.cjs'), 'const kit = require("@qkd-macsec/cli-kit");\n');
    writeFileSync(join(app, 'dist', 'index.d.ts'), "import { Logger } from '@qkd-macsec/cli-kit';\n");
    writeFileSync(join(app, 'dist', 'index.js.map'), '{"sourcesContent":["import \'@qkd-macsec/cli-kit\'"]}');
    expect(cliKitLeftIn(app).sort()).toEqual(['dist/chunks/cli.cjs', 'dist/index.d.ts', 'package.json dependencies']);
  });

  it('an empty dist is an error, not a pass', () => {
    mkdirSync(join(dir, 'empty', 'dist'), { recursive: true });
    expect(() => cliKitLeftIn(join(dir, 'empty'))).toThrow(/no built file/);
  });
});
