// Where the memory of a kept SSH/NETCONF session goes. sim-junos runs in a child process with
// N devices; each variant below runs in a fresh client process (node --expose-gc), opens one
// session per device, and reports process.memoryUsage() after a full GC, before and after, per
// session. Layers are added one at a time, so the difference between two rows is what the
// added layer costs.
// The last variant runs the rotator's device-cycle on every session at once and reports the
// client's peak RSS (VmHWM): what a cycle's garbage adds on top of the kept sessions.
//   npx tsx tools/bench/session-memory.ts [sessions=1000] [variant: ssh|hello|rpc|big|burst, default all]
// SESSION_MEMORY_SNAPSHOT=DIR also writes a heap snapshot of each variant's client after its GC
// (DIR/<variant>-<sessions>.heapsnapshot): diff one of 300 sessions against one of 30 to see the
// objects each kept session adds.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { connectJunos, connectNetconf, connectSsh, type JunosDevice } from '@qkd-macsec/junos-netconf';

interface Device {
  host: string;
  port: number;
  username: string;
  password: string;
  hostKeyFingerprint: string;
}
type Usage = { rss: number; heapUsed: number; external: number; arrayBuffers: number };

const VARIANTS = {
  'ssh: handshake + auth only': 'ssh',
  '+ netconf channel + hello': 'hello',
  '+ one small RPC': 'rpc',
  '+ one 1 MiB reply': 'big',
  '+ a rotation burst (peak: VmHWM)': 'burst',
} as const;
type Variant = (typeof VARIANTS)[keyof typeof VARIANTS];
const self = fileURLToPath(import.meta.url);
const mode = process.argv[2];

async function limit<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

function usage(): Usage {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Child: sim-junos with N devices (answering every RPC with 1 MiB if `big`); prints their addresses as one JSON line, exits when stdin closes. */
async function runSim(n: number, big: boolean): Promise<void> {
  const { startSimJunos } = await import('@qkd-macsec/sim-junos');
  const sim = await startSimJunos({ devices: Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, {}])), links: [] });
  if (big) for (const name of Object.keys(sim.devices)) sim.setFaults(name, { hostileReply: 'oversized', hostileReplyBytes: 1 << 20 });
  const devices = Object.values(sim.devices).map((d) => ({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint }));
  process.stdout.write(`${JSON.stringify(devices)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
}

/** Child: open a session per device in the given variant, print the memory before/after. */
async function runClient(variant: Variant, devices: Device[]): Promise<void> {
  const keep: Array<{ close(): Promise<void> }> = [];
  const before = usage();
  await limit(devices, 16, async (d) => {
    const o = { host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint], keepaliveIntervalMs: 0 };
    if (variant === 'ssh') keep.push(await connectSsh(o));
    else if (variant === 'hello') keep.push(await connectNetconf(o));
    else if (variant === 'burst') keep.push(await connectJunos(o));
    else {
      const j = await connectJunos(o);
      await j.rpc('<get-software-information/>'); // 1 MiB from the `big` simulator
      keep.push(j);
    }
  });
  if (variant === 'burst') await burst(keep as JunosDevice[]);
  const after = usage();
  const snapshots = process.env['SESSION_MEMORY_SNAPSHOT'];
  if (snapshots) writeHeapSnapshot(join(snapshots, `${variant}-${keep.length}.heapsnapshot`));
  process.stdout.write(`${JSON.stringify({ before, after, n: keep.length, peakRss: peakRss() })}\n`);
  await Promise.all(keep.map((k) => k.close()));
}

const MACSEC_FILTER = '<configuration><security><macsec/><authentication-key-chains/></security></configuration>';
const keyLoad = (i: number) =>
  `<configuration><security><authentication-key-chains><key-chain><name>QKD_KC</name><key><name>${i % 3}</name><secret>${String(i).padStart(64, 'a')}</secret>` +
  `<key-name>${String(i).padStart(64, 'c')}</key-name><start-time>2026-11-25.00:00:00</start-time></key></key-chain></authentication-key-chains></security></configuration>`;

/**
 * The rotator's device-cycle (apps/rotator/src/fleet/netconf-ops.ts) on every session at once,
 * twice: read the MACsec configuration, lock, load, commit confirmed, confirm, unlock, MKA state.
 * What it leaves behind after a GC is in the table; its peak is VmHWM.
 */
async function burst(devices: JunosDevice[]): Promise<void> {
  for (let cycle = 0; cycle < 2; cycle++) {
    await Promise.all(devices.map(async (d, i) => {
      await d.getConfigurationRaw({ filter: MACSEC_FILTER });
      await d.lock();
      await d.load({ format: 'xml', action: 'merge', config: keyLoad(i + cycle) });
      await d.commit({ confirmed: true, confirmTimeoutMinutes: 10, comment: 'qkd rotation' });
      await d.confirm({ comment: 'qkd rotation' });
      await d.unlock();
      await d.mkaSessions();
    }));
  }
}

/** Peak resident set size of this process so far (Linux: VmHWM), in bytes. */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** Starts a sim child; resolves with it and its devices' addresses (JSON). */
async function startSimChild(n: number, big: boolean): Promise<{ child: ReturnType<typeof spawn>; devicesJson: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--sim', String(n), big ? 'big' : 'small'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const devicesJson = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`sim-junos child exited with ${String(code)}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
  });
  return { child, devicesJson };
}

if (mode === '--sim') await runSim(Number(process.argv[3]), process.argv[4] === 'big');
else if (mode === '--client') {
  const devices = JSON.parse(readFileSync(process.env['SESSION_MEMORY_DEVICES']!, 'utf8')) as Device[]; // a file: too big for the environment
  await runClient(process.argv[3] as Variant, devices);
} else {
  const n = Number(process.argv[2] ?? 1000);
  const small = await startSimChild(n, false);
  const big = await startSimChild(n, true);
  const dir = mkdtempSync(join(tmpdir(), 'session-memory-'));
  writeFileSync(join(dir, 'small.json'), small.devicesJson);
  writeFileSync(join(dir, 'big.json'), big.devicesJson);
  const rows: Array<[string, Usage, Usage]> = [];
  let peak = 0;
  const load0 = loadavg();
  const only = process.argv[3];
  for (const [label, variant] of Object.entries(VARIANTS)) {
    if (only !== undefined && only !== variant) continue;
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--client', variant], {
      env: { ...process.env, SESSION_MEMORY_DEVICES: join(dir, variant === 'big' ? 'big.json' : 'small.json') },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (run.status !== 0) throw new Error(`${label}: exit ${String(run.status ?? run.signal)} ${run.error?.message ?? ''} ${run.stderr ?? ''}`);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as { before: Usage; after: Usage; n: number; peakRss: number };
    rows.push([label, r.before, r.after]);
    if (variant === 'burst') peak = r.peakRss;
  }
  small.child.stdin!.end();
  big.child.stdin!.end();
  const kib = (b: number) => (b / 1024).toFixed(1).padStart(9);
  const per = (a: Usage, b: Usage, k: keyof Usage) => (b[k] - a[k]) / n;
  console.log(`\nPer kept session, ${n} sessions to sim-junos (other process), after a full GC, Node ${process.version}`);
  console.log(`load average (1/5/15 min): ${load0.map((x) => x.toFixed(2)).join(' ')} before, ${loadavg().map((x) => x.toFixed(2)).join(' ')} after\n`);
  console.log(`${'client holds'.padEnd(30)}${'rss KiB'.padStart(9)}${'heap KiB'.padStart(10)}${'external'.padStart(10)}${'of which AB'.padStart(12)}${'total MiB'.padStart(11)}`);
  for (const [label, a, b] of rows) {
    console.log(`${label.padEnd(30)}${kib(per(a, b, 'rss'))} ${kib(per(a, b, 'heapUsed'))} ${kib(per(a, b, 'external'))}   ${kib(per(a, b, 'arrayBuffers'))}  ${((b.rss - a.rss) / 2 ** 20).toFixed(0).padStart(8)}`);
  }
  console.log(`\nrss ${(rows[0]![1].rss / 2 ** 20).toFixed(0)} MiB before any session (Node + tsx + the libraries).`);
  console.log(`peak rss of the client during the rotation burst (${n} sessions, 2 device-cycles each, every session at once): ${(peak / 2 ** 20).toFixed(0)} MiB`);
}
