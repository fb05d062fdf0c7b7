// The apps' logger: tslog, pretty or one JSON object per line, on stderr so stdout stays for
// what the command prints for its user (tables, --json, banners). Colour only on a terminal
// without NO_COLOR. The rotator adds its secret masking through maskKeys and redact.
import { inspect } from 'node:util';
import { Logger as TsLogger, type ILogObj } from 'tslog';
import type { CliLogger } from './cli-logger.js';

export type LogLevel = 'silly' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogFormat = 'pretty' | 'json';
export const LOG_LEVELS: readonly LogLevel[] = ['silly', 'trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface CreateLoggerOptions {
  /** Default 'info'. */
  level?: LogLevel;
  /** Default 'pretty'. */
  format?: LogFormat;
  /** Shown in every line (after the level; `name` in JSON). Default: none. */
  name?: string;
  /** Where lines go. Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Colours in pretty output. Default: the stream is a terminal and NO_COLOR is unset or empty. */
  colors?: boolean;
  /** Where NO_COLOR is read. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Keys whose values print as `[redacted]`, matched case-insensitively at any depth. */
  maskKeys?: readonly string[];
  /**
   * Applied to every finished line before it is written. With it, context objects are printed
   * without colour, so that no escape code can split a value it looks for.
   */
  redact?: (line: string) => string;
  /** A last change to each JSON line (after the fields are flattened). */
  jsonLine?: (line: Record<string, unknown>) => Record<string, unknown>;
}

/** https://no-color.org: NO_COLOR present and not empty turns colour off. */
export function colorsWanted(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export function createLogger(opts: CreateLoggerOptions = {}): CliLogger {
  const level = opts.level ?? 'info';
  const stream = opts.stream ?? process.stderr;
  const colors = opts.colors ?? colorsWanted(stream, opts.env);
  const { redact, jsonLine } = opts;
  const write = (line: string) => void stream.write(`${redact === undefined ? line : redact(line)}\n`);
  // tslog's levels end at fatal (6); 'silent' is its hidden type, which with no transport prints nothing.
  if (level === 'silent') return new TsLogger<ILogObj>({ ...(opts.name === undefined ? {} : { name: opts.name }), type: 'hidden' });
  const inspectColors = colors && redact === undefined;
  return new TsLogger<ILogObj>({
    ...(opts.name === undefined ? {} : { name: opts.name }),
    type: opts.format ?? 'pretty',
    minLevel: LOG_LEVELS.indexOf(level),
    ...(opts.maskKeys === undefined ? {} : { maskValuesOfKeys: [...opts.maskKeys], maskValuesOfKeysCaseInsensitive: true, maskPlaceholder: REDACTED }),
    hideLogPositionForProduction: true,
    stylePrettyLogs: colors,
    prettyLogTimeZone: 'UTC',
    prettyLogTemplate: `{{yyyy}}-{{mm}}-{{dd}}T{{hh}}:{{MM}}:{{ss}}.{{ms}}Z {{logLevelName}} ${opts.name === undefined ? '' : '{{name}} '}`,
    prettyErrorTemplate: '{{errorName}}: {{errorMessage}}',
    prettyErrorStackTemplate: '',
    overwrite: {
      transportFormatted: (meta, args, errors) => {
        const shown = args.map((a) => (typeof a === 'string' ? a : inspect(a, { breakLength: Infinity, depth: 6, colors: inspectColors })));
        write([meta.trimEnd(), ...shown, ...errors.map((e) => e.trim())].join(' '));
      },
      transportJSON: (json) => {
        const line = flatten(json as Record<string, unknown>);
        write(JSON.stringify(jsonLine === undefined ? line : jsonLine(line)));
      },
    },
  });
}

/** The marker for a withheld value (CONTRIBUTING.md: one marker, valid in XML, JSON and Junos text). */
const REDACTED = '[redacted]';

/**
 * tslog's JSON puts arguments under "0", "1", …; a line is easier to read and query as
 * { time, level, name?, msg, ...context, error? }.
 */
function flatten(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = (obj._meta ?? {}) as { date?: unknown; logLevelName?: unknown; name?: unknown };
  const line: Record<string, unknown> = { time: meta.date, level: typeof meta.logLevelName === 'string' ? meta.logLevelName.toLowerCase() : meta.logLevelName };
  if (meta.name !== undefined) line.name = meta.name;
  const words: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '_meta') continue;
    // A sub-logger's fields (the rotator's link and device).
    if (!/^\d+$/.test(k)) line[k] = v;
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') words.push(String(v));
    else if (isErrorObject(v)) fields.error = { name: v.name, message: v.message };
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(fields, v);
    else fields[`arg${k}`] = v;
  }
  line.msg = words.join(' ');
  return { ...line, ...fields };
}

/** What tslog makes of an Error argument. */
function isErrorObject(v: unknown): v is { name: string; message: string } {
  return typeof v === 'object' && v !== null && 'nativeError' in v && 'message' in v && 'name' in v;
}
