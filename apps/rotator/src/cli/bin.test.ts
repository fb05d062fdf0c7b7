// The built binary as an operator runs it (bin/qkd-macsec.js → dist/): its version, and each exit
// code with the stream it writes to — 0 fine, 1 failed, 2 the invocation, the config file or the
// state directory is wrong; results on stdout, everything else on stderr; under --json the error
// is JSON on stdout too.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'qkd-macsec.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function cli(args: string[], options: { cwd?: string; env?: Record<string, string>; binary?: string } = {}) {
  const r = spawnSync(process.execPath, [options.binary ?? bin, ...args], { encoding: 'utf8', cwd: options.cwd ?? dir, env: { PATH: process.env.PATH ?? '', ...options.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-bin-'));
  mkdirSync(join(dir, 'pki'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'b.crt', 'b.key']) writeFileSync(join(dir, 'pki', f), 'pem');
  // Devices on port 1: nothing answers there, and nothing here gets as far as connecting.
  writeFileSync(
    join(dir, 'qkd.yaml'),
    `kmes: { KME_A: { url: "https://127.0.0.1:8443", ca: ./pki/ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: ./pki/a.crt, key: ./pki/a.key }, SAE_B: { kme: KME_A, cert: ./pki/b.crt, key: ./pki/b.key } }
devices:
  r1: { host: 127.0.0.1, port: 1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
  r2: { host: 127.0.0.1, port: 1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B }
links: [ { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] } ]
stateDir: ./state
`,
  );
  writeFileSync(join(dir, 'bad.yaml'), 'kmes: 3\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('qkd-macsec --version', () => {
  it("prints the version in the package's package.json", () => {
    expect(cli(['--version'])).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  it('reads it when it runs: a copy of the package with another version says that one', () => {
    // Inside the package's node_modules, so the copy resolves the same dependencies.
    const cache = join(root, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const copy = mkdtempSync(join(cache, 'version-'));
    try {
      for (const d of ['bin', 'dist']) cpSync(join(root, d), join(copy, d), { recursive: true });
      writeFileSync(join(copy, 'package.json'), JSON.stringify({ ...pkg, version: '9.8.7-test' }));
      expect(cli(['--version'], { binary: join(copy, 'bin', 'qkd-macsec.js') })).toEqual({ code: 0, out: '9.8.7-test\n', err: '' });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('exit codes and streams', () => {
  it('--help: 0, on stdout; an unknown option or no command: 2, on stderr', () => {
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: qkd-macsec');
    expect(help.err).toBe('');
    const unknown = cli(['status', '--bogus']);
    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toContain("error: unknown option '--bogus'");
    expect(cli([])).toMatchObject({ code: 2, out: '' });
  });

  it('validate with a missing file: 2, the problem on stderr, nothing on stdout', () => {
    const r = cli(['-c', 'nope.yaml', 'validate']);
    expect(r).toEqual({ code: 2, out: '', err: `config nope.yaml: 1 problem\n  cannot read ${join(dir, 'nope.yaml')}: does not exist\n` });
  });

  it('status --json with a bad config: 2, the error as JSON on stdout, nothing on stderr', () => {
    const r = cli(['-c', 'bad.yaml', 'status', '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({
      error: { kind: 'config', file: join(dir, 'bad.yaml'), issues: [{ path: 'kmes', message: expect.stringContaining('expected record') as unknown }, { path: 'links', message: 'is required' }] },
    });
  });

  it('status with a corrupt state file: 2, naming the file and the field; --json: the same as JSON; the file is left as it was', () => {
    mkdirSync(join(dir, 'state'), { recursive: true });
    const file = join(dir, 'state', 'rotator-state.json');
    const corrupt = '{"version":2,"journals":{"c1":{"cycleId":"c1","startedAt":"t","startsAt":"t","links":{"L1":{"keyId":5}}}}}\n';
    writeFileSync(file, corrupt);
    const r = cli(['-c', 'qkd.yaml', 'status'], { env: { PW: 'x' } });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`qkd-macsec: state file ${file} is not a rotator state: journals.c1.links.L1.keyId: Invalid input: expected string, received number`);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    const j = cli(['-c', 'qkd.yaml', 'status', '--json'], { env: { PW: 'x' } });
    expect(j.code).toBe(2);
    expect(JSON.parse(j.out)).toMatchObject({ error: { kind: 'state', file, message: expect.stringContaining('journals.c1.links.L1.keyId') as unknown } });
    writeFileSync(file, '{"version":2,"journ');
    expect(cli(['-c', 'qkd.yaml', 'status'], { env: { PW: 'x' } }).err).toContain(`state file ${file} is not valid JSON`);
    expect(readFileSync(file, 'utf8')).toBe('{"version":2,"journ');
  });

  it('logs go to stderr without colour off a terminal', () => {
    // An unverified host key is accepted with a warning: a log line, on stderr.
    const r = cli(['-c', 'bad.yaml', 'validate']);
    expect(r.code).toBe(2);
    const s = cli(['-c', 'qkd.yaml', 'status', '--json'], { env: { PW: 'x' } });
    expect(s.err).toMatch(/WARN config: devices\.r1\.hostKey\.insecureAcceptAnyHostKey/);
    expect(s.err).not.toContain('\u001b[');
  });
});
