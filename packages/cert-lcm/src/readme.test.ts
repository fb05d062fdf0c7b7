// The README's examples are the files in examples/; this runs them and checks the README still
// shows them word for word.
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';

const here = (p: string) => new URL(p, import.meta.url);

describe('README examples', () => {
  afterEach(() => vi.restoreAllMocks());

  for (const name of ['quickstart', 'renew-on-disk']) {
    it(`${name}.ts runs, prints no key material, and is in the README verbatim`, async () => {
      const lines: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
      await import(`../examples/${name}.ts`);
      const out = lines.join('\n');
      expect(out).toMatch(/Credential\(CN=/);
      expect(out).not.toMatch(/PRIVATE KEY|BEGIN/);
      const readme = await readFile(here('../README.md'), 'utf8');
      const source = (await readFile(here(`../examples/${name}.ts`), 'utf8')).trim();
      expect(readme).toContain(source);
    });
  }
});
