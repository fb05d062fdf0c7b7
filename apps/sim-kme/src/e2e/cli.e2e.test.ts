// The sim-kme command as a user runs it: the built binary (bin/sim-kme.js, dist/cli.js) in real
// processes, files on disk, signals, exit codes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createQkdClient, QkdServiceUnavailableError } from '@qkd-macsec/etsi-qkd-client';
import { bin, run } from './testing/built-cli.js';

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
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/ca\.crt: a PKI already exists here; replace it with --force \(force: true from code\)/);
  });
});

describe('sim-kme serve', () => {
  it('names the bad field of a config file', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-cli-'));
    writeFileSync(join(dir, 'sim.yaml'), 'kmes:\n  - id: KME_A\n  - id: KME_B\n    port: 99999\n');
    const res = run(['serve', '--config', 'sim.yaml'], dir);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('sim.yaml):\n  kmes[1].port: expected a number 0..65535');
  });

  it('tells a new user to make the PKI first', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-cli-'));
    writeFileSync(join(dir, 'sim.yaml'), 'kmes:\n  - id: KME_A\n    saes: [SAE_A]\n');
    const res = run(['serve', '--config', 'sim.yaml'], dir);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/pki\/ca\.crt: cannot read: .*\(run `sim-kme pki --out DIR` with the same KME IDs first\)/);
  });

  it('serves the configured KMEs, logs no key material even at debug, and exits cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-kme-cli-'));
    writeFileSync(
      join(dir, 'sim.yaml'),
      ['pkiDir: ./pki', 'kmes:', '  - { id: KME_A, port: 0, saes: [SAE_A] }', '  - { id: KME_B, port: 0, saes: [SAE_B] }', 'links:', '  - kmes: [KME_A, KME_B]', ''].join('\n'),
    );
    expect(run(['pki', '--out', 'pki', '--config', 'sim.yaml'], dir).status).toBe(0);
    const child = spawn(process.execPath, [bin, 'serve', '--config', 'sim.yaml', '--log-format', 'json', '--log-level', 'debug'], { cwd: dir });
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

/** A temporary directory with a two-KME config on free ports and its PKI. */
function servingDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-kme-cli-'));
  writeFileSync(
    join(dir, 'sim.yaml'),
    ['pkiDir: ./pki', 'kmes:', '  - { id: KME_A, port: 0, saes: [SAE_A] }', '  - { id: KME_B, port: 0, saes: [SAE_B] }', 'links:', '  - kmes: [KME_A, KME_B]', ''].join('\n'),
  );
  expect(run(['pki', '--out', 'pki', '--config', 'sim.yaml'], dir).status).toBe(0);
  return dir;
}

/** Runs `sim-kme serve` until it has printed its admin line; returns its output so far and a stop. */
async function serve(dir: string, args: string[]) {
  const child = spawn(process.execPath, [bin, 'serve', '--config', 'sim.yaml', ...args], { cwd: dir });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => (/^admin: http:\/\/127\.0\.0\.1:\d+$/m.test(out.stdout) ? resolve() : undefined));
    child.on('exit', () => reject(new Error(`sim-kme exited early:\n${out.stdout}${out.stderr}`)));
  });
  const urlOf = (id: string) => new RegExp(`${id}\\s+(https://127\\.0\\.0\\.1:\\d+)`).exec(out.stdout)![1]!;
  const files = (sae: string) => ({ certFile: join(dir, 'pki/saes', `${sae}.crt`), keyFile: join(dir, 'pki/saes', `${sae}.key`), caFile: join(dir, 'pki/ca.crt') });
  const stop = async () => {
    child.kill('SIGTERM');
    return exited;
  };
  return { child, out, urlOf, files, stop, adminUrl: /^admin: (\S+)$/m.exec(out.stdout)![1]! };
}

describe('sim-kme serve: admin endpoint and key log', () => {
  it('prints the admin URL; a PUT there makes the next call 503 and DELETE heals it; --key-log holds every key, 0600, with a warning', { timeout: 60_000 }, async () => {
    const dir = servingDir();
    const sim = await serve(dir, ['--key-log', 'keys.jsonl']);
    const master = createQkdClient({ baseUrl: sim.urlOf('KME_A'), tls: sim.files('SAE_A'), retry: false });
    const slave = createQkdClient({ baseUrl: sim.urlOf('KME_B'), tls: sim.files('SAE_B'), retry: false });
    try {
      expect(sim.out.stderr).toContain(`sim-kme: WARNING: key log on: every key handed out is written in clear to keys.jsonl (mode 0600)`);
      const put = await fetch(`${sim.adminUrl}/faults/KME_A`, { method: 'PUT', body: JSON.stringify({ unavailableRate: 1 }) });
      expect(put.status).toBe(200);
      expect(await master.getKey('SAE_B').catch((e: unknown) => e)).toBeInstanceOf(QkdServiceUnavailableError);
      expect((await fetch(`${sim.adminUrl}/faults/KME_A`, { method: 'DELETE' })).status).toBe(200);
      const { keys } = await master.getKey('SAE_B', { number: 2 });
      const fetched = await slave.getKeyWithIds('SAE_A', keys.map((k) => k.keyId));
      expect(await sim.stop()).toBe(0);
      const logged = readFileSync(join(dir, 'keys.jsonl'), 'utf8');
      for (const k of [...keys, ...fetched.keys]) {
        expect(logged).toContain(`"keyId":"${k.keyId}","hex":"${Buffer.from(k.bytes).toString('hex')}"`);
        expect(logged).toContain(`"base64":"${Buffer.from(k.bytes).toString('base64')}"`);
      }
      expect(logged.trim().split('\n')).toHaveLength(4);
      expect((statSync(join(dir, 'keys.jsonl')).mode & 0o777).toString(8)).toBe('600');
      // The key log is the only place key material goes: not stdout, not stderr.
      for (const k of keys) expect(sim.out.stdout + sim.out.stderr).not.toContain(Buffer.from(k.bytes).toString('base64'));
    } finally {
      await master.close();
      await slave.close();
      sim.child.kill('SIGKILL');
    }
  });

  it('writes no file without --key-log, and --no-admin turns the endpoint off', { timeout: 60_000 }, async () => {
    const dir = servingDir();
    const before = readdirSync(dir, { recursive: true }).sort();
    const child = spawn(process.execPath, [bin, 'serve', '--config', 'sim.yaml', '--no-admin'], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => (/KME_B\s+https:\/\/127\.0\.0\.1:\d+/.test(out) ? resolve() : undefined));
        child.on('exit', () => reject(new Error(`sim-kme exited early:\n${out}`)));
      });
      const url = /KME_A\s+(https:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      const master = createQkdClient({
        baseUrl: url,
        tls: { certFile: join(dir, 'pki/saes/SAE_A.crt'), keyFile: join(dir, 'pki/saes/SAE_A.key'), caFile: join(dir, 'pki/ca.crt') },
        retry: false,
      });
      expect((await master.getKey('SAE_B')).keys).toHaveLength(1);
      await master.close();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).not.toMatch(/admin:|key log/);
      expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses an admin address that is not loopback', { timeout: 60_000 }, () => {
    const res = run(['serve', '--admin', '0.0.0.0:9000'], mkdtempSync(join(tmpdir(), 'sim-kme-cli-')));
    expect(res.status).toBe(2);
    expect(res.stderr).toContain("option '--admin <host:port>' argument '0.0.0.0:9000' is invalid. 0.0.0.0 is not a loopback address");
  });
});
