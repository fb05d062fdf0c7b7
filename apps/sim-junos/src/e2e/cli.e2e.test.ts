// The sim-junos command as a user runs it: the built binary in real processes.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/built-cli.js';
import { rawNetconf } from '../testing/raw-netconf.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-junos-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env?: NodeJS.ProcessEnv): { output: Promise<string>; exit: Promise<number | null>; stop(): void } {
  const p = runCli(args, env);
  return { output: p.output.then((o) => o.all), exit: p.exit, stop: p.stop };
}

describe('sim-junos CLI', () => {
  it('starts the default topology and prints ports, credentials, fingerprints and the link', async () => {
    const p = run([], { ...process.env, SIM_JUNOS_PASSWORD: 'cli-test-pw' });
    const out = await p.output;
    try {
      expect(out).toMatch(/r1 {2}port \d+ {2}user admin {2}password \(from SIM_JUNOS_PASSWORD\)/);
      expect(out).not.toContain('cli-test-pw');
      expect(out).toMatch(/host key SHA256:\S{43}/);
      expect(out).toMatch(/ssh -s -p \d+ admin@127\.0\.0\.1 netconf/);
      expect(out).toMatch(/link +ends +state +down time +fallback time\n +r1-r2 +r1 ge-0\/0\/0 <-> r2 ge-0\/0\/0 +secured +0 ms +0 ms\n/);
      const port = Number(/r1 {2}port (\d+)/.exec(out)![1]);
      const fingerprint = /host key (SHA256:\S+)/.exec(out)![1]!;
      const nc = await rawNetconf({ host: '127.0.0.1', port, username: 'admin', password: 'cli-test-pw', hostKeyFingerprint: fingerprint });
      expect(await nc.rpc('<get-software-information/>')).toContain('<host-name>r1</host-name>');
      nc.close();
    } finally {
      p.stop();
    }
    expect(await p.exit).toBe(0);
  });

  it('prints the admin endpoint on a line of its own; faults set through it reach the running devices', async () => {
    const keyLog = join(dir, 'keys.jsonl');
    const p = run(['--admin', '127.0.0.1:0', '--key-log', keyLog, '--confirm-minute-ms', '500', '--quiet']);
    const out = await p.output;
    try {
      expect(out).toContain(`sim-junos: WARNING: key log on — every CAK and key-chain secret committed to a device is written to ${keyLog}`);
      expect(out).toContain('commit confirmed: one minute lasts 500 ms');
      const url = /^admin: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
      expect(url).toBeDefined();
      const put = await fetch(`${url}/faults/r2`, { method: 'PUT', body: JSON.stringify({ authFailure: true }) });
      expect(put.status).toBe(200);
      expect(await (await fetch(`${url}/faults`)).json()).toEqual({ r1: {}, r2: { authFailure: true } });
      const port = Number(/r2 {2}port (\d+)/.exec(out)![1]);
      // The generated password is not printed: the banner names the file that holds it.
      const password = readFileSync(/r2 {2}port \d+ {2}user admin {2}password \(generated, in (\S+)\)/.exec(out)![1]!, 'utf8').trim();
      await expect(rawNetconf({ host: '127.0.0.1', port, username: 'admin', password })).rejects.toThrow(/authentication/i);
      // The default topology's static CAKs were committed at start: two devices, one CAK each.
      expect(readFileSync(keyLog, 'utf8').trim().split('\n')).toHaveLength(2);
      expect(statSync(keyLog).mode & 0o777).toBe(0o600);
    } finally {
      p.stop();
    }
    expect(await p.exit).toBe(0);
  });

  it('runs the admin endpoint by default, not with --no-admin, and refuses a non-loopback one', async () => {
    const on = run([]);
    expect(await on.output).toMatch(/^admin: http:\/\/127\.0\.0\.1:\d+$/m);
    on.stop();
    const off = run(['--no-admin']);
    expect(await off.output).not.toContain('admin:');
    off.stop();
    const bad = run(['--admin', '0.0.0.0:8400']);
    expect(await bad.exit).toBe(2);
    expect(await bad.output).toMatch(/admin\.host: the admin endpoint listens on loopback only/);
    expect(await on.exit).toBe(0);
    expect(await off.exit).toBe(0);
  });

  it('reads a YAML topology and refuses a bad one, naming the file and the field', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'devices:\n  edge1: { netconf11: true }\n  edge2: {}\nlinks:\n  - { id: core, a: "edge1:et-0/0/0", b: "edge2:et-0/0/0" }\n');
    const p = run(['--config', good]);
    const out = await p.output;
    p.stop();
    expect(out).toMatch(/edge1 {2}port \d+/);
    expect(out).toMatch(/core +edge1 et-0\/0\/0 <-> edge2 et-0\/0\/0 +down \(edge1 et-0\/0\/0: no MACsec connectivity-association on the interface\) +\d+ ms +0 ms/);
    expect(await p.exit).toBe(0);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'devices:\n  r1: { prot: 830 }\n');
    const b = run(['--config', bad]);
    expect(await b.exit).toBe(2);
    expect(await b.output).toMatch(/bad\.yaml: devices\.r1: Unrecognized key: "prot"/);

    const b2 = run(['--config', join(dir, 'missing.yaml')]);
    expect(await b2.exit).toBe(2);
    expect(await b2.output).toMatch(/missing\.yaml: cannot read/);
  });
});
