// The benchmarks' simulators, each in a child process of its own (fleet-sim-worker.ts) so that
// process.cpuUsage() of the bench process measures the rotator alone: startChild speaks to one
// over IPC, startJunos spreads a fleet of linked devices over several, startKme runs the KMEs.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DeviceInfo {
  host: string;
  port: number;
  username: string;
  password: string;
  hostKeyFingerprint: string;
}

const withoutNodeOptions = ({ NODE_OPTIONS: _, ...env }: NodeJS.ProcessEnv): NodeJS.ProcessEnv => env;

/** A simulator in a child process of its own, spoken to over IPC. */
export async function startChild<R>(role: 'junos' | 'kme', options: object) {
  const child: ChildProcess = fork(fileURLToPath(new URL('./fleet-sim-worker.ts', import.meta.url)), [role], {
    execArgv: [...(process.env.SIM_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', ...(process.env.SIM_CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.SIM_CPU_PROFILE_DIR] : [])],
    // node's defaults: the NODE_OPTIONS of the rotator's process are its systemd unit's (fleet.bench.ts), not theirs.
    env: withoutNodeOptions(process.env),
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (m: Record<string, unknown>) => void>();
  let seq = 0;
  const ready = await new Promise<R>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator ${role} exited with ${String(code)}`)));
    child.on('message', (m: Record<string, unknown>) => {
      if (m.ready) resolve(m as R);
      else pending.get(m.id as number)?.(m);
    });
    child.send(options);
  });
  child.removeAllListeners('exit');
  const call = (op: string, extra: object = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++seq;
      pending.set(id, (m) => {
        pending.delete(id);
        resolve(m);
      });
      child.send({ id, op, ...extra });
    });
  return { ready, call, pid: child.pid!, close: async () => void (await call('close')) };
}

/**
 * N links across 2N devices d1…d2N (link Lk joins d(2k-1) and d(2k) on et-0/0/0), every device with
 * a commit latency of latencyMs, in `procs` child processes (a link's two ends in the same one).
 * On a manual clock (the default) start-time waits are `advance` calls; on the real clock a
 * process of its own (`qkd-macsec run`, bench:daemon) can rotate them as it would real routers.
 */
export async function startJunos(links: number, procs: number, latencyMs: number, clock: 'manual' | 'real' = 'manual') {
  const parts = await Promise.all(
    Array.from({ length: procs }, (_, w) => {
      const mine = Array.from({ length: links }, (_, i) => i).filter((i) => i % procs === w);
      return startChild<{ devices: Record<string, DeviceInfo>; now: number }>('junos', {
        clock,
        ...(clock === 'manual' ? { startTime: Date.UTC(2026, 10, 24, 12, 0, 0) } : {}),
        devices: Object.fromEntries(mine.flatMap((i) => [`d${2 * i + 1}`, `d${2 * i + 2}`]).map((d) => [d, { faults: { commitLatencyMs: latencyMs } }])),
        links: mine.map((i) => ({ id: `L${i + 1}`, a: `d${2 * i + 1}:et-0/0/0`, b: `d${2 * i + 2}:et-0/0/0` })),
      });
    }),
  );
  let now = parts[0]!.ready.now;
  return {
    devices: Object.assign({}, ...parts.map((p) => p.ready.devices)) as Record<string, DeviceInfo>,
    pids: parts.map((p) => p.pid),
    now: () => now,
    async advance(ms: number) {
      const r = await Promise.all(parts.map((p) => p.call('advance', { ms })));
      now = r[0]!.now as number;
    },
    downIntervalsSince: async (since: number) => (await Promise.all(parts.map((p) => p.call('downSince', { since })))).flatMap((r) => r.intervals as unknown[]),
    cpuMs: async () => (await Promise.all(parts.map((p) => p.call('cpu')))).map((r) => cpuMs(r.cpu as NodeJS.CpuUsage)),
    close: async () => void (await Promise.all(parts.map((p) => p.close()))),
  };
}

/** What the sim-kme child answers when it is up: each KME's URL, the CA and every SAE's PEMs. */
export interface KmeReady {
  urls: Record<string, string>;
  ca: string;
  saes: Record<string, { cert: string; key: string }>;
}

/** sim-kme in a child process (options: SimKmeOptions). */
export const startKme = (options: object) => startChild<KmeReady>('kme', options);

/** Two KMEs, KME_A (SAE_A) and KME_B (SAE_B), one link between them with keys to spare: a fleet's. */
export const startKmePair = () =>
  startKme({
    kmes: [
      { id: 'KME_A', port: 0, saes: ['SAE_A'] },
      { id: 'KME_B', port: 0, saes: ['SAE_B'] },
    ],
    links: [{ kmes: ['KME_A', 'KME_B'], maxKeyCount: 100_000, keyRateBps: 100_000_000 }],
  });

export const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
