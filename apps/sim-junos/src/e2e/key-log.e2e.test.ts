// The key log over real NETCONF: a committed pre-shared-key, key-chain secret and fallback-key
// each land in the file — hex and the `$9$` form the device shows — in a 0600 file; off by default.
import { connectJunos } from '@qkd-macsec/junos-netconf';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimJunos, type KeyLogEntry, type SimJunos } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'sim-junos-keylog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PSK_CAK = '1a'.repeat(16);
const CHAIN_SECRET = '2b'.repeat(16);
const FB_CAK = '3C'.repeat(16); // upper case as typed; logged as lower hex
const config = [
  'set security macsec connectivity-association P security-mode static-cak',
  `set security macsec connectivity-association P pre-shared-key ckn ${'01'.repeat(32)} cak ${PSK_CAK}`,
  'set security macsec connectivity-association C security-mode static-cak',
  'set security macsec connectivity-association C pre-shared-key-chain KC',
  `set security macsec connectivity-association C fallback-key ckn ${'fb'.repeat(32)} cak ${FB_CAK}`,
  `set security authentication-key-chains key-chain KC key 0 key-name ${'02'.repeat(32)} secret ${CHAIN_SECRET} start-time 2026-01-01.00:00:00`,
].join('\n');

async function commitOver(sim: SimJunos, device: string): Promise<string> {
  const d = sim.devices[device]!;
  const junos = await connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
  try {
    await junos.withConfiguration('exclusive', async (c) => {
      await c.load({ format: 'set', config });
      await c.commit({});
    });
    return (await junos.getConfiguration({ format: 'text' })).configuration as string;
  } finally {
    await junos.close();
  }
}

describe('key log', () => {
  it('holds every committed CAK and secret as hex and as the $9$ the device shows, in a 0600 file, with a warning at start', async () => {
    const file = join(dir, 'keys.jsonl');
    const warnings: string[] = [];
    const sim = await startSimJunos({ keyLog: file, devices: { r1: {} }, logger: { info: () => undefined, debug: () => undefined, warn: (m: unknown) => warnings.push(String(m)) } });
    try {
      expect(sim.keyLogFile).toBe(file);
      expect(warnings.join('\n')).toContain(`KEY LOG ON: every CAK and key-chain secret committed to a device is written to ${file}`);
      const shown = await commitOver(sim, 'r1');
      await commitOver(sim, 'r1'); // the same keys again: not logged twice
      const entries = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as KeyLogEntry);
      expect(entries.map((e) => e.hex).sort()).toEqual([PSK_CAK, CHAIN_SECRET, FB_CAK.toLowerCase()].sort());
      for (const e of entries) {
        expect(e).toMatchObject({ source: 'sim-junos', id: 'r1' });
        expect(Date.parse(e.at)).not.toBeNaN();
        expect(e.junos9).toMatch(/^\$9\$/);
        expect(shown).toContain(`"${e.junos9}"`); // the needle is exactly what `show configuration` prints
      }
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await sim.close();
    }
  });

  it('narrows an existing file to 0600 and appends to it', async () => {
    const file = join(dir, 'existing.jsonl');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const sim = await startSimJunos({ keyLog: file, devices: { r2: { config } } });
    await sim.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3); // the start configuration's keys
  });

  it('writes nothing without the option', async () => {
    const empty = mkdtempSync(join(dir, 'off-'));
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      const sim = await startSimJunos({ devices: { r3: {} } });
      try {
        expect(sim.keyLogFile).toBeUndefined();
        await commitOver(sim, 'r3');
      } finally {
        await sim.close();
      }
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it('refuses a key log it cannot open, naming the option', async () => {
    await expect(startSimJunos({ keyLog: join(dir, 'no', 'such', 'dir', 'k.jsonl'), devices: { r4: {} } })).rejects.toThrow(/keyLog: cannot open the key log/);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});
