// The files a chaos run writes for its processes: sim-kme's configuration, sim-junos's topology
// and the rotator's config file. Plain functions from the topology and the timing model to data,
// so a test can check them against each package's own validator.
import type { Timing } from './timing.js';
import { KME_IDS, type Topology } from './topology.js';

/** sim-kme: the three KMEs (ports chosen by the OS), all linked, every router's SAE attached. */
export function simKmeConfig(topology: Topology, pkiDir: string) {
  return {
    pkiDir,
    kmes: KME_IDS.map((id) => ({ id, port: 0, saes: topology.devices.filter((d) => d.kme === id).map((d) => d.sae) })),
    links: [
      { kmes: ['KME_A', 'KME_B'] },
      { kmes: ['KME_A', 'KME_C'] },
      { kmes: ['KME_B', 'KME_C'] },
    ],
    // Pools large enough for a long soak; the key rate refills them faster than rotations drain them.
    defaults: { maxKeyCount: 5000, keyRateBps: 1_000_000 },
    log: { level: 'info', format: 'json' },
  };
}

/** sim-junos: every router (no configuration: `init` sets them up), the slow one, every cable. */
export function simJunosTopology(topology: Topology, passwords: Readonly<Record<string, string>>, slowCommitMs: number) {
  return {
    devices: Object.fromEntries(
      topology.devices.map((d) => [d.name, { password: passwords[d.name]!, ...(d.name === topology.slowDevice ? { faults: { commitLatencyMs: slowCommitMs } } : {}) }]),
    ),
    links: topology.cables.map((c) => ({ id: c.id, a: c.a, b: c.b })),
  };
}

export interface RotatorConfigInput {
  topology: Topology;
  timing: Timing;
  /** KME ID -> https URL */
  kmeUrls: Readonly<Record<string, string>>;
  caFile: string;
  saeFiles: Readonly<Record<string, { cert: string; key: string }>>;
  /** device -> where sim-junos listens and its host key */
  devices: Readonly<Record<string, { host: string; port: number; username: string; hostKeyFingerprint: string; passwordFile: string }>>;
  stateDir: string;
  /** `fallback.intervalHours`: short, so fallback keys are rotated during the soak too. */
  fallbackIntervalHours: number;
  /** Per-request timeout towards the KMEs: short, so a stalled KME costs seconds. */
  kmeTimeoutMs: number;
}

export function rotatorConfig(input: RotatorConfigInput) {
  const { topology, timing } = input;
  return {
    kmes: Object.fromEntries(Object.entries(input.kmeUrls).map(([id, url]) => [id, { url, ca: input.caFile, timeoutMs: input.kmeTimeoutMs }])),
    saes: Object.fromEntries(topology.devices.map((d) => [d.sae, { kme: d.kme, cert: input.saeFiles[d.sae]!.cert, key: input.saeFiles[d.sae]!.key }])),
    devices: Object.fromEntries(
      topology.devices.map((d) => {
        const dev = input.devices[d.name]!;
        return [d.name, { host: dev.host, port: dev.port, username: dev.username, password: { file: dev.passwordFile }, hostKey: { fingerprint: dev.hostKeyFingerprint }, sae: d.sae }];
      }),
    ),
    links: topology.links.map((l) => ({ name: l.name, master: l.master, slaves: l.slaves })),
    rotation: {
      mode: 'key-chain',
      cipherSuite: 'gcm-aes-256',
      ckn: { strategy: 'sha256-keyid' },
      leadTimeSeconds: timing.leadTimeSeconds,
      intervalSeconds: timing.intervalSeconds,
      concurrency: topology.concurrency,
      confirmTimeoutMinutes: timing.confirmTimeoutMinutes,
      startAfterConfirmTimeout: false,
    },
    fallback: { enabled: true, intervalHours: input.fallbackIntervalHours },
    stateDir: input.stateDir,
  };
}

/** The rotator config as a YAML file (JSON is YAML) with the timing model in its header. */
export function rotatorConfigText(input: RotatorConfigInput): string {
  const t = input.timing;
  const header = [
    '# Written by tools/chaos for the simulators it started.',
    `# Timing: sim-junos runs one confirm-timeout minute in ${t.confirmMinuteMs} ms, so an unconfirmed`,
    `# end rolls back at most ${t.stageWindowMs} ms (stage window) + ${t.confirmMinuteMs} ms = ${t.latestRollbackMs} ms after the plan;`,
    `# the start-time is leadTimeSeconds (${t.leadTimeSeconds} s) after the plan (startAfterConfirmTimeout: false),`,
    '# so the rollback lands before any end switches to the new key.',
  ];
  return `${header.join('\n')}\n${JSON.stringify(rotatorConfig(input), null, 2)}\n`;
}
