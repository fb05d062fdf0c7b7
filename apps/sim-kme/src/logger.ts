// Structured logs through tslog. Callers log IDs, paths and status codes; key material never
// reaches a logger (the server only ever passes it to the response body).
import { Logger } from 'tslog';

export type LogLevel = 'silly' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogFormat = 'pretty' | 'json';

const LEVELS: Record<LogLevel, number> = { silly: 0, trace: 1, debug: 2, info: 3, warn: 4, error: 5, fatal: 6, silent: 7 };

/** The few methods the simulator calls; a tslog Logger satisfies it, so does a test spy. */
export interface SimLogger {
  debug(...args: unknown[]): unknown;
  info(...args: unknown[]): unknown;
  warn(...args: unknown[]): unknown;
  error(...args: unknown[]): unknown;
}

export function createLogger(opts: { level?: LogLevel; format?: LogFormat; name?: string } = {}): Logger<unknown> & SimLogger {
  const level = opts.level ?? 'info';
  return new Logger({
    name: opts.name ?? 'sim-kme',
    type: level === 'silent' ? 'hidden' : opts.format === 'json' ? 'json' : 'pretty',
    // tslog's levels end at fatal (6); 'silent' is its hidden type, not a level.
    minLevel: Math.min(LEVELS[level], LEVELS.fatal),
    hideLogPositionForProduction: true,
  });
}

/** True if `logger` would print debug lines; lets the request path skip building them. */
export function debugEnabled(logger: SimLogger): boolean {
  const settings = (logger as { settings?: { minLevel?: number; type?: string } }).settings;
  if (!settings) return true;
  return settings.type !== 'hidden' && (settings.minLevel ?? 0) <= LEVELS.debug;
}
