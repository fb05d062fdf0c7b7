// A chaos run's world in a fresh directory: sim-kme and sim-junos started through their CLIs, a
// PKI, passwords, and the rotator's config file — then `validate` and `init` through the real
// binary, and a wait until sim-junos sees every cable secured (the baseline of down time).
//
//   <dir>/sims/      sim configs, PKI, simulator output          (scanned)
//   <dir>/keys/      the simulators' key logs: the needles      (not scanned)
//   <dir>/rotator/   config, password files, state/, logs/      (scanned)
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminClient, type AdminClient } from './admin.js';
import { readLinkRecord } from './link-record.js';
import { stopChild } from './processes.js';
import { describeFailure, runRotator, type RotatorCli } from './rotator.js';
import { startSimJunosProcess, startSimKmeProcess, type SimJunosProcess, type SimKmeProcess } from './sims.js';
import type { Timing } from './timing.js';
import type { Topology } from './topology.js';
import { rotatorConfigText } from './world-config.js';

export interface World {
  dir: string;
  kme: SimKmeProcess;
  junos: SimJunosProcess;
  kmeAdmin: AdminClient;
  junosAdmin: AdminClient;
  cli: RotatorCli;
  stateDir: string;
  keyLogs: { kme: string; junos: string };
  /** Epoch ms once every cable was secured after init. */
  baseline: number;
  close(keep: boolean): Promise<void>;
}

export interface WorldOptions {
  topology: Topology;
  timing: Timing;
  fallbackIntervalHours: number;
  kmeTimeoutMs: number;
  root?: string;
  log: (line: string) => void;
}

export async function startWorld(o: WorldOptions): Promise<World> {
  const dir = await mkdtemp(join(o.root ?? tmpdir(), 'qkd-macsec-chaos-'));
  const sims = join(dir, 'sims');
  const keys = join(dir, 'keys');
  const rotatorDir = join(dir, 'rotator');
  const stateDir = join(rotatorDir, 'state');
  for (const d of [sims, keys, rotatorDir, join(rotatorDir, 'secrets'), join(rotatorDir, 'logs'), stateDir]) await mkdir(d, { recursive: true, mode: 0o700 });
  const keyLogs = { kme: join(keys, 'sim-kme.keys.jsonl'), junos: join(keys, 'sim-junos.keys.jsonl') };
  let kme: SimKmeProcess | undefined;
  let junos: SimJunosProcess | undefined;
  const close = async (keep: boolean) => {
    if (junos) await stopChild(junos.child);
    if (kme) await stopChild(kme.child);
    if (!keep) await rm(dir, { recursive: true, force: true });
  };
  try {
    kme = await startSimKmeProcess(o.topology, sims, keyLogs.kme);
    const passwords: Record<string, string> = {};
    const passwordFiles: Record<string, string> = {};
    for (const d of o.topology.devices) {
      passwords[d.name] = randomBytes(12).toString('base64url');
      passwordFiles[d.name] = join(rotatorDir, 'secrets', d.name);
      await writeFile(passwordFiles[d.name]!, `${passwords[d.name]}\n`, { mode: 0o600 });
    }
    junos = await startSimJunosProcess({ topology: o.topology, dir: sims, keyLog: keyLogs.junos, confirmMinuteMs: o.timing.confirmMinuteMs, slowCommitMs: o.timing.slowCommitMs, passwords, passwordFiles });
    o.log(`sim-kme ${Object.entries(kme.kmeUrls).map(([k, u]) => `${k} ${u}`).join(', ')}; admin ${kme.adminUrl}`);
    o.log(`sim-junos ${o.topology.devices.length} devices; admin ${junos.adminUrl}`);
    const configFile = join(rotatorDir, 'qkd-macsec.yaml');
    await writeFile(
      configFile,
      rotatorConfigText({
        topology: o.topology,
        timing: o.timing,
        kmeUrls: kme.kmeUrls,
        caFile: kme.caFile,
        saeFiles: kme.saeFiles,
        devices: junos.devices,
        stateDir,
        fallbackIntervalHours: o.fallbackIntervalHours,
        kmeTimeoutMs: o.kmeTimeoutMs,
      }),
      { mode: 0o600 },
    );
    const cli: RotatorCli = { configFile, logDir: join(rotatorDir, 'logs'), cwd: rotatorDir };
    const junosAdmin = adminClient('sim-junos', junos.adminUrl);
    const baseline = await setUp(cli, junosAdmin, o);
    return { dir, kme, junos, kmeAdmin: adminClient('sim-kme', kme.adminUrl), junosAdmin, cli, stateDir, keyLogs, baseline, close };
  } catch (err) {
    await close(true);
    throw new Error(`chaos set-up failed (kept ${dir}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** validate, init, then wait until every cable is secured; returns that instant. */
async function setUp(cli: RotatorCli, junosAdmin: AdminClient, o: WorldOptions): Promise<number> {
  const validate = await runRotator(cli, 'validate', ['validate'], 60_000);
  if (validate.exit.code !== 0) throw new Error(`qkd-macsec validate refused the generated config: ${describeFailure(validate)}`);
  const init = await runRotator(cli, 'init', ['init'], 180_000);
  if (init.exit.code !== 0) throw new Error(`qkd-macsec init failed: ${describeFailure(init)}`);
  o.log('init done; waiting for every cable to be secured');
  const deadline = Date.now() + 60_000 + o.timing.leadTimeSeconds * 1000;
  for (;;) {
    const record = await readLinkRecord(junosAdmin);
    const notYet = [...record.values()].filter((c) => c.state !== 'secured').map((c) => `${c.id} ${c.state}`);
    if (notYet.length === 0) return Date.now();
    if (Date.now() > deadline) throw new Error(`cables not secured after init: ${notYet.join(', ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
