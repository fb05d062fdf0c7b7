// What every qkd-macsec command promises (CONTRIBUTING.md), checked on the built sim-junos binary:
// --version from package.json, exit codes 0/1/2, logs on stderr without colour codes when
// stderr is not a terminal, results on stdout; and no password on the command line.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/built-cli.js';
import { rawNetconf } from '../testing/raw-netconf.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-junos-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const envWithout = (...names: string[]) => {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
};

async function finished(args: string[], env?: NodeJS.ProcessEnv) {
  const p = runCli(args, env);
  const [out, code] = await Promise.all([p.output, p.exit]);
  return { ...out, code };
}

describe('sim-junos command line', () => {
  it('--version prints the version of its package.json and exits 0', async () => {
    const res = await finished(['--version']);
    expect(res.stdout).toBe(`${pkg.version}\n`);
    expect(res.code).toBe(0);
  });

  it('--help names --password-file and the environment variable, not --password, and the exit codes', async () => {
    const res = await finished(['--help']);
    expect(res.stdout).toContain('--password-file <file>');
    expect(res.stdout).toContain('SIM_JUNOS_PASSWORD');
    expect(res.stdout).not.toMatch(/--password\s/);
    expect(res.stdout).toContain('Exit codes: 0 ok, 1 failed while running (e.g. a port in use), 2 bad command line or configuration.');
    expect(res.code).toBe(0);
  });

  it('an unknown option is a usage error: exit 2', async () => {
    const res = await finished(['--bogus']);
    expect(res.stderr).toMatch(/^error: unknown option '--bogus'\n/);
    expect(res.code).toBe(2);
  });

  it('a config file that is not YAML is a configuration error: exit 2, naming the file', async () => {
    const bad = join(dir, 'broken.yaml');
    writeFileSync(bad, 'devices: { r1: [\n');
    const res = await finished(['--config', bad]);
    expect(res.stderr).toContain(`sim-junos: ${bad}: not valid YAML`);
    expect(res.code).toBe(2);
  });

  it('--password is refused with what to use instead, and the value is not echoed', async () => {
    const res = await finished(['--password', 'hunter2-on-argv']);
    expect(res.stderr).toBe(
      'sim-junos: --password is not accepted: a password on the command line is visible to every user of the machine (ps). Put it in a file and pass --password-file FILE, or set SIM_JUNOS_PASSWORD\n',
    );
    expect(res.stdout + res.stderr).not.toContain('hunter2-on-argv');
    expect(res.code).toBe(2);
  });

  it('an unreadable or empty --password-file is a usage error naming the file', async () => {
    const missing = await finished(['--password-file', join(dir, 'nope')]);
    expect(missing.stderr).toMatch(/^sim-junos: --password-file .*nope: cannot read: ENOENT/);
    expect(missing.code).toBe(2);
    writeFileSync(join(dir, 'empty'), '\n');
    const empty = await finished(['--password-file', join(dir, 'empty')]);
    expect(empty.stderr).toMatch(/--password-file .*empty: the file is empty/);
    expect(empty.code).toBe(2);
  });

  it('--password-file: every device takes the password in the file (its last newline dropped), not repeated on stdout', async () => {
    const file = join(dir, 'pw');
    writeFileSync(file, 'from-a-file-pw\n');
    chmodSync(file, 0o600);
    const p = runCli(['--password-file', file, '--no-admin'], envWithout('SIM_JUNOS_PASSWORD'));
    const out = await p.output;
    try {
      expect(out.stdout).toMatch(new RegExp(`r1 {2}port \\d+ {2}user admin {2}password \\(from --password-file ${file}\\)`));
      expect(out.all).not.toContain('from-a-file-pw');
      const port = Number(/r1 {2}port (\d+)/.exec(out.stdout)![1]);
      const nc = await rawNetconf({ host: '127.0.0.1', port, username: 'admin', password: 'from-a-file-pw' });
      expect(await nc.rpc('<get-software-information/>')).toContain('<host-name>r1</host-name>');
      nc.close();
    } finally {
      p.stop();
    }
    expect(await p.exit).toBe(0);
  });

  it('a generated password is never printed: one 0600 file holds it, the banner gives its path, and the file goes at stop', async () => {
    const p = runCli(['--no-admin'], envWithout('SIM_JUNOS_PASSWORD'));
    const out = await p.output;
    let file: string | undefined;
    try {
      file = new RegExp(`r1 {2}port \\d+ {2}user admin {2}password \\(generated, in (\\S+)\\)`).exec(out.stdout)?.[1];
      expect(file, out.all).toBeDefined();
      expect(statSync(file!).mode & 0o777).toBe(0o600);
      const password = readFileSync(file!, 'utf8').replace(/\n$/, '');
      expect(password.length).toBeGreaterThanOrEqual(16);
      expect(out.all).not.toContain(password);
      // Every device without a password of its own takes it.
      for (const device of ['r1', 'r2']) {
        const port = Number(new RegExp(`${device} {2}port (\\d+)`).exec(out.stdout)![1]);
        const nc = await rawNetconf({ host: '127.0.0.1', port, username: 'admin', password });
        expect(await nc.rpc('<get-software-information/>')).toContain(`<host-name>${device}</host-name>`);
        nc.close();
      }
    } finally {
      p.stop();
    }
    expect(await p.exit).toBe(0);
    expect(existsSync(file!)).toBe(false);
  });

  describe('a port in use', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      port = (taken.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('is a failure while running: exit 1, naming the address; the generated password file is gone', async () => {
      const tmp = mkdtempSync(join(dir, 'tmp-'));
      const res = await finished(['--port-base', String(port), '--no-admin'], { ...envWithout('SIM_JUNOS_PASSWORD'), TMPDIR: tmp });
      expect(res.stderr).toContain(`EADDRINUSE`);
      expect(res.stderr).toContain(`127.0.0.1:${port}`);
      expect(res.code).toBe(1);
      expect(readdirSync(tmp)).toEqual([]);
    });
  });

  it('logs on stderr with no colour codes when stderr is a pipe (NO_COLOR unset); the banner on stdout', async () => {
    const p = runCli(['--no-admin', '--confirm-minute-ms', '500'], envWithout('NO_COLOR'));
    const out = await p.output;
    p.stop();
    expect(await p.exit).toBe(0);
    expect(out.stderr).toMatch(/Z WARN sim-junos commit confirmed accelerated/);
    expect(out.stderr).not.toContain('\x1b[');
    expect(out.stdout).toMatch(/^sim-junos is running\. Devices:\n/);
    expect(out.stdout).not.toContain('WARN');
  });

  it('--log-format json: one JSON object per stderr line', async () => {
    const p = runCli(['--no-admin', '--confirm-minute-ms', '500', '--log-format', 'json']);
    const out = await p.output;
    p.stop();
    expect(await p.exit).toBe(0);
    const first = JSON.parse(out.stderr.split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'warn', name: 'sim-junos', msg: expect.stringMatching(/^commit confirmed accelerated/) });
  });
});
