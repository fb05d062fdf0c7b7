// FLEET_PROC_TIMELINE=1: how busy the measured process and each simulator were, in 100 ms bins
// through each cycle. A sampler process of its own reads /proc/<pid>/stat (user + system time of
// every thread, in clock ticks) every 20 ms: it neither runs on the measured event loop nor waits
// behind it when that loop is busy. Linux only. On 2026-11-27 it showed what the per-cycle CPU
// totals could not: the rotator's process, at a core or more, bounds the reads, the stage and the
// verify, while each simulator is at a third of a core (engine README, "Fleet benchmark").
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ProcSample {
  /** Date.now() of the reading. */
  at: number;
  /** CPU time each process had used by then (ms), in the order the pids were given. */
  cpuMs: number[];
}

// Clock ticks are 100 a second on every Linux node runs on (USER_HZ; getconf CLK_TCK).
const SAMPLER = `
const { readFileSync } = require('node:fs');
const pids = process.argv.slice(1);
// Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
const ticks = (pid) => { const s = readFileSync('/proc/' + pid + '/stat', 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return Number(f[11]) + Number(f[12]); };
const timer = setInterval(() => {
  try { process.stdout.write(Date.now() + ' ' + pids.map((p) => ticks(p) * 10).join(' ') + '\\n'); }
  catch { clearInterval(timer); }
}, 20);
process.stdin.on('end', () => process.exit(0)).resume();
`;

/** Starts sampling `pids`; stop() ends it and gives what it read. */
export function startProcSampler(pids: number[]): { stop(): Promise<ProcSample[]> } {
  const child = spawn(process.execPath, ['-e', SAMPLER, ...pids.map(String)], { stdio: ['pipe', 'pipe', 'inherit'], env: {} });
  const samples: ProcSample[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [at, ...cpu] = line.split(' ').map(Number);
    samples.push({ at: at!, cpuMs: cpu });
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    async stop() {
      child.stdin.end();
      await exited;
      return samples;
    },
  };
}

/** Each process's share of a core (1 = one core all the time) in `binMs` bins from `from` to `to` (Date.now() times). */
export function cpuBins(samples: readonly ProcSample[], from: number, to: number, binMs: number): Array<{ at: number; share: number[] }> {
  const n = Math.ceil((to - from) / binMs);
  const width = samples[0]?.cpuMs.length ?? 0;
  const used = Array.from({ length: n }, () => new Array<number>(width).fill(0));
  const span = new Array<number>(n).fill(0);
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const k = Math.floor((a.at - from) / binMs);
    if (k < 0 || k >= n) continue;
    span[k]! += b.at - a.at;
    for (let p = 0; p < width; p++) used[k]![p]! += b.cpuMs[p]! - a.cpuMs[p]!;
  }
  return used.map((u, k) => ({ at: k * binMs, share: u.map((ms) => (span[k]! > 0 ? ms / span[k]! : 0)) }));
}
