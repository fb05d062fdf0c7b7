// What a fuzz target is and what a run reports.
import type { Rng } from './rng.js';

export type FindingKind =
  /** An error that is not one of the package's own classes escaped. */
  | 'foreign-error'
  /** One call took longer than the slow threshold (twice: a slow call is re-run to rule out load). */
  | 'slow'
  /** No answer (or no return) within the hang timeout. */
  | 'hang'
  /** The process running the target died: an uncaught exception or rejection. */
  | 'crash'
  /** The parser accepted input that the oracle says must be refused. */
  | 'accepted-invalid'
  /** A valid input gave a wrong answer, or a server's answer broke its protocol. */
  | 'wrong-result'
  /** A server stopped answering valid requests after the fuzz inputs. */
  | 'server-dead'
  /** An error of the package's own class, but with a message too long to log. */
  | 'oversized-error';

export interface Finding {
  target: string;
  kind: FindingKind;
  /** Index of the input: with the seed and target, `--replay INDEX` rebuilds it. */
  index: number;
  /** One line: the error's class and message, or what the oracle saw. */
  summary: string;
  /** What varies between findings of one group: the character, the value, the message. */
  detail?: string;
  /** The input, shortened for display. */
  input?: string;
  ms?: number;
}

/** What an oracle (or the harness) found wrong with one input. */
export interface Problem {
  kind: FindingKind;
  summary: string;
  detail?: string;
}

/** A started target: makes inputs, runs them, and knows its package's error classes. */
export interface TargetRun<I> {
  generate(rng: Rng, index: number): I;
  /** Runs one input. Throwing is fine when the error is the package's own; returned problems are findings. */
  execute(input: I): Problem[] | void | Promise<Problem[] | void>;
  /** The input as text, for a finding and for --replay. */
  show(input: I): string;
  /** True for errors the package is meant to throw on bad input. */
  isOwnError(err: unknown): boolean;
  /**
   * After execute: true when this input may take longer than the slow limit by design (a request
   * left incomplete, answered by the server's own timeout). Its own oracle bounds the time then.
   */
  slowAllowed?(input: I): boolean;
  /** Asks a server a valid question; returns what went wrong, if anything. */
  liveness?(): Promise<string | undefined>;
  close?(): Promise<void>;
  /** Inputs in flight at once (wire targets overlap round trips); default 1. */
  concurrency?: number;
}

export interface Target {
  name: string;
  description: string;
  /** Relative share of --inputs. */
  weight: number;
  /** Over a real socket: costly, so capped (see run.ts). */
  wire: boolean;
  start(): Promise<TargetRun<any>>;
}

export interface TargetReport {
  target: string;
  inputs: number;
  ms: number;
  findings: number;
}

/** Findings that look alike (same target, kind and message shape), with a few examples. */
export interface FindingGroup {
  target: string;
  kind: FindingKind;
  summary: string;
  count: number;
  examples: Finding[];
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  ms: number;
  targets: TargetReport[];
  findings: FindingGroup[];
}
