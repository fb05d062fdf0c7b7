// `qkd-macsec demo`: sim-kme (3 KMEs, in-memory PKI written to a temp dir) and sim-junos (4
// routers, real clock, fast commits) in this process, a config file written for them, `init`,
// N rotations through the engine, and each link's state from the simulator — secured, the
// key_ID, the total time it was down once first secured (0 ms is the point) and the time it ran
// secured on its fallback key (a rotation one end missed). Prints key IDs, never keys. Everything is removed at the end unless `keep` is set.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimPki, startSimKme, writeSimPki, type SimKme } from '@qkd-macsec/sim-kme';
import { startSimJunos, type SimJunos } from '@qkd-macsec/sim-junos';
import { loadConfig } from '../../config/index.js';
import { createHeldSecrets, createLogger, type HeldSecrets, type LogFormat, type LogLevel } from '../../log/index.js';
import { deviceConnector, kmeClientFactory } from '../../fleet/connectors.js';
import { defaultCreateRotator, type CreateRotator, type CycleReport, type Rotator } from '../engine.js';
import { line, type OutStream } from '../io.js';
import { initAndRotate } from './demo-cycles.js';
import { linksView } from './links-table.js';

export { downTimeAfterFirstSecured } from './links-table.js';
import { DEMO_DEVICES, DEMO_KME_LINKS, DEMO_KMES, demoCables, demoLinksAndRotationYaml, type DemoCable } from './topology.js';

export interface DemoOptions {
  rotations: number;
  stdout: OutStream;
  stderr: OutStream;
  logFormat?: LogFormat;
  logLevel?: LogLevel;
  /** Keep the temp dir (config, PKI, state) and print where it is. */
  keep?: boolean;
  /** Where to make the temp dir (default the OS temp dir). */
  tmpRoot?: string;
  leadTimeSeconds?: number;
  commitLatencyMs?: number;
  createRotator?: CreateRotator;
  /** Tests: every key the simulated KMEs hand out (raw bytes, copied). */
  onKeyIssued?: (keyId: string, bytes: Buffer) => void;
}

export interface DemoResult {
  ok: boolean;
  dir: string;
  cycles: CycleReport[];
  /** Per simulated cable: down time (ms) after it was first secured. */
  downMs: Record<string, number>;
  /** Per simulated cable: time (ms) secured on the fallback key instead of the primary one. */
  fallbackMs: Record<string, number>;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const out = options.stdout;
  const held = createHeldSecrets();
  const logger = createLogger({ format: options.logFormat ?? 'pretty', level: options.logLevel ?? 'warn', stream: options.stderr, held });
  let ok = true;
  let world: DemoWorld | undefined;
  let rotator: Rotator | undefined;
  const cycles: CycleReport[] = [];
  try {
    world = await startDemoWorld({
      held,
      ...(options.tmpRoot !== undefined ? { tmpRoot: options.tmpRoot } : {}),
      ...(options.commitLatencyMs !== undefined ? { commitLatencyMs: options.commitLatencyMs } : {}),
      ...(options.leadTimeSeconds !== undefined ? { leadTimeSeconds: options.leadTimeSeconds } : {}),
      ...(options.onKeyIssued !== undefined ? { onKeyIssued: options.onKeyIssued } : {}),
    });
    const { kme, junos, cables, simStart } = world;
    line(out, `sim-kme:   ${Object.values(kme.kmes).map((k) => `${k.id} ${k.url}`).join(', ')} (mutual TLS, PKI written to ${join(world.dir, 'pki')})`);
    line(out, `sim-junos: ${Object.values(junos.devices).map((d) => `${d.name} ${d.host}:${d.port}`).join(', ')} (NETCONF over SSH, host keys pinned)`);
    line(out, `config:    ${world.configFile}`);
    const config = await loadConfig(world.configFile, { env: {} });

    const connectorOptions = { logger };
    rotator = await (options.createRotator ?? defaultCreateRotator)({
      config,
      logger,
      connectDevice: deviceConnector(config, connectorOptions),
      kmeClientFor: kmeClientFactory(config, connectorOptions),
      // Start-times right after the lead time instead of beyond the confirm timeout: the demo
      // runs on a real clock and should take seconds, not minutes.
      startAfterConfirmTimeout: false,
      verifyDelayMs: 300,
    });

    const run = await initAndRotate(rotator, out, options.rotations);
    cycles.push(...run.cycles);
    ok = run.ok;

    // The links' state as the simulator sees it.
    const status = await rotator.status().catch(() => []);
    const keyOf = new Map<string, string | undefined>(status.map((s) => [s.link, s.keyId]));
    for (const c of cycles.at(-1)?.links ?? []) if (c.keyId !== undefined && !keyOf.get(c.link)) keyOf.set(c.link, c.keyId);
    const links = linksView(junos, cables, simStart, keyOf);
    if (!links.ok) ok = false;
    line(out, '\n== links (from the simulator) ==');
    line(out, links.table);
    line(out, `\n${ok ? `all links secured; ${options.rotations} rotation${options.rotations === 1 ? '' : 's'} without a moment of link drop` : 'the demo did NOT go as it should: see above'}`);
    if (options.keep) line(out, `kept ${world.dir} (config, PKI, state)`);
    return { ok, dir: world.dir, cycles, downMs: links.downMs, fallbackMs: links.fallbackMs };
  } finally {
    await rotator?.close().catch(() => undefined);
    await world?.close({ keep: options.keep === true });
  }
}

export interface DemoWorldOptions {
  /** Learns every issued key (digests only), so the log guard can mask it. */
  held?: HeldSecrets;
  tmpRoot?: string;
  commitLatencyMs?: number;
  leadTimeSeconds?: number;
  onKeyIssued?: (keyId: string, bytes: Buffer) => void;
}

export interface DemoWorld {
  dir: string;
  configFile: string;
  kme: SimKme;
  junos: SimJunos;
  cables: DemoCable[];
  /** sim-junos time when its links were created. */
  simStart: number;
  /** Stops the simulators and removes the dir (unless keep). */
  close(options?: { keep?: boolean }): Promise<void>;
}

/** The simulators and a config file for them in a fresh temp dir (used by the demo and tests). */
export async function startDemoWorld(options: DemoWorldOptions = {}): Promise<DemoWorld> {
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'qkd-macsec-demo-'));
  let kme: SimKme | undefined;
  let junos: SimJunos | undefined;
  const close = async (o: { keep?: boolean } = {}) => {
    await junos?.close().catch(() => undefined);
    await kme?.close().catch(() => undefined);
    if (o.keep !== true) await rm(dir, { recursive: true, force: true });
  };
  try {
    const kmeIds = DEMO_KMES.map((k) => k.id);
    const saeIds = DEMO_KMES.flatMap((k) => [...k.saes]);
    const pki = await createSimPki({ kmeIds, saeIds });
    const written = await writeSimPki(pki, join(dir, 'pki'));
    kme = await startSimKme({
      kmes: DEMO_KMES.map((k) => ({ id: k.id, saes: [...k.saes] })),
      links: DEMO_KME_LINKS,
      pki,
      // Every key as it leaves a KME: the log guard learns it (digests only); a test may collect it.
      onKeyIssued: (e) => {
        options.held?.holdBytes(e.key);
        options.onKeyIssued?.(e.keyId, Buffer.from(e.key));
      },
    });
    const cables = demoCables();
    junos = await startSimJunos({
      devices: Object.fromEntries(Object.keys(DEMO_DEVICES).map((d) => [d, { faults: { commitLatencyMs: options.commitLatencyMs ?? 20 } }])),
      links: cables.map((c) => ({ id: c.id, a: c.a, b: c.b })),
    });
    const simStart = junos.now();
    const configFile = await writeDemoConfig(dir, kme, junos, written.saes, written.caCert, options.leadTimeSeconds ?? 3);
    for (const d of Object.values(junos.devices)) options.held?.hold(d.password);
    return { dir, configFile, kme, junos, cables, simStart, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function writeDemoConfig(
  dir: string,
  kme: SimKme,
  junos: SimJunos,
  saeFiles: Record<string, { cert: string; key: string }>,
  caCert: string,
  leadTimeSeconds: number,
): Promise<string> {
  const secrets = join(dir, 'secrets');
  await mkdir(secrets, { mode: 0o700 });
  const kmeOfSae = new Map<string, string>(DEMO_KMES.flatMap((k) => k.saes.map((s) => [s, k.id] as const)));
  const lines: string[] = ['# Written by `qkd-macsec demo` for the simulators it started.', 'kmes:'];
  for (const k of Object.values(kme.kmes)) lines.push(`  ${k.id}: { url: "${k.url}", ca: ${rel(dir, caCert)} }`);
  lines.push('saes:');
  for (const [sae, f] of Object.entries(saeFiles)) lines.push(`  ${sae}: { kme: ${kmeOfSae.get(sae)}, cert: ${rel(dir, f.cert)}, key: ${rel(dir, f.key)} }`);
  lines.push('devices:');
  for (const d of Object.values(junos.devices)) {
    const file = join(secrets, d.name);
    await writeFile(file, `${d.password}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    lines.push(
      `  ${d.name}:`,
      `    host: ${d.host}`,
      `    port: ${d.port}`,
      `    username: ${d.username}`,
      `    password: { file: ./secrets/${d.name} }`,
      `    hostKey: { fingerprint: "${d.hostKeyFingerprint}" }`,
      `    sae: ${DEMO_DEVICES[d.name] ?? "?"}`,
    );
  }
  lines.push(...demoLinksAndRotationYaml(leadTimeSeconds));
  lines.push('certificates: { renewBeforeDays: 30, checkIntervalHours: 24 }');
  const file = join(dir, 'qkd-macsec.yaml');
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

function rel(dir: string, path: string): string {
  return path.startsWith(`${dir}/`) ? `./${path.slice(dir.length + 1)}` : path;
}
