// The CLI plumbing of the qkd-macsec, sim-kme and sim-junos binaries. Private: each app bundles
// it into its own dist (tsup noExternal), so no published tarball depends on this package.
export { createLogger, colorsWanted, LOG_LEVELS, type CreateLoggerOptions, type LogFormat, type LogLevel } from './create-logger.js';
export type { CliLogger } from './cli-logger.js';
export { levelLogger, type Logger, type LevelLogger } from './level-logger.js';
export { packageVersion } from './package-version.js';
export { EXIT_OK, EXIT_FAILED, EXIT_USAGE, UsageError, exitCodeOf, isCommanderExit, type ErrorClass } from './exit-codes.js';
export { runProgram, processIo, type CliIo, type RunProgramOptions } from './run-program.js';
