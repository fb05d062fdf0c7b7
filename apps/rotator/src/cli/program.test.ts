import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { capturedIo } from './testing/capture.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-cli-'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'b.crt', 'b.key']) writeFileSync(join(dir, f), 'pem');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `
kmes:
  KME_A: { url: "https://127.0.0.1:1", ca: ca.crt }
saes:
  SAE_A: { kme: KME_A, cert: a.crt, key: a.key }
  SAE_B: { kme: KME_A, cert: b.crt, key: b.key }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
  r2: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B }
links:
  - { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] }
`;

describe('qkd-macsec CLI', () => {
  it('--help lists every command and exits 0; --version prints the version', async () => {
    const io = capturedIo();
    expect(await runCli(['--help'], { io })).toBe(0);
    for (const c of ['validate', 'init', 'rotate', 'run', 'status', 'certs', 'demo']) expect(io.out()).toContain(c);
    const v = capturedIo();
    expect(await runCli(['--version'], { io: v })).toBe(0);
    expect(v.out()).toBe('0.1.0\n');
  });

  it('an unknown command or option is a usage error (exit 2)', async () => {
    const io = capturedIo();
    expect(await runCli(['rotat'], { io })).toBe(2);
    expect(io.err()).toMatch(/unknown command 'rotat'/);
    const io2 = capturedIo();
    expect(await runCli(['rotate', '--bogus'], { io: io2 })).toBe(2);
    expect(io2.err()).toMatch(/unknown option '--bogus'/);
    const io3 = capturedIo();
    expect(await runCli(['demo', '--rotations', '0'], { io: io3 })).toBe(2);
    expect(io3.err()).toMatch(/expected a whole number >= 1/);
  });

  it('validate: a good file gives a summary and the insecure options as warnings', async () => {
    const file = join(dir, 'qkd.yaml');
    writeFileSync(file, CONFIG);
    const io = capturedIo({ env: { PW: 'secret-pw-1' } });
    expect(await runCli(['-c', file, 'validate'], { io })).toBe(0);
    expect(io.out()).toContain(`config ${file} is valid: 1 KME, 2 SAEs, 2 devices, 1 link, mode key-chain, gcm-aes-256, every 3600 s`);
    expect(io.out()).toContain('warning: devices.r1.hostKey.insecureAcceptAnyHostKey');
    expect(io.out() + io.err()).not.toContain('secret-pw-1');
  });

  it('validate: every problem with its path on stderr, exit 2; --json on stdout, exit 2', async () => {
    const file = join(dir, 'qkd.yaml');
    writeFileSync(file, CONFIG.replace('sae: SAE_B', 'sae: SAE_Z').replace('interfaces: [et-0/0/0] }, slaves', 'interfaces: [eth0] }, slaves'));
    const io = capturedIo({ env: {} });
    expect(await runCli(['--config', file, 'validate'], { io })).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      [`config ${file}: 2 problems`, '  links[0].master.interfaces[0]: interface name "eth0" is not TYPE-FPC/PIC/PORT[:CHANNEL][.UNIT] (e.g. ge-0/0/0)', ''].join('\n').replace(
        '2 problems',
        '1 problem',
      ),
    );
    writeFileSync(file, CONFIG.replace('sae: SAE_B', 'sae: SAE_Z'));
    const io2 = capturedIo({ env: {} });
    expect(await runCli(['--config', file, 'validate', '--json'], { io: io2 })).toBe(2);
    expect(JSON.parse(io2.out())).toEqual({ valid: false, file, issues: [{ path: 'devices.r2.sae', message: 'SAE "SAE_Z" is not defined under saes (known: SAE_A, SAE_B)' }] });
  });

  it('a command that needs the config prints its problems on stderr and exits 2; the config path comes from QKD_MACSEC_CONFIG too', async () => {
    const io = capturedIo({ env: { QKD_MACSEC_CONFIG: join(dir, 'missing.yaml') } });
    expect(await runCli(['rotate'], { io })).toBe(2);
    expect(io.err()).toBe(`config ${join(dir, 'missing.yaml')}: 1 problem\n  cannot read ${join(dir, 'missing.yaml')}: does not exist\n`);
  });

  it('with --json a config problem is JSON on stdout (exit 2), nothing on stderr; without, text on stderr', async () => {
    const missing = join(dir, 'missing.yaml');
    for (const args of [['status', '--json'], ['rotate', '--json'], ['init', '--json'], ['certs', 'check', '--json']]) {
      const io = capturedIo({ env: {} });
      expect(await runCli(['-c', missing, ...args], { io }), args.join(' ')).toBe(2);
      expect(io.err(), args.join(' ')).toBe('');
      expect(JSON.parse(io.out()), args.join(' ')).toEqual({
        error: { kind: 'config', message: `config ${missing}: 1 problem`, file: missing, issues: [{ path: '', message: `cannot read ${missing}: does not exist` }] },
      });
    }
    const io = capturedIo({ env: {} });
    expect(await runCli(['-c', missing, 'status'], { io })).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toContain(`config ${missing}: 1 problem`);
  });

  it('rotate --link with an unknown name is a usage error naming the known links', async () => {
    const file = join(dir, 'qkd.yaml');
    writeFileSync(file, CONFIG);
    const io = capturedIo({ env: { PW: 'x' } });
    expect(await runCli(['-c', file, '--log-level', 'error', 'rotate', '--link', 'L1', '--link', 'nope'], { io })).toBe(2);
    expect(io.err()).toContain('unknown link nope (the config has: L1)');
  });
});
