import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The README example and examples/rollover.ts must stay the same program.
describe('README', () => {
  it('shows the code of examples/rollover.ts', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /## Example: a hitless key-chain rollover\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const example = readFileSync(new URL('../examples/rollover.ts', import.meta.url), 'utf8');
    expect(block).toBeDefined();
    expect(example.split('\n').slice(1).join('\n')).toBe(block!.replace("from '@qkd-macsec/macsec-config';", "from '../src/index.js';"));
  });
});
