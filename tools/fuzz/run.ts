// Runs fuzz targets in worker threads (two at a time by default), each over its share of the
// inputs, and gathers findings. A worker that dies is a crash; one that stops making progress
// (a synchronous hang) is terminated by the watchdog; both resume after the input that broke them.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TARGETS } from './targets/index.js';
import type { Finding, FindingGroup, FuzzReport, Target, TargetReport } from './types.js';
import type { WorkerMessage, WorkerTask } from './worker.js';

export interface FuzzOptions {
  /** Inputs in total, shared among the targets by weight. */
  inputs: number;
  seed: number;
  /** Target names (default: all). */
  targets?: string[];
  /** A call slower than this is a finding (after a confirming re-run). Default 1000 ms. */
  slowMs?: number;
  /** No result within this is a hang. Default 10 s. */
  hangMs?: number;
  /** Worker threads at once. Default: 2 (or fewer cores). */
  jobs?: number;
  /** Inputs for particular targets, instead of their weighted share of `inputs`. */
  counts?: Record<string, number>;
  /** Largest slice of one target's inputs handed to one worker. */
  sliceSize?: number;
  onProgress?(target: string, done: number, total: number): void;
  /** Where the targets come from: a module URL exporting `TARGETS`, and that list (tests use their own). */
  registry?: { module: string; targets: readonly Target[] };
}

const EXAMPLES_PER_GROUP = 3;
const WORKER_URL = new URL('./worker.ts', import.meta.url).href;
const DEFAULT_REGISTRY = { module: new URL('./targets/index.ts', import.meta.url).href, targets: TARGETS };

/** Splits `inputs` among targets in proportion to their weights (every chosen target gets ≥ 1). */
function shareInputs(targets: readonly Target[], inputs: number): Map<string, number> {
  const total = targets.reduce((s, t) => s + t.weight, 0);
  const shares = new Map<string, number>();
  let given = 0;
  targets.forEach((t, i) => {
    const n = i === targets.length - 1 ? inputs - given : Math.max(1, Math.floor((inputs * t.weight) / total));
    shares.set(t.name, Math.max(1, n));
    given += n;
  });
  return shares;
}

/** Findings that differ only in numbers or quoted values belong together. */
function groupKey(f: Finding): string {
  return `${f.target}|${f.kind}|${f.summary.replace(/\d+/g, '#').replace(/"[^"]*"/g, '"…"').slice(0, 160)}`;
}

interface Task {
  target: string;
  from: number;
  to: number;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const all = registry.targets;
  const chosen = options.targets?.length ? options.targets.map((n) => all.find((t) => t.name === n) ?? fail(n, all)) : [...all];
  const slowMs = options.slowMs ?? 1000;
  const hangMs = options.hangMs ?? 10_000;
  const jobs = Math.max(1, options.jobs ?? Math.min(2, availableParallelism()));
  const sliceSize = options.sliceSize ?? 100_000;
  const shares = shareInputs(chosen, options.inputs);
  for (const [name, n] of Object.entries(options.counts ?? {})) if (shares.has(name)) shares.set(name, n);

  const tasks: Task[] = [];
  for (const t of chosen) {
    const n = shares.get(t.name)!;
    const size = t.wire ? n : sliceSize;
    for (let from = 0; from < n; from += size) tasks.push({ target: t.name, from, to: Math.min(n, from + size) });
  }
  // Wire targets first: they are the longest single tasks.
  const wire = (name: string) => Number(all.find((t) => t.name === name)!.wire);
  tasks.sort((a, b) => wire(b.target) - wire(a.target));

  const groups = new Map<string, FindingGroup>();
  const perTarget = new Map<string, TargetReport>(chosen.map((t) => [t.name, { target: t.name, inputs: 0, ms: 0, findings: 0 }]));
  const doneOf = new Map<string, number>();
  const addFinding = (f: Finding) => {
    perTarget.get(f.target)!.findings++;
    const key = groupKey(f);
    const g = groups.get(key) ?? { target: f.target, kind: f.kind, summary: f.summary, count: 0, examples: [] };
    g.count++;
    if (g.examples.length < EXAMPLES_PER_GROUP) g.examples.push(f);
    groups.set(key, g);
  };

  const context: TaskContext = {
    seed: options.seed,
    slowMs,
    hangMs,
    module: registry.module,
    addFinding,
    account(task, inputs, ms) {
      const report = perTarget.get(task.target)!;
      report.inputs += inputs;
      report.ms += ms;
      doneOf.set(task.target, (doneOf.get(task.target) ?? 0) + inputs);
    },
    progress: (task, inFlight) => options.onProgress?.(task.target, (doneOf.get(task.target) ?? 0) + inFlight, shares.get(task.target)!),
  };

  const t0 = performance.now();
  const queue = [...tasks];
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) await runTask(t, context);
    }),
  );
  const targets = [...perTarget.values()].map((r) => ({ ...r, ms: Math.round(r.ms) }));
  return {
    seed: options.seed,
    inputs: targets.reduce((s, r) => s + r.inputs, 0),
    ms: Math.round(performance.now() - t0),
    targets,
    // Workers report in parallel: examples are the first to arrive, shown in index order.
    findings: [...groups.values()].map((g) => ({ ...g, examples: [...g.examples].sort((a, b) => a.index - b.index) })).sort((a, b) => b.count - a.count),
  };
}

interface TaskContext {
  seed: number;
  slowMs: number;
  hangMs: number;
  /** Module URL the worker loads its target from. */
  module: string;
  addFinding(f: Finding): void;
  account(task: Task, inputs: number, ms: number): void;
  progress(task: Task, inFlight: number): void;
}

/**
 * Runs one task in a worker thread. A worker that dies (crash) or stops making progress for
 * twice the hang timeout (a synchronous hang; terminated) is a finding at the input it was on,
 * and the rest of the range runs in a new worker. One that fails before its target started is
 * reported once and not retried.
 */
function runTask(task: Task, ctx: TaskContext): Promise<void> {
  return new Promise((resolve) => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const data: WorkerTask = { target: task.target, seed: ctx.seed, from: task.from, to: task.to, slowMs: ctx.slowMs, hangMs: ctx.hangMs, progress: counter.buffer as SharedArrayBuffer, targetsModule: ctx.module };
    const started = performance.now();
    const worker = new Worker(`import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(WORKER_URL)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData: data });
    let targetStarted = false;
    let finished = false;
    let last = -1;
    let lastChange = performance.now();
    const end = () => {
      finished = true;
      clearInterval(watchdog);
    };
    // After a crash or a hang the rest of the range still runs, from the next input on.
    const broke = async (kind: 'crash' | 'hang', summary: string) => {
      const done = Atomics.load(counter, 0);
      ctx.addFinding({ target: task.target, kind, index: task.from + done, summary: targetStarted ? summary : `target failed to start: ${summary}` });
      ctx.account(task, done, performance.now() - started);
      const next = task.from + done + 1;
      if (targetStarted && next < task.to) await runTask({ target: task.target, from: next, to: task.to }, ctx);
      resolve();
    };
    const watchdog = setInterval(() => {
      const now = Atomics.load(counter, 0);
      ctx.progress(task, now);
      if (now !== last) {
        last = now;
        lastChange = performance.now();
      } else if (!finished && performance.now() - lastChange > ctx.hangMs * 2 + 1000) {
        end();
        const idle = Math.round((performance.now() - lastChange) / 1000);
        void worker.terminate().then(() => broke('hang', `no progress for ${idle} s: worker terminated`));
      }
    }, 500);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'started') targetStarted = true;
      else if (m.type === 'finding') ctx.addFinding(m.finding);
      else if (!finished) {
        end();
        ctx.account(task, m.inputs, performance.now() - started);
        void worker.terminate().then(() => resolve());
      }
    });
    const crashed = (why: string) => {
      if (finished) return;
      end();
      void broke('crash', why);
    };
    worker.on('error', (err) => crashed(`worker died: ${err instanceof Error ? `${err.constructor.name}: ${err.message.slice(0, 300)}` : String(err)}`));
    worker.on('exit', (code) => crashed(`worker exited with code ${code} before finishing`));
  });
}

function fail(name: string, all: readonly Target[]): never {
  throw new Error(`unknown target "${name}" (known: ${all.map((t) => t.name).join(', ')})`);
}
