// The exit codes every qkd-macsec command shares: 0 done, 1 failed while running (a port in use, a
// link that failed), 2 the command line or the configuration is wrong — fix it and run again.
// A command may add its own above these (the rotator: 3, the state directory is locked).

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A command line that cannot be run as given. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The exit code of an error that ended a command: commander's own (help and --version 0, a usage
 * error 2), 2 for a UsageError or one of the command's `configuration` error classes, else 1.
 */
export function exitCodeOf(err: unknown, configuration: readonly ErrorClass[] = []): number {
  if (isCommanderExit(err)) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  return err instanceof UsageError || configuration.some((c) => err instanceof c) ? EXIT_USAGE : EXIT_FAILED;
}

/**
 * One of commander's own exits (help, --version, a usage error), which has printed what it had
 * to say. Duck-typed, so that this package needs no commander of its own.
 */
export function isCommanderExit(err: unknown): err is { code: string; exitCode: number } {
  const e = typeof err === 'object' && err !== null ? (err as { code?: unknown; exitCode?: unknown }) : {};
  return typeof e.code === 'string' && e.code.startsWith('commander.') && typeof e.exitCode === 'number';
}
