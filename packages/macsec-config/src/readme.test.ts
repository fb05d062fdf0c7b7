import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { checkConfig, parseConfigurationXml, renderSet, validateForPlatform } from './index.js';

// The README's examples and examples/*.ts must stay the same programs, and what the README says
// they print must be what they print.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = (file: string) => readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8');
/** The README's code block after `heading` (the first ```ts block after it). */
const blockAfter = (heading: string) => new RegExp(`${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];

const thrown = (run: () => unknown): Error | undefined => {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  return undefined;
};

const EXAMPLES = { 'rollover.ts': () => import('../examples/rollover.js'), 'xml.ts': () => import('../examples/xml.js') };

/** Runs an example, returning each console.log line as Node prints it. */
async function printed(file: keyof typeof EXAMPLES): Promise<string[]> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await EXAMPLES[file]();
    return log.mock.calls.map((args) => format(...args));
  } finally {
    log.mockRestore();
  }
}

describe('README', () => {
  it('shows the code of examples/rollover.ts', () => {
    const block = blockAfter('## Example: a hitless key-chain rollover');
    expect(block).toBeDefined();
    expect(example('rollover.ts').split('\n').slice(1).join('\n')).toBe(block!.replace("from '@qkd-macsec/macsec-config';", "from '../src/index.js';"));
  });

  it('prints what the README says', async () => {
    const calls = await printed('rollover.ts');
    expect(calls[0]).toBe('256');
    expect(calls[1]).toMatch(/^[0-9a-f]{64}$/);
    expect(calls[2]).toBe('[redacted]');
    expect(calls[3]).toBe('1 2026-11-24.20:05:00 [ 62 ] 0 63');
    const ckn = calls[1]!;
    expect(calls[4]).toBe(
      [
        'delete security authentication-key-chains key-chain QKD_KC key 62',
        'set security authentication-key-chains key-chain QKD_KC key 1 secret [redacted]',
        `set security authentication-key-chains key-chain QKD_KC key 1 key-name ${ckn}`,
        'set security authentication-key-chains key-chain QKD_KC key 1 start-time 2026-11-24.20:05:00',
      ].join('\n'),
    );
    expect(calls[5]).toContain(`<key delete="delete">\n          <name>62</name>\n        </key>\n        <key>\n          <name>1</name>\n          <secret>${'5a'.repeat(32)}</secret>`);
  });

  it('shows the code of examples/xml.ts, and it prints what its comments say', async () => {
    const source = example('xml.ts');
    expect(blockAfter('## XML (`@qkd-macsec/macsec-config/xml`)')).toBe(source.split('\n').slice(1).join('\n').replace("from '../src/xml/index.js';", "from '@qkd-macsec/macsec-config/xml';"));
    // The comment right after a line of code is what that code printed.
    const lines = source.split('\n');
    const said = lines.filter((l, i) => l.startsWith('// ') && i > 0 && lines[i - 1]!.trim() !== '' && !lines[i - 1]!.startsWith('//')).map((l) => l.slice(3));
    expect(said).toHaveLength(5);
    expect(await printed('xml.ts')).toEqual(said);
  });

  it('gives the results the README shows for single calls', () => {
    const bad = thrown(() => parseConfigurationXml('<configuration><system><host-name>r1&nbsp;</host-name></system></configuration>'));
    const shown = /\/\/ (ConfigParseError: [^\n]*)\n\/\/ ([^\n]*)/.exec(readme);
    expect(`${bad!.name}: ${bad!.message}`).toBe(`${shown![1]} ${shown![2]}`);
    expect(checkConfig({ connectivityAssociations: [{ name: 'CA', preSharedKeyChain: 'KC' }] })).toEqual([
      { path: 'connectivityAssociations[0].preSharedKeyChain', message: 'pre-shared-key-chain requires security-mode static-cak (none set)' },
    ]);
    expect(readme).toContain("message: 'pre-shared-key-chain requires security-mode static-cak (none set)' }]");
    expect(renderSet({ keyChains: [{ name: 'QKD_KC', tolerance: 3600, keys: [] }] })).toEqual(['set security authentication-key-chains key-chain QKD_KC tolerance 3600']);
    expect(readme).toContain("// [ 'set security authentication-key-chains key-chain QKD_KC tolerance 3600' ]");
    const refused = thrown(() => validateForPlatform({ connectivityAssociations: [{ name: 'CA', securityMode: 'static-cak', preSharedKeyChain: 'KC' }] }, 'srx'));
    const shownRefusal = /\/\/ (MacsecValidationError: [^\n]*)\n\/\/ ([^\n]*)/.exec(readme);
    expect(`${refused!.name}: ${refused!.message}`).toBe(`${shownRefusal![1]} ${shownRefusal![2]}`);
  });
});
