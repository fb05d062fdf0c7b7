// The daemon itself at fleet size: `qkd-macsec run` (the built binary, with the NODE_OPTIONS of its
// systemd unit) against N links across 2N simulated devices (sim-junos in child processes on a
// real clock, 1 s commit latency) and two KMEs (sim-kme in a child, real mTLS). bench:fleet
// measures the engine bundled with the bench; a daemon also holds its CLI, the metrics registry
// (a histogram per device, gauges per link), /healthz, the certificate checks and the state
// store, so this is the RSS an operator sees. The binary is read from outside, from
// /proc/PID/status: its peak RSS (VmHWM) through `init` and its first cycle, which opens every
// session, then — the high-water mark reset — through the cycles after it, and its RSS at the end;
// its /metrics, scraped once a cycle, splits it into V8's heap and external memory.
//
// The config is the file's defaults (concurrency, maxSessions, keepalives, key-chain mode) but for
// what a real clock needs for cycles of seconds: start-times right after a lead time (as the demo
// does), a lead time that covers the reads and stages, an interval just above the cycle.
//
//   npm run bench:daemon -w tools      (DAEMON_LINKS=2000 DAEMON_CYCLES=3 DAEMON_LEAD_S=10; build first)
//   DAEMON_NODE_ARGS='…'                 node flags for the binary, e.g. --heapsnapshot-signal=SIGUSR2
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startJunos, startKmePair, type KmeReady } from './sim-child.js';
import { unitNodeOptions } from './unit-node-options.js';

const BIN = fileURLToPath(new URL('../../apps/rotator/bin/qkd-macsec.js', import.meta.url));

function wholeNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number, ${min} or more; got ${JSON.stringify(raw)}`);
  return n;
}
const LINKS = wholeNumber('DAEMON_LINKS', 2000, 1);
const CYCLES = wholeNumber('DAEMON_CYCLES', 3, 2);
const LEAD_S = wholeNumber('DAEMON_LEAD_S', 10, 1);
const LATENCY = wholeNumber('COMMIT_LATENCY_MS', 1000, 0);

/** VmRSS and VmHWM (peak) of a process, in MiB, from /proc/PID/status. */
function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** The config file for the fleet; device passwords go in the environment (PW_<device>), never on argv. */
function fleetConfig(dir: string, kme: { urls: Record<string, string> }, devices: Record<string, { host: string; port: number; username: string; password: string; hostKeyFingerprint: string }>) {
  const env: Record<string, string> = {};
  const lines = [
    'kmes:',
    ...Object.entries(kme.urls).map(([id, url]) => `  ${id}: { url: "${url}", ca: ./pki/ca.pem }`),
    'saes:',
    '  SAE_A: { kme: KME_A, cert: ./pki/SAE_A.pem, key: ./pki/SAE_A.key }',
    '  SAE_B: { kme: KME_B, cert: ./pki/SAE_B.pem, key: ./pki/SAE_B.key }',
    'devices:',
  ];
  Object.entries(devices).forEach(([name, d], i) => {
    env[`PW_${name}`] = d.password;
    lines.push(`  ${name}: { host: ${d.host}, port: ${d.port}, username: ${d.username}, password: { env: PW_${name} }, hostKey: { fingerprint: "${d.hostKeyFingerprint}" }, sae: ${i % 2 === 0 ? 'SAE_A' : 'SAE_B'} }`);
  });
  lines.push('links:');
  for (let i = 0; i < LINKS; i++) lines.push(`  - { name: L${i + 1}, master: { device: d${2 * i + 1}, interfaces: [et-0/0/0] }, slaves: [{ device: d${2 * i + 2}, interfaces: [et-0/0/0] }] }`);
  // A cycle: the lead time, then the MKA check (2 s, up to 3 tries); the interval leaves it room.
  lines.push('rotation:', `  leadTimeSeconds: ${LEAD_S}`, `  intervalSeconds: ${LEAD_S + 20}`, '  confirmTimeoutMinutes: 1', '  startAfterConfirmTimeout: false', `stateDir: ${join(dir, 'state')}`);
  return { yaml: `${lines.join('\n')}\n`, env };
}

/** The daemon's memory as its /metrics reports it (prom-client's process metrics), in MiB. */
function memoryOf(metrics: string): { rss: number; heapTotal: number; heapUsed: number; external: number } {
  const mib = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20;
  return { rss: mib('process_resident_memory_bytes'), heapTotal: mib('nodejs_heap_size_total_bytes'), heapUsed: mib('nodejs_heap_size_used_bytes'), external: mib('nodejs_external_memory_bytes') };
}

interface Daemon {
  child: ChildProcess;
  /** The stderr lines so far (JSON logs), and those at warn or above. */
  lines: { total: number; warnings: string[] };
  exited: Promise<number | null>;
  /** What it printed on stdout so far. */
  out(): string;
}

function startDaemon(args: string[], env: Record<string, string>, cwd: string): Daemon {
  // DAEMON_NODE_ARGS: node flags for the binary (diagnosis: e.g. --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=DIR).
  const child = spawn(process.execPath, [...(process.env.DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? []), BIN, ...args], { cwd, env: { ...process.env, ...env, NODE_OPTIONS: unitNodeOptions('qkd-macsec.service') }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = { total: 0, warnings: [] as string[] };
  let rest = '';
  child.stderr!.on('data', (c: Buffer) => {
    const parts = (rest + c.toString('utf8')).split('\n');
    rest = parts.pop()!;
    for (const l of parts) {
      lines.total++;
      if (/"level":"(warn|error|fatal)"/.test(l) || !l.startsWith('{')) lines.warnings.push(l);
    }
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => void (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited, out: () => out };
}

/** The URL `run` serves /metrics and /healthz on, once it says so. */
async function metricsUrl(d: Daemon): Promise<string> {
  for (;;) {
    const m = /metrics and health on (http:\/\/\S+)\/metrics/.exec(d.out());
    if (m) return m[1]!;
    if (d.child.exitCode !== null) throw new Error(`qkd-macsec run exited (${d.child.exitCode}) before it listened: ${d.out()}${d.lines.warnings.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The KMEs' CA and SAE credentials under dir/pki, and the fleet's config file. */
function writeFleetFiles(dir: string, ready: KmeReady, devices: Parameters<typeof fleetConfig>[2]): { configFile: string; env: ReturnType<typeof fleetConfig>['env'] } {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { mode: 0o700 });
  writeFileSync(join(pki, 'ca.pem'), ready.ca);
  for (const [sae, c] of Object.entries(ready.saes)) {
    writeFileSync(join(pki, `${sae}.pem`), c.cert);
    writeFileSync(join(pki, `${sae}.key`), c.key, { mode: 0o600 });
  }
  const { yaml, env } = fleetConfig(dir, ready, devices);
  const configFile = join(dir, 'qkd-macsec.yaml');
  writeFileSync(configFile, yaml, { mode: 0o600 });
  return { configFile, env };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'daemon-bench-'));
  const kme = await startKmePair();
  const junos = await startJunos(LINKS, Math.min(2, LINKS), LATENCY, 'real');
  let daemon: Daemon | undefined;
  try {
    const { configFile, env } = writeFleetFiles(dir, kme.ready, junos.devices);

    const ti = performance.now();
    const init = (daemon = startDaemon(['-c', configFile, '--log-format', 'json', '--log-level', 'warn', 'init'], env, dir));
    const initCode = await init.exited;
    if (initCode !== 0) throw new Error(`qkd-macsec init exited with ${initCode}: ${init.lines.warnings.join('\n')}`);
    const initS = (performance.now() - ti) / 1000;
    const since = Date.now(); // the simulators' real clock: a link is down until init keys it

    const run = (daemon = startDaemon(['-c', configFile, '--log-format', 'json', 'run', '--listen', '127.0.0.1:0'], env, dir));
    const url = await metricsUrl(run);
    const pid = run.child.pid!;
    const health = async () => (await (await fetch(`${url}/healthz`)).json()) as { cycles: number; lastCycle: { startedAt: string; finishedAt: string; links: number; succeeded: number } | null };
    const cycles: Array<{ s: number; succeeded: number }> = [];
    let firstPeak = 0;
    let later = { rss: 0, peak: 0 };
    for (let seen = 0; seen < CYCLES; ) {
      await new Promise((r) => setTimeout(r, 250));
      if (run.child.exitCode !== null) throw new Error(`qkd-macsec run exited with ${run.child.exitCode}: ${run.lines.warnings.join('\n')}`);
      // A daemon writing a heap snapshot (DAEMON_NODE_ARGS) answers nothing for seconds: ask again.
      const h = await health().catch(() => undefined);
      if (!h) continue;
      if (h.cycles <= seen) continue;
      seen = h.cycles;
      const c = h.lastCycle!;
      cycles.push({ s: (Date.parse(c.finishedAt) - Date.parse(c.startedAt)) / 1000, succeeded: c.succeeded });
      if (c.succeeded !== LINKS) throw new Error(`cycle ${seen}: ${c.succeeded} of ${LINKS} links rotated: ${JSON.stringify(h).slice(0, 2000)}`);
      if (seen === 1) {
        firstPeak = rssOf(pid).peak;
        writeFileSync(`/proc/${pid}/clear_refs`, '5'); // the high-water mark from now on: the cycles after the first
      } else later = rssOf(pid);
      // Scraped once a cycle, as Prometheus would (every 15–60 s).
      const m = memoryOf(await (await fetch(`${url}/metrics`)).text());
      if (!process.env.DAEMON_QUIET) console.error(`  cycle ${seen}: ${cycles.at(-1)!.s.toFixed(1)} s; RSS ${m.rss.toFixed(0)} MiB, V8 heap ${m.heapTotal.toFixed(0)} MiB (${m.heapUsed.toFixed(0)} used), external ${m.external.toFixed(0)} MiB`);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const end = memoryOf(metrics);
    run.child.kill('SIGTERM');
    const code = await run.exited;
    if (code !== 0) throw new Error(`qkd-macsec run exited with ${code} on SIGTERM`);
    const downs = (await junos.downIntervalsSince(since)).length;

    const row = (k: string, v: string) => console.log(`${k.padEnd(40)}${v.padStart(16)}`);
    console.log(`qkd-macsec run (the built binary, NODE_OPTIONS=${unitNodeOptions('qkd-macsec.service')} as its systemd unit), ${LINKS} links, real clock, lead time ${LEAD_S} s, commit latency ${LATENCY} ms, sim-junos in ${Math.min(2, LINKS)} processes`);
    row('links / devices', `${LINKS} / ${2 * LINKS}`);
    row('init', `${initS.toFixed(1)} s`);
    row('cycles (wall, lead time included)', cycles.map((c) => c.s.toFixed(1)).join(' / '));
    row('RSS peak: first cycle (sessions opened)', `${firstPeak.toFixed(0)} MiB`);
    row(`RSS peak: ${CYCLES > 2 ? `cycles 2–${CYCLES}` : 'cycle 2'}`, `${later.peak.toFixed(0)} MiB`);
    row('RSS at the end', `${later.rss.toFixed(0)} MiB`);
    row('  V8 heap (used) / external', `${end.heapTotal.toFixed(0)} (${end.heapUsed.toFixed(0)}) / ${end.external.toFixed(0)} MiB`);
    row('/metrics size', `${(metrics.length / 1024).toFixed(0)} KiB`);
    row('log lines (JSON, stderr)', String(run.lines.total));
    row('warnings and errors logged', String(run.lines.warnings.length));
    row('link-down intervals', String(downs));
    row('load average (1/5/15 min)', loadavg().map((v) => v.toFixed(2)).join(' '));
    for (const w of run.lines.warnings.slice(0, 5)) console.error(`  ${w.slice(0, 300)}`);
  } finally {
    if (daemon?.child.exitCode === null) {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
    await junos.close();
    await kme.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
