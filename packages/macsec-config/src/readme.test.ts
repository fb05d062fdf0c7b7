import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

// The README example and examples/rollover.ts must stay the same program, and what the README
// says it prints must be what it prints.
describe('README', () => {
  it('shows the code of examples/rollover.ts', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /## Example: a hitless key-chain rollover\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const example = readFileSync(new URL('../examples/rollover.ts', import.meta.url), 'utf8');
    expect(block).toBeDefined();
    expect(example.split('\n').slice(1).join('\n')).toBe(block!.replace("from '@qkd-macsec/macsec-config';", "from '../src/index.js';"));
  });

  it('prints what the README says', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await import('../examples/rollover.js');
      const calls = log.mock.calls;
      expect(calls[0]).toEqual([256]);
      expect(calls[1]?.[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(calls[2]).toEqual(['[redacted]']);
      expect(calls[3]).toEqual([1, '2026-11-24.20:05:00', [62], 0, 63]);
      const ckn = calls[1]![0] as string;
      expect(calls[4]?.[0]).toBe(
        [
          'delete security authentication-key-chains key-chain QKD_KC key 62',
          'set security authentication-key-chains key-chain QKD_KC key 1 secret [redacted]',
          `set security authentication-key-chains key-chain QKD_KC key 1 key-name ${ckn}`,
          'set security authentication-key-chains key-chain QKD_KC key 1 start-time 2026-11-24.20:05:00',
        ].join('\n'),
      );
      expect(calls[5]?.[0]).toContain(`<key delete="delete">\n          <name>62</name>\n        </key>\n        <key>\n          <name>1</name>\n          <secret>${'5a'.repeat(32)}</secret>`);
    } finally {
      log.mockRestore();
    }
  });
});
