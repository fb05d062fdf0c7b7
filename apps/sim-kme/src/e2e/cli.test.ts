// The sim-kme command as a user runs it: real processes, files on disk, signals.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createQkdClient } from '@qkd-macsec/etsi-qkd-client';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli.ts');
// The child runs in a temporary directory, so name tsx's loader by its full path.
const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
const run = (args: string[], cwd: string) => spawnSync(process.execPath, ['--import', tsx, cli, ...args], { cwd, encoding: 'utf8' });

describe('sim-kme pki', () => {
  it('writes a CA, KME and SAE certificates with private keys at 0600, and refuses to overwrite', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-cli-'));
    const first = run(['pki', '--out', 'pki'], dir);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('./pki/saes/SAE_A.crt');
    for (const f of ['ca.key', 'kmes/KME_A.key', 'kmes/KME_B.client.key', 'saes/SAE_B.key'])
      expect((statSync(join(dir, 'pki', f)).mode & 0o777).toString(8), f).toBe('600');
    expect((statSync(join(dir, 'pki', 'ca.crt')).mode & 0o777).toString(8)).toBe('644');
    const again = run(['pki', '--out', 'pki'], dir);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/ca\.crt: a PKI already exists here; pass force to replace it/);
  });
});

describe('sim-kme serve', () => {
  it('names the bad field of a config file', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-cli-'));
    writeFileSync(join(dir, 'sim.yaml'), 'kmes:\n  - id: KME_A\n  - id: KME_B\n    port: 99999\n');
    const res = run(['serve', '--config', 'sim.yaml'], dir);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('sim.yaml):\n  kmes[1].port: expected a number 0..65535');
  });

  it('tells a new user to make the PKI first', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-cli-'));
    writeFileSync(join(dir, 'sim.yaml'), 'kmes:\n  - id: KME_A\n    saes: [SAE_A]\n');
    const res = run(['serve', '--config', 'sim.yaml'], dir);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/pki\/ca\.crt: cannot read: .*\(run `sim-kme pki --out DIR` with the same KME IDs first\)/);
  });

  it('serves the configured KMEs, logs no key material even at debug, and exits cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-cli-'));
    writeFileSync(
      join(dir, 'sim.yaml'),
      ['pkiDir: ./pki', 'kmes:', '  - { id: KME_A, port: 0, saes: [SAE_A] }', '  - { id: KME_B, port: 0, saes: [SAE_B] }', 'links:', '  - kmes: [KME_A, KME_B]', ''].join('\n'),
    );
    expect(run(['pki', '--out', 'pki', '--config', 'sim.yaml'], dir).status).toBe(0);
    const child = spawn(process.execPath, ['--import', tsx, cli, 'serve', '--config', 'sim.yaml', '--log-format', 'json', '--log-level', 'debug'], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const check = () => (/KME_B\s+https:\/\/127\.0\.0\.1:\d+/.test(out) ? resolve() : undefined);
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`sim-kme exited early:\n${out}`)));
    });
    const urlOf = (id: string) => new RegExp(`${id}\\s+(https://127\\.0\\.0\\.1:\\d+)`).exec(out)![1]!;
    const files = (sae: string) => ({ certFile: join(dir, 'pki/saes', `${sae}.crt`), keyFile: join(dir, 'pki/saes', `${sae}.key`), caFile: join(dir, 'pki/ca.crt') });
    const master = createQkdClient({ baseUrl: urlOf('KME_A'), tls: files('SAE_A'), retry: false });
    const slave = createQkdClient({ baseUrl: urlOf('KME_B'), tls: files('SAE_B'), retry: false });
    try {
      const { keys } = await master.getKey('SAE_B', { size: 256 });
      const fetched = await slave.getKeyWithIds('SAE_A', [keys[0]!.keyId]);
      expect(fetched.keys[0]!.keyId).toBe(keys[0]!.keyId);
      const bytes = Buffer.from(keys[0]!.bytes);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain(keys[0]!.keyId); // the debug log did record the request…
      expect(out).not.toContain(bytes.toString('base64')); // …but never the key
      expect(out).not.toContain(bytes.toString('hex'));
    } finally {
      await master.close();
      await slave.close();
      child.kill('SIGKILL');
    }
  });
});
