// confirmMinuteMs: a chaos run makes Junos' 1-minute minimum confirm-timeout last milliseconds.
// The Junos RPC counts minutes, NETCONF <commit> seconds; both scale.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SimConfigError, startSimJunos, type SimJunos } from '../index.js';
import { rawNetconf, type RawNetconf } from '../testing/raw-netconf.js';

async function session(sim: SimJunos): Promise<RawNetconf> {
  const d = sim.devices.r1!;
  return rawNetconf({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint });
}
const stage = (nc: RawNetconf, name: string) =>
  nc.rpc(`<load-configuration action="set"><configuration-set>set system host-name ${name}</configuration-set></load-configuration>`);

describe('confirmMinuteMs', () => {
  it('manual clock: a confirm-timeout of 2 minutes rolls back after 2 × confirmMinuteMs, a NETCONF one of 30 s after half of it', async () => {
    const sim = await startSimJunos({ clock: 'manual', confirmMinuteMs: 1_000, devices: { r1: { config: 'set system host-name r1' } } });
    try {
      expect(sim.confirmMinuteMs).toBe(1_000);
      const nc = await session(sim);
      await stage(nc, 'junos-rpc');
      expect(await nc.rpc('<commit-configuration><confirmed/><confirm-timeout>2</confirm-timeout></commit-configuration>')).toContain('<commit-success/>');
      sim.advance(1_999);
      expect(sim.device('r1').committedText()).toContain('host-name junos-rpc;');
      sim.advance(1);
      expect(sim.device('r1').committedText()).toContain('host-name r1;');

      await stage(nc, 'netconf-commit');
      expect(await nc.rpc('<commit><confirmed/><confirm-timeout>30</confirm-timeout></commit>')).toContain('<ok/>');
      sim.advance(499);
      expect(sim.device('r1').committedText()).toContain('host-name netconf-commit;');
      sim.advance(1);
      expect(sim.device('r1').committedText()).toContain('host-name r1;');
      nc.close();
    } finally {
      await sim.close();
    }
  });

  it('defaults to a real minute', async () => {
    const sim = await startSimJunos({ clock: 'manual', devices: { r1: { config: 'set system host-name r1' } } });
    try {
      expect(sim.confirmMinuteMs).toBe(60_000);
      const nc = await session(sim);
      await stage(nc, 'pending');
      await nc.rpc('<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout></commit-configuration>');
      sim.advance(59_999);
      expect(sim.device('r1').committedText()).toContain('host-name pending;');
      sim.advance(1);
      expect(sim.device('r1').committedText()).toContain('host-name r1;');
      nc.close();
    } finally {
      await sim.close();
    }
  });

  it('real clock at 200 ms: a 1-minute commit confirmed rolls back on its own, not before 200 ms', async () => {
    const sim = await startSimJunos({ confirmMinuteMs: 200, devices: { r1: { config: 'set system host-name r1' } } });
    try {
      const nc = await session(sim);
      await stage(nc, 'pending');
      const sent = Date.now();
      await nc.rpc('<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout></commit-configuration>');
      let rolledBackAt: number | undefined;
      for (let i = 0; i < 250 && rolledBackAt === undefined; i++) {
        if (sim.device('r1').committedText().includes('host-name r1;')) rolledBackAt = Date.now();
        else await sleep(20);
      }
      expect(rolledBackAt).toBeDefined();
      expect(rolledBackAt! - sent).toBeGreaterThanOrEqual(200);
      expect(sim.device('r1').history()[0]!.log).toBe('commit confirmed rollback');
      nc.close();
    } finally {
      await sim.close();
    }
  });

  it('refuses a confirmMinuteMs that is not a positive integer', async () => {
    await expect(startSimJunos({ confirmMinuteMs: 0, devices: { r1: {} } })).rejects.toThrow(SimConfigError);
    await expect(startSimJunos({ confirmMinuteMs: 1.5, devices: { r1: {} } })).rejects.toThrow(/confirmMinuteMs/);
  });
});
