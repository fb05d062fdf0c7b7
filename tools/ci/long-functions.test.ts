import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, 'long-functions.mjs');
const run = (...folders: string[]) => spawnSync(process.execPath, [script, ...folders], { encoding: 'utf8' });

/** A function whose text spans `lines` lines, with `comment` above it. */
const fn = (name: string, lines: number, comment = '') =>
  `${comment}export function ${name}() {\n${'  void 0;\n'.repeat(lines - 2)}}\n`;

describe('long-functions.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'long-functions-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds no function over 80 lines without a stated reason in packages/*/src and apps/*/src', () => {
    const r = run();
    expect(r.stdout, `functions over 80 lines with no "// Over 80 lines: <reason>" comment:\n${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('lists a function over 80 lines unless a comment directly above it states the reason', () => {
    writeFileSync(
      join(dir, 'a.ts'),
      [
        fn('exactly80', 80),
        fn('noReason', 81),
        fn('withReason', 81, '/** What it does. */\n// Over 80 lines: one closure its short methods share.\n'),
        fn('emptyReason', 81, '// Over 80 lines:\n'),
        fn('reasonInJsDoc', 81, '/** Over 80 lines: the marker is a line comment, not JSDoc. */\n'),
        `// Over 80 lines: an arrow function's reason sits above its statement.\nexport const arrow = () => {\n${'  void 0;\n'.repeat(80)}};\n`,
        `export const object = {\n  method() {\n${'    void 0;\n'.repeat(80)}  },\n};\n`,
      ].join('\n'),
    );
    const r = run(dir);
    expect(r.status).toBe(1);
    const listed = r.stdout.trim().split('\n').map((l) => l.split(' ').slice(1).join(' '));
    expect(listed).toEqual(['noReason 81 lines', 'emptyReason 81 lines', 'reasonInJsDoc 81 lines', 'method 82 lines']);
  });

  it('leaves out test files and testing/ folders', () => {
    const sub = join(dir, 'only-tests');
    mkdirSync(join(sub, 'testing'), { recursive: true });
    writeFileSync(join(sub, 'x.test.ts'), fn('inATest', 100));
    writeFileSync(join(sub, 'testing', 'harness.ts'), fn('inAHarness', 100));
    const r = run(sub);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
