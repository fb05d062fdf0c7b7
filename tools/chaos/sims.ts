// sim-kme and sim-junos as child processes, through their real CLIs: key logs on, admin
// endpoints on (loopback, port chosen by the OS), sim-junos's confirm minute scaled. What they
// print at start tells where they listen.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawnChild, type Child } from './processes.js';
import type { Topology } from './topology.js';
import { simJunosTopology, simKmeConfig } from './world-config.js';

const exec = promisify(execFile);
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const BIN = {
  simKme: join(REPO_ROOT, 'apps/sim-kme/bin/sim-kme.js'),
  simJunos: join(REPO_ROOT, 'apps/sim-junos/bin/sim-junos.js'),
  rotator: join(REPO_ROOT, 'apps/rotator/bin/qkd-macsec.js'),
};

const START_TIMEOUT_MS = 60_000;
const ADMIN_LINE = /^admin: (http:\/\/127\.0\.0\.1:\d+)\s*$/;

export interface SimKmeProcess {
  child: Child;
  adminUrl: string;
  kmeUrls: Record<string, string>;
  caFile: string;
  saeFiles: Record<string, { cert: string; key: string }>;
  keyLog: string;
}

export async function startSimKmeProcess(topology: Topology, dir: string, keyLog: string): Promise<SimKmeProcess> {
  const pkiDir = join(dir, 'pki');
  const configFile = join(dir, 'sim-kme.json');
  await writeFile(configFile, JSON.stringify(simKmeConfig(topology, pkiDir), null, 2), { mode: 0o600 });
  await exec(process.execPath, [BIN.simKme, 'pki', '--out', pkiDir, '--config', configFile], { cwd: dir });
  const child = spawnChild({
    name: 'sim-kme',
    command: process.execPath,
    args: [BIN.simKme, 'serve', '--config', configFile, '--key-log', keyLog, '--admin', '127.0.0.1:0', '--log-format', 'json'],
    cwd: dir,
    logDir: dir,
  });
  try {
    const kmeUrls: Record<string, string> = {};
    for (const id of new Set(topology.devices.map((d) => d.kme))) {
      const m = await child.waitForLine(new RegExp(`^\\s+${id}\\s+(https://\\S+)`), START_TIMEOUT_MS);
      kmeUrls[id] = m[1]!;
    }
    const adminUrl = (await child.waitForLine(ADMIN_LINE, START_TIMEOUT_MS))[1]!;
    const saeFiles = Object.fromEntries(topology.devices.map((d) => [d.sae, { cert: join(pkiDir, 'saes', `${d.sae}.crt`), key: join(pkiDir, 'saes', `${d.sae}.key`) }]));
    return { child, adminUrl, kmeUrls, caFile: join(pkiDir, 'ca.crt'), saeFiles, keyLog };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

interface SimDeviceEndpoint {
  host: string;
  port: number;
  username: string;
  hostKeyFingerprint: string;
  passwordFile: string;
}

export interface SimJunosProcess {
  child: Child;
  adminUrl: string;
  devices: Record<string, SimDeviceEndpoint>;
  keyLog: string;
}

export interface SimJunosStart {
  topology: Topology;
  dir: string;
  keyLog: string;
  confirmMinuteMs: number;
  slowCommitMs: number;
  passwords: Record<string, string>;
  /** device -> file holding its password (for the rotator's config) */
  passwordFiles: Record<string, string>;
}

export async function startSimJunosProcess(o: SimJunosStart): Promise<SimJunosProcess> {
  const topoFile = join(o.dir, 'sim-junos.json');
  await writeFile(topoFile, JSON.stringify(simJunosTopology(o.topology, o.passwords, o.slowCommitMs), null, 2), { mode: 0o600 });
  const child = spawnChild({
    name: 'sim-junos',
    command: process.execPath,
    args: [BIN.simJunos, '--config', topoFile, '--port-base', '0', '--key-log', o.keyLog, '--admin', '127.0.0.1:0', '--confirm-minute-ms', String(o.confirmMinuteMs)],
    cwd: o.dir,
    logDir: o.dir,
    keepLines: 5000,
  });
  try {
    await child.waitForLine(/Ctrl-C stops\./, START_TIMEOUT_MS);
    const adminUrl = (await child.waitForLine(ADMIN_LINE, START_TIMEOUT_MS))[1]!;
    const devices: Record<string, SimDeviceEndpoint> = {};
    const lines = child.lines();
    for (const d of o.topology.devices) {
      const i = lines.findIndex((l) => new RegExp(`^\\s+${d.name}\\s+port (\\d+)\\s+user (\\S+)`).test(l));
      const m = lines[i]?.match(/port (\d+)\s+user (\S+)/);
      const fp = lines[i + 1]?.match(/host key (SHA256:\S+)/);
      if (!m || !fp) throw new Error(`sim-junos did not print the port and host key of ${d.name}`);
      devices[d.name] = { host: '127.0.0.1', port: Number(m[1]), username: m[2]!, hostKeyFingerprint: fp[1]!, passwordFile: o.passwordFiles[d.name]! };
    }
    return { child, adminUrl, devices, keyLog: o.keyLog };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
