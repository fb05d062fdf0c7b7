// The logger shape every qkd-macsec package accepts (CONTRIBUTING.md): `console`, a tslog Logger
// or a test spy fit it as they are. The simulators take one and log through levelLogger().

export interface Logger {
  warn(message: string, context?: Record<string, unknown>): void;
  error?(message: string, context?: Record<string, unknown>): void;
  info?(message: string, context?: Record<string, unknown>): void;
  debug?(message: string, context?: Record<string, unknown>): void;
}

type LogFn = (message: string, context?: Record<string, unknown>) => void;

/** Every level callable: what a simulator's own code logs through. */
export interface LevelLogger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** False when debug lines would be dropped, so a request path can skip building them. */
  debugOn: boolean;
}

const TSLOG_DEBUG = 2;

/**
 * The given logger with every level present: `error` falls back to `warn`, a missing `info` or
 * `debug` drops the line. A logger that throws cannot break a request: logging is best effort.
 */
export function levelLogger(logger: Logger): LevelLogger {
  const call = (fn: LogFn | undefined): LogFn =>
    fn === undefined
      ? () => undefined
      : (message, context) => {
          try {
            // No `undefined` argument: tslog would print it.
            if (context === undefined) fn.call(logger, message);
            else fn.call(logger, message, context);
          } catch {
            // best effort
          }
        };
  // A tslog Logger says which levels it prints; anything else gets every debug line.
  const settings = (logger as { settings?: { minLevel?: number; type?: string } }).settings;
  const debugOn = logger.debug !== undefined && (settings === undefined || (settings.type !== 'hidden' && (settings.minLevel ?? 0) <= TSLOG_DEBUG));
  return { error: call(logger.error ?? logger.warn), warn: call(logger.warn), info: call(logger.info), debug: call(logger.debug), debugOn };
}
