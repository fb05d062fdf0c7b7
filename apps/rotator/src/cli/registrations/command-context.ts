// What each command's registration on the program gets, and the option parsers they share.
import { InvalidArgumentError } from 'commander';
import type { CliDeps, GlobalOptions } from '../context.js';

export interface CommandContext {
  deps: CliDeps;
  /** The global options as given (`logLevelGiven`: --log-level was on the command line). */
  global: () => GlobalOptions & { logLevelGiven: boolean };
  /** Runs a command's body as its action; what it resolves to is the exit code. */
  run: (fn: () => Promise<number>) => Promise<void>;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

/** A repeatable option's values. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
