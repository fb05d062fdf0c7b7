// sim-kme's logging, from the CLI kit (bundled into dist): the logger shape every qkd-macsec
// package accepts, levelLogger() that the server logs through, and the tslog logger of
// `sim-kme serve`. Callers log IDs, paths and status codes; key material never reaches a logger
// (the server only ever passes it to the response body).
import { createLogger as createCliLogger, type CliLogger, type CreateLoggerOptions } from '@qkd-macsec/cli-kit';

export { levelLogger, type CliLogger, type Logger, type LevelLogger, type CreateLoggerOptions, type LogFormat, type LogLevel } from '@qkd-macsec/cli-kit';

/** The logger `sim-kme serve` logs through: stderr, pretty or JSON lines, named sim-kme unless `name` says otherwise. */
export function createLogger(opts: CreateLoggerOptions = {}): CliLogger {
  return createCliLogger({ ...opts, name: opts.name ?? 'sim-kme' });
}
