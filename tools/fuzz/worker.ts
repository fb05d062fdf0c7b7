// Worker thread entry: starts one target and runs a range of its inputs, posting findings as they
// come and the number of finished inputs into shared memory (the parent's watchdog reads it to
// spot a hang inside a synchronous call, which no timer in this thread could interrupt).
import { parentPort, workerData } from 'node:worker_threads';
import { runLoop } from './loop.js';
import type { Finding, Target } from './types.js';

export interface WorkerTask {
  target: string;
  seed: number;
  from: number;
  to: number;
  slowMs: number;
  hangMs: number;
  /** Int32Array over it: [0] = inputs finished. */
  progress: SharedArrayBuffer;
  /** URL of the module whose `TARGETS` export holds the target (default: targets/index.ts). */
  targetsModule: string;
}

export type WorkerMessage = { type: 'started' } | { type: 'finding'; finding: Finding } | { type: 'done'; inputs: number };

const task = workerData as WorkerTask;
const { TARGETS } = (await import(task.targetsModule)) as { TARGETS: readonly Target[] };
const target = TARGETS.find((t) => t.name === task.target);
if (!target) throw new Error(`unknown target ${task.target}`);
const counter = new Int32Array(task.progress);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
const run = await target.start();
post({ type: 'started' });
const inputs = await runLoop(run, {
  target: task.target,
  seed: task.seed,
  from: task.from,
  to: task.to,
  slowMs: task.slowMs,
  hangMs: task.hangMs,
  livenessEvery: target.wire ? 250 : undefined,
  onFinding: (finding) => post({ type: 'finding', finding }),
  onProgress: (done) => Atomics.store(counter, 0, done),
});
await run.close?.();
post({ type: 'done', inputs });
