// Runs one target over a range of input indices and turns what happens into findings: foreign
// errors, slow calls (confirmed by a second run), hangs, oversized messages and oracle problems.
import { createRng } from './rng.js';
import type { Finding, Problem, TargetRun } from './types.js';

export interface LoopOptions {
  target: string;
  seed: number;
  from: number;
  to: number;
  slowMs: number;
  hangMs: number;
  onFinding(finding: Finding): void;
  /** Called after each input with the number of inputs finished so far. */
  onProgress?(done: number): void;
  /** Liveness probe every so many inputs (wire targets). */
  livenessEvery?: number;
}

/** Messages longer than this are a finding: they end up in logs and alarms whole. */
const MAX_ERROR_MESSAGE = 16 * 1024;
const SHOWN_INPUT = 2000;

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.constructor?.name ?? err.name}: ${shorten(err.message, 300)}`;
  return `non-Error thrown: ${shorten(String(err), 200)}`;
}

const HANG = Symbol('hang');

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof HANG> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<typeof HANG>((resolve) => (timer = setTimeout(() => resolve(HANG), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

interface Outcome {
  ms: number;
  problems: Problem[];
}

async function attempt(run: TargetRun<unknown>, input: unknown, hangMs: number): Promise<Outcome> {
  const problems: Problem[] = [];
  const t0 = performance.now();
  try {
    let result = run.execute(input);
    if (result instanceof Promise) {
      const settled = await withTimeout(result, hangMs);
      if (settled === HANG) return { ms: performance.now() - t0, problems: [{ kind: 'hang', summary: `no result within ${hangMs} ms` }] };
      result = settled;
    }
    if (result) problems.push(...result);
  } catch (err) {
    if (!run.isOwnError(err)) problems.push({ kind: 'foreign-error', summary: describeError(err) });
    else if (err instanceof Error && err.message.length > MAX_ERROR_MESSAGE)
      problems.push({ kind: 'oversized-error', summary: `${err.constructor.name} message of ${err.message.length} characters` });
  }
  return { ms: performance.now() - t0, problems };
}

export async function runLoop(run: TargetRun<unknown>, opts: LoopOptions): Promise<number> {
  let next = opts.from;
  let done = 0;
  const concurrency = Math.max(1, run.concurrency ?? 1);
  const report = (index: number, input: unknown, p: Problem, ms?: number) =>
    opts.onFinding({ target: opts.target, kind: p.kind, index, summary: p.summary, ...(p.detail ? { detail: p.detail } : {}), input: shorten(run.show(input), SHOWN_INPUT), ...(ms === undefined ? {} : { ms: Math.round(ms) }) });
  const make = (index: number) => run.generate(createRng(opts.seed, opts.target, index), index);

  // One slow call may be the machine (GC, other processes, other lanes of this target): only a
  // second slow run counts. With several lanes the second run waits until the others are done.
  const slowCandidates: Array<{ index: number; ms: number }> = [];
  const confirmSlow = async (index: number, firstMs: number) => {
    const input = make(index);
    const again = await attempt(run, input, opts.hangMs);
    if (again.ms > opts.slowMs) report(index, input, { kind: 'slow', summary: `call took ${Math.round(firstMs)} ms, then ${Math.round(again.ms)} ms (limit ${opts.slowMs} ms)` }, Math.min(firstMs, again.ms));
  };

  const one = async (index: number) => {
    const input = make(index);
    const first = await attempt(run, input, opts.hangMs);
    for (const p of first.problems) report(index, input, p);
    if (first.ms > opts.slowMs && !first.problems.some((p) => p.kind === 'hang') && !run.slowAllowed?.(input)) {
      if (concurrency > 1) slowCandidates.push({ index, ms: first.ms });
      else await confirmSlow(index, first.ms);
    }
    done++;
    opts.onProgress?.(done);
    if (run.liveness && opts.livenessEvery && done % opts.livenessEvery === 0) await probe(index);
  };
  const probe = async (index: number) => {
    const problem = await run.liveness!();
    if (problem) opts.onFinding({ target: opts.target, kind: 'server-dead', index, summary: problem });
  };

  const lane = async () => {
    while (next < opts.to) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  for (const c of slowCandidates) await confirmSlow(c.index, c.ms);
  if (run.liveness) await probe(opts.to - 1);
  return done;
}
