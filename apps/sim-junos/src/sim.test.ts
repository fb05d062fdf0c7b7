import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SimConfigError, startSimJunos, UnknownLinkError } from './index.js';

describe('startSimJunos', () => {
  it('starts the default topology: r1 and r2 joined by one secured link', async () => {
    const sim = await startSimJunos();
    try {
      expect(Object.keys(sim.devices)).toEqual(['r1', 'r2']);
      expect(sim.devices.r1!.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(sim.devices.r1!.port).not.toBe(sim.devices.r2!.port);
      expect(sim.linkStatus('r1-r2').state).toBe('secured');
      expect(() => sim.advance(1)).toThrow(/manual clock/);
      expect(() => sim.linkHistory('nope')).toThrow(UnknownLinkError);
    } finally {
      await sim.close();
    }
  });

  it('keeps passwords out of logs and JSON', async () => {
    const sim = await startSimJunos({ devices: { r1: { password: 'hunter2-hunter2' } } });
    try {
      expect(sim.devices.r1!.password).toBe('hunter2-hunter2');
      expect(JSON.stringify(sim.devices)).not.toContain('hunter2');
      expect(inspect(sim.devices, { depth: 5 })).not.toContain('hunter2');
    } finally {
      await sim.close();
    }
  });

  it.each([
    [{ devices: { r1: {} }, links: [{ a: 'r1:ge-0/0/0', b: 'r9:ge-0/0/0' }] }, /links\.0: unknown device "r9"/],
    [{ devices: { r1: {}, r2: {} }, links: [{ a: 'r1:xe-0', b: 'r2:xe-0' }, { a: 'r1:xe-0', b: 'r2:xe-1' }] }, /r1:xe-0 is already an end/],
    [{ devices: { r1: {}, r2: {} }, links: [{ a: 'r1:xe-0', b: 'r2:xe-0' }, { id: 'link-1', a: 'r1:xe-1', b: 'r2:xe-1' }] }, /links\.1: link id "link-1" is used twice/],
    [{ devices: { r1: { config: 'set security macsec connectivity-association CA pre-shared-key ckn 0g cak 00' } } }, /devices\.r1\.config: .*ckn/],
    [{ devices: { r1: { config: 'system {' } } }, /devices\.r1\.config: missing '}'/],
    [{ devices: { 'bad name': {} } }, /devices\.bad name/],
    [{ devices: { r1: { faults: { commitLatencyMs: -1 } } } }, /devices\.r1\.faults\.commitLatencyMs/],
    [{ devices: { r1: { hostKey: 'not a key' } } }, /devices\.r1\.hostKey/],
    [{ devices: { r1: {} }, links: [{ a: 'r1', b: 'r1:x' }] }, /device:interface/],
  ])('refuses a bad topology with an error naming the field (%#)', async (config, message) => {
    const err = await startSimJunos(config as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimConfigError);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses bad faults at run time, naming the device', async () => {
    const sim = await startSimJunos({ devices: { r1: {} } });
    try {
      expect(() => sim.setFaults('r1', { dropAfterRpcs: 'x' } as never)).toThrow(/setFaults\(r1\): dropAfterRpcs/);
      expect(() => sim.setFaults('r9', {})).toThrow(/unknown device "r9"/);
    } finally {
      await sim.close();
    }
  });

  it('applies a clock skew fault at run time and reports down intervals since a point in time', async () => {
    const k0 = `set security authentication-key-chains key-chain KC key 0 key-name ${'11'.repeat(32)} secret ${'aa'.repeat(32)} start-time 2026-01-01.00:00:00`;
    const k1 = `set security authentication-key-chains key-chain KC key 1 key-name ${'22'.repeat(32)} secret ${'bb'.repeat(32)} start-time 2026-01-01.01:00:00`;
    const cfg = `${k0}\n${k1}\nset security macsec connectivity-association CA security-mode static-cak\nset security macsec connectivity-association CA pre-shared-key-chain KC\nset security macsec interfaces ge-0/0/0 connectivity-association CA`;
    const sim = await startSimJunos({
      clock: 'manual',
      startTime: '2026-01-01T00:30:00Z',
      devices: { r1: { config: cfg }, r2: { config: cfg } },
      links: [{ id: 'L', a: 'r1:ge-0/0/0', b: 'r2:ge-0/0/0' }],
    });
    try {
      const t0 = sim.now();
      sim.setFaults('r2', { clockSkewMs: -2_000 }); // r2 runs 2 s late
      sim.advance(3_600_000);
      const switchAt = Date.parse('2026-01-01T01:00:00Z');
      expect(sim.downIntervalsSince(t0)).toEqual([{ linkId: 'L', from: switchAt, to: switchAt + 2_000, reason: 'CKN mismatch' }]);
      expect(sim.linkStatus('L')).toMatchObject({ state: 'secured', a: { keyIndex: 1 }, b: { keyIndex: 1 } });
    } finally {
      await sim.close();
    }
  });

  it('stores a key-chain tolerance but does not let it bridge a clock skew: the key switches at each end\'s start-time', async () => {
    // Juniper documents `tolerance` as the key chain's clock-skew tolerance for accepting keys
    // (routing protocols); nothing says MKA accepts a peer's previous or next CAK within it.
    // The model stays strict: a 2 s skew is 2 s down with tolerance 3600 as without it.
    const k0 = `set security authentication-key-chains key-chain KC key 0 key-name ${'11'.repeat(32)} secret ${'aa'.repeat(32)} start-time 2026-01-01.00:00:00`;
    const k1 = `set security authentication-key-chains key-chain KC key 1 key-name ${'22'.repeat(32)} secret ${'bb'.repeat(32)} start-time 2026-01-01.01:00:00`;
    const cfg = `${k0}\n${k1}\nset security authentication-key-chains key-chain KC tolerance 3600\nset security macsec connectivity-association CA security-mode static-cak\nset security macsec connectivity-association CA pre-shared-key-chain KC\nset security macsec interfaces ge-0/0/0 connectivity-association CA`;
    const sim = await startSimJunos({
      clock: 'manual',
      startTime: '2026-01-01T00:30:00Z',
      devices: { r1: { config: cfg }, r2: { config: cfg, faults: { clockSkewMs: -2_000 } } },
      links: [{ id: 'L', a: 'r1:ge-0/0/0', b: 'r2:ge-0/0/0' }],
    });
    try {
      expect(sim.device('r1').committedText()).toContain('tolerance 3600;');
      const t0 = sim.now();
      sim.advance(3_600_000);
      const switchAt = Date.parse('2026-01-01T01:00:00Z');
      expect(sim.downIntervalsSince(t0)).toEqual([{ linkId: 'L', from: switchAt, to: switchAt + 2_000, reason: 'CKN mismatch' }]);
    } finally {
      await sim.close();
    }
  });

  it('logs sessions, commits and link changes as they happen — at key start-times too — and never a key', async () => {
    const lines: string[] = [];
    const logger = { info: (m: unknown) => lines.push(`INFO ${String(m)}`), warn: (m: unknown) => lines.push(`WARN ${String(m)}`), debug: () => undefined };
    const cak = 'ee'.repeat(32);
    const cfg = `set security authentication-key-chains key-chain KC key 0 key-name 01 secret ${cak} start-time 2026-01-01.00:00:00\nset security macsec connectivity-association CA security-mode static-cak\nset security macsec connectivity-association CA pre-shared-key-chain KC\nset security macsec interfaces ge-0/0/0 connectivity-association CA`;
    const sim = await startSimJunos({
      clock: 'manual',
      startTime: '2026-01-01T00:30:00Z',
      logger,
      devices: { r1: { config: cfg }, r2: { config: cfg } },
      links: [{ id: 'L', a: 'r1:ge-0/0/0', b: 'r2:ge-0/0/0' }],
    });
    try {
      sim.setFaults('r1', { clockSkewMs: 60_000 });
      const { rawNetconf } = await import('./testing/raw-netconf.js');
      const d = sim.devices.r1!;
      const nc = await rawNetconf({ host: d.host, port: d.port, username: d.username, password: d.password });
      await nc.rpc(`<load-configuration action="set"><configuration-set>set security authentication-key-chains key-chain KC key 1 key-name 02 secret ${'ff'.repeat(32)} start-time 2026-01-01.01:00:00</configuration-set></load-configuration>`);
      await nc.rpc('<commit-configuration><log>stage</log></commit-configuration>');
      nc.close();
      sim.advance(3_600_000); // nobody asks the link model: the start-time timer must find the change
      expect(lines).toContain('INFO r1: commit by admin (stage)');
      expect(lines).toContain('WARN link L down (CKN mismatch) at 2026-01-01T00:59:00.000Z');
      expect(lines.some((l) => /NETCONF session \d+ \(admin\) open/.test(l))).toBe(true);
      expect(lines.join('\n')).not.toContain(cak);
      expect(lines.join('\n')).not.toContain('ff'.repeat(32));
    } finally {
      await sim.close();
    }
  });
});
