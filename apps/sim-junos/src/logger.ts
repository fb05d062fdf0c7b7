// sim-junos's logging, from the CLI kit (bundled into dist): the logger shape every qkd-macsec
// package accepts, levelLogger() that the simulator logs through, and the tslog logger of the
// `sim-junos` command. The simulator reports sessions, commits and link changes; no CAK or
// secret is ever passed to a logger.
import { createLogger as createCliLogger, type CliLogger, type CreateLoggerOptions, type Logger } from '@qkd-macsec/cli-kit';

export { levelLogger, type CliLogger, type Logger, type LevelLogger, type CreateLoggerOptions, type LogFormat, type LogLevel } from '@qkd-macsec/cli-kit';

/** The logger the `sim-junos` command logs through: stderr, pretty or JSON lines, named sim-junos unless `name` says otherwise. */
export function createLogger(opts: CreateLoggerOptions = {}): CliLogger {
  return createCliLogger({ ...opts, name: opts.name ?? 'sim-junos' });
}

/** Drops every line: the default of startSimJunos. */
export const silentLogger: Logger = { warn: () => undefined };
