// The exit codes every qkd-macsec command shares: 0 done, 1 failed while running (a port in use),
// 2 the command line or the configuration is wrong — fix it and run again.
import { SimConfigError } from '../config.js';

export const EXIT_OK = 0;
const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A command line that cannot be run as given. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || err instanceof SimConfigError ? EXIT_USAGE : EXIT_FAILED;
}
