// The logger the apps make, as their published types name it: the part of tslog's Logger they
// use. tslog ships one declaration file for both of its builds, read as ESM, so a CommonJS
// consumer's type check fails on any declaration that imports it (TS1479); the apps' .d.ts files
// name this shape instead, which a tslog Logger fills as it is.
export interface CliLogger {
  silly(...args: unknown[]): unknown;
  trace(...args: unknown[]): unknown;
  debug(...args: unknown[]): unknown;
  info(...args: unknown[]): unknown;
  warn(...args: unknown[]): unknown;
  error(...args: unknown[]): unknown;
  fatal(...args: unknown[]): unknown;
  /** A logger whose lines carry `logObj`'s fields (and `settings.prefix` in pretty output). */
  getSubLogger(settings?: { name?: string; prefix?: unknown[] }, logObj?: Record<string, unknown>): CliLogger;
  /** `type`: 'pretty', 'json' or 'hidden'; `minLevel`: tslog's number of the lowest level printed. */
  readonly settings: { readonly type: string; readonly minLevel: number; readonly name?: string | undefined };
}
