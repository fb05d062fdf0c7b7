// End-to-end test bench: sim-kme (three KMEs over real mTLS) and sim-junos (seven devices over real
// SSH/NETCONF, manual clock) with three point-to-point links and one group whose master has two
// interfaces towards two slaves on two different KMEs (additional_slave_SAE_IDs). The rotator
// works on the simulators' clock, so waiting for a start-time is a jump, not a sleep.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQkdClient, type QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { startSimJunos, type SimJunos } from '@qkd-macsec/sim-junos';
import { startSimKme, type SimKme } from '@qkd-macsec/sim-kme';
import type { EngineConfig } from '../../engine/config-view.js';
import { createRotator, type CreateRotatorOptions, type EngineLogger, type Rotator } from '../../engine/index.js';

export const DEVICES = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'] as const;
const SAE_KME: Record<string, string> = { r1: 'KME_A', r2: 'KME_B', r3: 'KME_B', r4: 'KME_A', r5: 'KME_A', r6: 'KME_B', r7: 'KME_C' };

export const LINKS: EngineConfig['links'] = [
  { name: 'L1', master: { device: 'r1', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }] },
  { name: 'L2', master: { device: 'r3', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r4', interfaces: ['et-0/0/0'] }] },
  { name: 'L3', master: { device: 'r1', interfaces: ['et-0/0/1'] }, slaves: [{ device: 'r3', interfaces: ['et-0/0/1'] }] },
  {
    name: 'G1',
    master: { device: 'r5', interfaces: ['et-0/0/0', 'et-0/0/1'] },
    slaves: [
      { device: 'r6', interfaces: ['et-0/0/0'] },
      { device: 'r7', interfaces: ['et-0/0/0'] },
    ],
  },
];

/** The physical links of the simulator: every master interface faces one slave interface. */
const SIM_LINKS = [
  { id: 'L1', a: 'r1:et-0/0/0', b: 'r2:et-0/0/0' },
  { id: 'L2', a: 'r3:et-0/0/0', b: 'r4:et-0/0/0' },
  { id: 'L3', a: 'r1:et-0/0/1', b: 'r3:et-0/0/1' },
  { id: 'G1-r6', a: 'r5:et-0/0/0', b: 'r6:et-0/0/0' },
  { id: 'G1-r7', a: 'r5:et-0/0/1', b: 'r7:et-0/0/0' },
];
export const SIM_LINK_IDS = SIM_LINKS.map((l) => l.id);

export interface CapturingLogger extends EngineLogger {
  lines: string[];
}

/** Keeps every log line (for the "clear error in the log" and key-material assertions). */
export function capturingLogger(echo = !!process.env.ROTATOR_E2E_LOG): CapturingLogger {
  const lines: string[] = [];
  const put = (level: string) => (...args: unknown[]) => {
    const line = `${level} ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`;
    lines.push(line);
    if (echo) process.stderr.write(`${line}\n`);
  };
  return { lines, info: put('INFO'), warn: put('WARN'), error: put('ERROR'), debug: put('DEBUG') };
}

export interface Bench {
  kme: SimKme;
  junos: SimJunos;
  config: EngineConfig;
  stateDir: string;
  logger: CapturingLogger;
  /** Every key the KMEs handed out (hex), to scan outputs for. */
  issuedKeys: string[];
  /** sim-kme's key log (every key in every enc_keys/dec_keys reply), read now: KME, key_ID, size. */
  keyLog(): Promise<Array<{ kme: string; keyId: string; bits: number }>>;
  rotator(extra?: Partial<CreateRotatorOptions>): Rotator;
  /** A NETCONF session to a simulated device, as the bench's rotators connect (wrap it to change what a test sees). */
  connectDevice(name: string): Promise<JunosDevice>;
  /** A new ETSI 014 client speaking as `sae` (what the rotator uses by default). */
  kmeClient(sae: string): QkdClient;
  /** Connection details the SIGKILL fixture needs to reach the same simulators. */
  fixtureSpec(): FixtureSpec;
  close(): Promise<void>;
}

export interface FixtureSpec {
  config: EngineConfig;
  now: number;
  devices: Record<string, { host: string; port: number; username: string; password: string; fingerprint: string }>;
  kmes: Record<string, string>;
  saes: Record<string, { cert: string; key: string; ca: string }>;
}

export interface BenchOptions {
  mode?: EngineConfig['rotation']['mode'];
  /** Devices' initial configuration (default empty). */
  deviceConfig?: Record<string, string>;
  kmeTimeoutMs?: number;
  /** init extras (apply-macros, event-options, static host mappings). */
  init?: EngineConfig['init'];
  /** The fallback-key settings (default: the engine's, enabled). */
  fallback?: EngineConfig['fallback'];
}

/** A bench whose devices `init` has set up: every link has its first key and its fallback key. */
export async function startInitialisedBench(options: BenchOptions = {}): Promise<Bench> {
  const bench = await startBench(options);
  const r = bench.rotator();
  try {
    const init = await r.init();
    if (init.errors.length) throw new Error(`init failed on the bench: ${JSON.stringify(init.errors)}`);
  } catch (e) {
    await r.close();
    await bench.close();
    throw e;
  }
  await r.close();
  return bench;
}

export async function startBench(options: BenchOptions = {}): Promise<Bench> {
  const issuedKeys: string[] = [];
  const keyLogDir = await mkdtemp(join(tmpdir(), 'rotator-e2e-keylog-'));
  const keyLogFile = join(keyLogDir, 'kme-keys.jsonl');
  const kme = await startSimKme({
    kmes: [
      { id: 'KME_A', port: 0, saes: ['SAE_r1', 'SAE_r4', 'SAE_r5'] },
      { id: 'KME_B', port: 0, saes: ['SAE_r2', 'SAE_r3', 'SAE_r6'] },
      { id: 'KME_C', port: 0, saes: ['SAE_r7'] },
    ],
    links: [{ kmes: ['KME_A', 'KME_B'] }, { kmes: ['KME_A', 'KME_C'] }, { kmes: ['KME_B', 'KME_C'] }],
    onKeyIssued: (e) => void issuedKeys.push(Buffer.from(e.key).toString('hex')),
    keyLog: keyLogFile,
  });
  const junos = await startSimJunos({
    clock: 'manual',
    startTime: Date.UTC(2026, 10, 24, 12, 0, 0),
    devices: Object.fromEntries(DEVICES.map((d) => [d, { ...(options.deviceConfig?.[d] ? { config: options.deviceConfig[d] } : {}) }])),
    links: SIM_LINKS,
  });
  const stateDir = await mkdtemp(join(tmpdir(), 'rotator-e2e-'));
  const config = benchConfig(options, stateDir, kme);
  const logger = capturingLogger();
  const pki = kme.pki!;
  const tlsOf = (sae: string) => ({ cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem });
  const bench: Bench = {
    kme,
    junos,
    config,
    stateDir,
    logger,
    issuedKeys,
    keyLog: () => readKmeKeyLog(keyLogFile),
    rotator(extra = {}) {
      return createRotator({
        config,
        logger,
        clock: () => new Date(junos.now()),
        sleep: async (ms) => junos.advance(Math.max(0, Math.ceil(ms))),
        connectDevice: (name) => bench.connectDevice(name),
        kmeClientFor: (sae) => bench.kmeClient(sae),
        ...extra,
      });
    },
    connectDevice(name) {
      const d = junos.devices[name]!;
      return connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint], rpcTimeoutMs: 10_000 });
    },
    kmeClient(sae) {
      return createQkdClient({
        baseUrl: kme.kmes[config.saes[sae]!.kme]!.url,
        tls: tlsOf(sae),
        timeoutMs: options.kmeTimeoutMs ?? 5000,
        retry: { limit: 1, baseDelayMs: 20, maxDelayMs: 50 },
        logger: { warn: (m: string) => void logger.warn(m) },
      });
    },
    fixtureSpec() {
      return {
        config,
        now: junos.now(),
        devices: Object.fromEntries(
          DEVICES.map((d) => {
            const x = junos.devices[d]!;
            return [d, { host: x.host, port: x.port, username: x.username, password: x.password, fingerprint: x.hostKeyFingerprint }];
          }),
        ),
        kmes: Object.fromEntries(Object.entries(kme.kmes).map(([id, k]) => [id, k.url])),
        saes: Object.fromEntries(Object.keys(config.saes).map((s) => [s, tlsOf(s)])),
      };
    },
    async close() {
      await Promise.allSettled([kme.close(), junos.close()]);
      await rm(stateDir, { recursive: true, force: true });
      await rm(keyLogDir, { recursive: true, force: true });
    },
  };
  return bench;
}

/** The bench's engine config: every device, SAE and link of the topology, the rotation settings the tests rely on. */
function benchConfig(options: BenchOptions, stateDir: string, kme: SimKme): EngineConfig {
  return {
    saes: Object.fromEntries(DEVICES.map((d) => [`SAE_${d}`, { kme: SAE_KME[d]! }])),
    devices: Object.fromEntries(DEVICES.map((d) => [d, { sae: `SAE_${d}` }])),
    links: LINKS,
    rotation: {
      mode: options.mode ?? 'key-chain',
      cipherSuite: 'gcm-aes-256',
      ckn: { strategy: 'sha256-keyid' },
      leadTimeSeconds: 30,
      intervalSeconds: 3600,
      concurrency: 8,
      confirmTimeoutMinutes: 2,
    },
    stateDir,
    kmes: Object.fromEntries(Object.entries(kme.kmes).map(([id, k]) => [id, { url: k.url }])),
    ...(options.init ? { init: options.init } : {}),
    ...(options.fallback ? { fallback: options.fallback } : {}),
  };
}

/** sim-kme's key log: which KME handed out which key_ID, and its size (never the key). */
async function readKmeKeyLog(file: string): Promise<Array<{ kme: string; keyId: string; bits: number }>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; keyId: string; hex: string })
    .map((e) => ({ kme: e.id, keyId: e.keyId, bits: e.hex.length * 4 }));
}

/** Down intervals of every simulated link since `since` (epoch ms on the simulator clock). */
function downSince(junos: SimJunos, since: number) {
  return junos.downIntervalsSince(since);
}
