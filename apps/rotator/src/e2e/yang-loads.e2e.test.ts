// Every configuration the rotator loads into a device — init with fallback keys, apply-macros,
// event-options (with traceoptions) and static host mappings; a rotation; a fallback-key
// rotation; the removal of a key after a failed commit — taken off the NETCONF wire as sent
// (each <load-configuration> RPC on the client's session to sim-junos) and validated with
// yanglint against the YANG family of the device's platform: MX (junos) and PTX/ACX (evo) in
// key-chain mode, EX (junos-qfx) and SRX (junos-es) in static-cak mode. Without yanglint or
// ../shared/junos-yang it skips with a warning, except under CI=true, where it fails.
import type { JunosDevice } from '@qkd-macsec/junos-netconf';
import { platformProfile, type Platform } from '@qkd-macsec/macsec-config';
import { validateWithYang, yangAvailability } from '@qkd-macsec/junos-yang';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICES, startBench, type Bench } from './testing/harness.js';

const avail = yangAvailability();
const skip = avail.missing.length > 0 && !avail.required;
if (skip) console.warn(`rotator loads against Juniper's YANG SKIPPED: missing ${avail.missing.join('; ')} (set JUNOS_YANG_DIR, or CI=true to fail)`);

interface Load {
  device: string;
  xml: string;
}

/** The bench's rotator, with every <load-configuration> RPC recorded as it goes on the wire. */
function capturing(bench: Bench, loads: Load[]) {
  return bench.rotator({
    connectDevice: async (name): Promise<JunosDevice> => {
      const device = await bench.connectDevice(name);
      const send = device.netconf.rpc.bind(device.netconf);
      device.netconf.rpc = (xml, o) => {
        // Loads that carry configuration (not `<load-configuration rollback="0"/>`, a discard).
        if (xml.includes('<load-configuration') && xml.includes('<configuration')) loads.push({ device: name, xml });
        return send(xml, o);
      };
      return device;
    },
  });
}

/** The <configuration> element of a load RPC. */
function configurationOf(rpc: string): string {
  const m = /<configuration[\s>][\s\S]*<\/configuration>/.exec(rpc);
  if (!m) throw new Error(`no <configuration> in a load RPC (${rpc.slice(0, 80)}…)`);
  return m[0];
}

function expectValid(loads: readonly Load[], platforms: Readonly<Record<string, Platform>>) {
  for (const l of loads) {
    const family = platformProfile(platforms[l.device]!).yangFamily;
    const result = validateWithYang(configurationOf(l.xml), family, avail.dir);
    expect(result.errors, `${l.device} (${family}): ${result.errors}`).toBe('');
    expect(result.ok).toBe(true);
  }
}

const SCRIPT_USER = 'set system login user rotator class super-user';
let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

async function benchFor(mode: 'key-chain' | 'static-cak', platforms: Record<string, Platform>) {
  const b = await startBench({
    mode,
    deviceConfig: Object.fromEntries(DEVICES.map((d) => [d, SCRIPT_USER])),
    fallback: { enabled: true, intervalHours: 0.0001 }, // due at every rotation: each rotate() also rotates fallback keys
    init: {
      applyMacros: { kmeMethod: 'post', kmeKeyidCheck: true },
      staticHostMappings: [{ name: 'kme-a.example.net', inet: ['192.0.2.10'] }],
      eventOptions: {
        generateEvents: [{ name: 'qkd-tick', timeInterval: 3600 }],
        policies: [{ name: 'qkd-rotate', events: ['qkd-tick'], eventScripts: ['qkd-macsec.py'] }],
        eventScripts: [{ name: 'qkd-macsec.py', pythonScriptUser: 'rotator' }],
        traceoptions: { file: 'qkd-macsec.log', size: '1m', files: 3, flags: ['events'] },
      },
    },
  });
  for (const [d, platform] of Object.entries(platforms)) Object.assign(b.config.devices, { [d]: { sae: `SAE_${d}`, platform } });
  return b;
}

async function run(b: Bench, loads: Load[], mode: 'key-chain' | 'static-cak') {
  const rotator = capturing(b, loads);
  try {
    const init = await rotator.init();
    expect(init.errors).toEqual([]);
    expect(init.fallbackKeys).toHaveLength(4);
    const kinds = new Set<string>();
    const mark = (what: string, from: number) => loads.length > from && kinds.add(what);

    let from = loads.length;
    const first = await rotator.rotate();
    expect(first.links.map((l) => l.result)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(first.fallback?.map((l) => l.result)).toEqual(['ok', 'ok', 'ok', 'ok']);
    mark('rotation and fallback rotation', from);

    from = loads.length;
    b.junos.setFaults('r2', { failCommits: 1 });
    const failed = await rotator.rotate({ links: ['L1'] });
    b.junos.setFaults('r2', {});
    expect(failed.links[0]).toMatchObject({ result: 'failed', error: { phase: 'stage', device: 'r2' } });
    // r1 took the key: key-chain mode deletes it; static-cak mode puts the previous pre-shared-key back.
    const r1 = loads.slice(from).filter((l) => l.device === 'r1');
    if (mode === 'key-chain') expect(r1.filter((l) => l.xml.includes('delete="delete"')).length, 'the key removed from r1 after r2 failed').toBeGreaterThan(0);
    else expect(r1.length, 'stage and restore on r1').toBeGreaterThanOrEqual(2);
    mark('rollback removal', from);
    expect([...kinds]).toEqual(['rotation and fallback rotation', 'rollback removal']);
  } finally {
    await rotator.close();
  }
}

describe.skipIf(skip)("the rotator's loads against Juniper 24.4R1 YANG (yanglint)", () => {
  it('finds yanglint and all four families', () => {
    expect(avail.missing).toEqual([]);
  });

  it('key-chain mode on MX (junos), PTX and ACX (evo): init, rotation, fallback rotation, removal', async () => {
    const platforms: Record<string, Platform> = { r1: 'mx', r2: 'mx', r3: 'ptx', r4: 'ptx', r5: 'acx', r6: 'acx', r7: 'mx' };
    bench = await benchFor('key-chain', platforms);
    const loads: Load[] = [];
    await run(bench, loads, 'key-chain');
    expect(new Set(loads.map((l) => l.device)).size).toBe(7);
    const all = loads.map((l) => l.xml).join('\n');
    for (const part of ['<authentication-key-chains>', '<fallback-key>', '<apply-macro>', '<static-host-mapping>', '<traceoptions>', '<tolerance>', 'delete="delete"']) expect(all, part).toContain(part);
    expectValid(loads, platforms);
    // The oracle can say no: the same load with a tolerance out of the YANG's range is refused.
    const withTolerance = loads.find((l) => l.xml.includes('<tolerance>0</tolerance>'))!;
    expect(validateWithYang(configurationOf(withTolerance.xml).replace('<tolerance>0</tolerance>', '<tolerance>-1</tolerance>'), 'junos', avail.dir).ok).toBe(false);
  }, 180_000);

  it('static-cak mode on EX (junos-qfx) and SRX (junos-es): init, rotation, fallback rotation, restore', async () => {
    const platforms: Record<string, Platform> = { r1: 'ex', r2: 'ex', r3: 'srx', r4: 'srx', r5: 'ex', r6: 'srx', r7: 'ex' };
    bench = await benchFor('static-cak', platforms);
    Object.assign(bench.config.rotation, { cipherSuite: 'gcm-aes-xpn-128' });
    const loads: Load[] = [];
    await run(bench, loads, 'static-cak');
    expect(loads.map((l) => l.xml).join('\n')).toContain('<pre-shared-key>');
    expectValid(loads, platforms);
  }, 180_000);
});
