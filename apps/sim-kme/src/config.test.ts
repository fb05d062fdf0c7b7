import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultConfigInput, linkLimits, loadConfigFile, parseConfig, SimKmeConfigError } from './config.js';

function issuesOf(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(SimKmeConfigError);
    return (err as SimKmeConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseConfig', () => {
  it('accepts the default topology and fills in defaults', () => {
    const config = parseConfig(defaultConfigInput());
    expect(config.kmes.map((k) => [k.id, k.saes, k.host, k.port])).toEqual([
      ['KME_A', ['SAE_A'], '127.0.0.1', 0],
      ['KME_B', ['SAE_B'], '127.0.0.1', 0],
    ]);
    expect(config.saeIdFrom).toBe('cn');
    expect(linkLimits(config, config.links[0]!)).toMatchObject({ keySize: 256, maxKeyCount: 1000, maxKeyPerRequest: 128 });
  });

  it('names the path of a bad field', () => {
    const input = defaultConfigInput();
    input.kmes[1]!.port = 70000;
    expect(issuesOf(input)).toEqual(['kmes[1].port: expected a number 0..65535']);
    expect(issuesOf({ kmes: [{ id: 'K', port: 'x' }] })).toEqual(['kmes[0].port: expected a number 0..65535']);
  });

  it('refuses unknown fields, unknown KMEs in links and SAEs attached twice', () => {
    expect(issuesOf({ kmes: [{ id: 'K', prot: 1 }] })[0]).toMatch(/^kmes\[0\]: .*prot/);
    expect(issuesOf({ kmes: [{ id: 'A' }], links: [{ kmes: ['A', 'B'] }] })).toEqual(['links[0].kmes[1]: unknown KME "B"']);
    expect(issuesOf({ kmes: [{ id: 'A', saes: ['S'] }, { id: 'B', saes: ['S'] }] })).toEqual([
      'kmes[1].saes[0]: SAE "S" is already attached to A',
    ]);
  });

  it('checks key sizes against each other', () => {
    const input = { ...defaultConfigInput(), defaults: { minKeySize: 512, maxKeySize: 256 } };
    expect(issuesOf(input)).toContain('links[0]: minKeySize 512 exceeds maxKeySize 256');
    expect(issuesOf({ ...defaultConfigInput(), defaults: { keySize: 100 } })).toContain('links[0]: keySize 100 is not a multiple of 8');
  });

  it('lets a link override the defaults', () => {
    const config = parseConfig({ ...defaultConfigInput(), defaults: { maxKeyCount: 10 }, links: [{ kmes: ['KME_A', 'KME_B'], keySize: 128 }] });
    expect(linkLimits(config, config.links[0]!)).toMatchObject({ maxKeyCount: 10, keySize: 128 });
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-kme-config-'));

  it('reads YAML and resolves paths relative to the file', () => {
    const file = join(dir, 'sim.yaml');
    writeFileSync(file, 'pkiDir: ./pki\nkmes:\n  - id: KME_A\n    port: 8443\n    saes: [SAE_A]\n');
    const config = loadConfigFile(file);
    expect(config.pkiDir).toBe(join(dir, 'pki'));
    expect(config.kmes[0]!.port).toBe(8443);
  });

  it('names the file and the field', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ kmes: [{ id: 'A' }, { id: 'B', port: -1 }] }));
    expect(() => loadConfigFile(file)).toThrow(`invalid sim-kme configuration (${file}):\n  kmes[1].port: expected a number 0..65535`);
  });

  it('reports unreadable files and bad syntax', () => {
    expect(() => loadConfigFile(join(dir, 'missing.yaml'))).toThrow(/cannot read the file/);
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'kmes: [\n');
    expect(() => loadConfigFile(file)).toThrow(/not valid YAML or JSON/);
  });
});

describe('the README', () => {
  it('documents a configuration that validates, keyLog uncommented, with its paths resolved against the file', () => {
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!.replace('# keyLog:', 'keyLog:');
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-readme-'));
    writeFileSync(join(dir, 'sim.yaml'), yaml);
    const config = loadConfigFile(join(dir, 'sim.yaml'));
    expect(config.keyLog).toBe(join(dir, 'keys.jsonl'));
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(config.http).toEqual({ headersTimeoutMs: 5000, requestTimeoutMs: 10000 });
  });

  it('names the bad admin, keyLog and http fields', () => {
    expect(issuesOf({ ...defaultConfigInput(), admin: { host: '10.0.0.1' }, keyLog: '', http: { headersTimeoutMs: 1.5 } })).toEqual([
      'admin.host: must be a loopback address (127.0.0.1, ::1 or localhost): the admin endpoint has no authentication',
      'keyLog: expected a file path',
      'http.headersTimeoutMs: expected a whole number of milliseconds >= 1',
    ]);
  });
});
