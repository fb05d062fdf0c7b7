// What every qkd-macsec command promises (CONTRIBUTING.md), checked on the built sim-kme binary:
// --version from package.json, exit codes 0/1/2, logs on stderr without colour codes when
// stderr is not a terminal, results on stdout.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, run } from './testing/built-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-kme-contract-'));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('sim-kme command line', () => {
  it('--version prints the version of its package.json and exits 0', () => {
    const res = run(['--version'], dir);
    expect(res.stdout).toBe(`${pkg.version}\n`);
    expect(res.status).toBe(0);
  });

  it('--help lists the commands and the exit codes, exit 0', () => {
    const res = run(['--help'], dir);
    expect(res.stdout).toMatch(/Commands:\n\s+pki \[options\][\s\S]+serve \[options\]/);
    expect(res.stdout).toContain('Exit codes: 0 ok, 1 failed while running (e.g. a port in use), 2 bad command line or configuration.');
    expect(res.status).toBe(0);
  });

  it('an unknown option is a usage error: exit 2, the message and the help on stderr', () => {
    const res = run(['serve', '--bogus'], dir);
    expect(res.stderr).toMatch(/^error: unknown option '--bogus'\n\nUsage: sim-kme serve/);
    expect(res.stdout).toBe('');
    expect(res.status).toBe(2);
  });

  it('a config file that is not YAML is a configuration error: exit 2, naming the file', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'kmes: [ { id: KME_A\n');
    const res = run(['serve', '--config', 'broken.yaml'], dir);
    expect(res.stderr).toMatch(/^sim-kme: invalid sim-kme configuration \(broken\.yaml\):\n {2}not valid YAML or JSON: /);
    expect(res.status).toBe(2);
  });

  describe('with a PKI', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      expect(run(['pki', '--out', 'pki'], dir).status).toBe(0);
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      port = (taken.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('a port in use is a failure while running: exit 1, naming the KME and the address', () => {
      writeFileSync(join(dir, 'busy.yaml'), `pkiDir: ./pki\nkmes:\n  - { id: KME_A, port: ${port}, saes: [SAE_A] }\n  - { id: KME_B, port: 0, saes: [SAE_B] }\nlinks:\n  - kmes: [KME_A, KME_B]\n`);
      const res = run(['serve', '--config', 'busy.yaml', '--no-admin'], dir);
      expect(res.stderr).toContain(`sim-kme: cannot start KME_A on 127.0.0.1:${port}: listen EADDRINUSE`);
      expect(res.status).toBe(1);
    });

    it('logs on stderr with no colour codes when stderr is a pipe (also with NO_COLOR unset); results on stdout', { timeout: 60_000 }, async () => {
      writeFileSync(join(dir, 'free.yaml'), 'pkiDir: ./pki\nkmes:\n  - { id: KME_A, port: 0, saes: [SAE_A] }\n  - { id: KME_B, port: 0, saes: [SAE_B] }\nlinks:\n  - kmes: [KME_A, KME_B]\n');
      const env = { ...process.env };
      delete env.NO_COLOR;
      const child = spawn(process.execPath, [bin, 'serve', '--config', 'free.yaml', '--log-level', 'info'], { cwd: dir, env });
      const out = { stdout: '', stderr: '' };
      child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          const check = () => (/admin endpoint listening/.test(out.stderr) && /^admin: /m.test(out.stdout) ? resolve() : undefined);
          child.stdout.on('data', check);
          child.stderr.on('data', check);
          child.on('exit', () => reject(new Error(`sim-kme exited early:\n${out.stdout}${out.stderr}`)));
        });
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        expect(out.stderr).toMatch(/Z INFO sim-kme KME listening/);
        expect(out.stderr).not.toContain('\x1b[');
        expect(out.stdout).toMatch(/^sim-kme: 2 KME\(s\) listening\n/);
        expect(out.stdout).not.toContain('KME listening');
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
