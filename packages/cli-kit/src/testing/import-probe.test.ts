import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importProblems } from './import-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-kit-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function app(name: string, esm: string, cjs: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'dist', 'index.js'), esm);
  writeFileSync(join(root, 'dist', 'index.cjs'), cjs);
  return root;
}

describe('importProblems', () => {
  it('none for entry points that only define things', () => {
    expect(importProblems(app('quiet', 'export const a = 1;\n', 'exports.a = 1;\n'))).toEqual([]);
  });

  it('names a file read, a server listening and what is left running, per entry point', () => {
    const data = join(dir, 'data.txt');
    writeFileSync(data, 'x');
    const root = app(
      'busy',
      `import { readFileSync } from 'node:fs';\nreadFileSync(${JSON.stringify(data)}, 'utf8');\nexport const a = 1;\n`,
      "require('node:net').createServer().listen(0, '127.0.0.1');\nexports.a = 1;\n",
    );
    const problems = importProblems(root);
    expect(problems).toContain(`dist/index.js: readFileSync ${data}`);
    expect(problems).toContain('dist/index.cjs: listen');
    expect(problems).toContain('dist/index.cjs: leaves TCPServerWrap running');
  });

  it('an entry point that does not load is a problem, not a pass', () => {
    const problems = importProblems(app('broken', "import 'nowhere-to-be-found';\n", 'exports.a = 1;\n'));
    expect(problems.join('\n')).toMatch(/^dist\/index\.js: stderr .*nowhere-to-be-found/s);
  });
});
