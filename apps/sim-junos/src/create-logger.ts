// The sim-junos command's logger: tslog, pretty or one JSON object per line, on stderr so stdout
// stays for what the command prints for its user. Colour only on a terminal without NO_COLOR.
import { inspect } from 'node:util';
import { Logger as TsLogger, type ILogObj } from 'tslog';

const NAME = 'sim-junos';

export type LogLevel = 'silly' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogFormat = 'pretty' | 'json';
export const LOG_LEVELS: readonly LogLevel[] = ['silly', 'trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface CreateLoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  name?: string;
  /** Where lines go. Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Colours in pretty output. Default: the stream is a terminal and NO_COLOR is unset. */
  colors?: boolean;
}

/** https://no-color.org: present and not empty. */
export function colorsWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export function createLogger(opts: CreateLoggerOptions = {}): TsLogger<ILogObj> {
  const level = opts.level ?? 'info';
  const stream = opts.stream ?? process.stderr;
  const colors = opts.colors ?? colorsWanted(stream);
  const write = (line: string) => void stream.write(`${line}\n`);
  // tslog's levels end at fatal (6); 'silent' is its hidden type, which with no transport prints nothing.
  if (level === 'silent') return new TsLogger<ILogObj>({ name: opts.name ?? NAME, type: 'hidden' });
  return new TsLogger<ILogObj>({
    name: opts.name ?? NAME,
    type: opts.format ?? 'pretty',
    minLevel: LOG_LEVELS.indexOf(level),
    hideLogPositionForProduction: true,
    stylePrettyLogs: colors,
    prettyLogTimeZone: 'UTC',
    prettyLogTemplate: '{{yyyy}}-{{mm}}-{{dd}}T{{hh}}:{{MM}}:{{ss}}.{{ms}}Z {{logLevelName}} {{name}} ',
    prettyErrorTemplate: '{{errorName}}: {{errorMessage}}',
    prettyErrorStackTemplate: '',
    overwrite: {
      transportFormatted: (meta, args, errors) => {
        const shown = args.map((a) => (typeof a === 'string' ? a : inspect(a, { breakLength: Infinity, depth: 6, colors })));
        write([meta.trimEnd(), ...shown, ...errors.map((e) => e.trim())].join(' '));
      },
      transportJSON: (json) => write(JSON.stringify(flatten(json as Record<string, unknown>))),
    },
  });
}

/** tslog's JSON puts arguments under "0", "1", …; a line reads better as { time, level, msg, ...context }. */
function flatten(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = (obj._meta ?? {}) as { date?: unknown; logLevelName?: unknown; name?: unknown };
  const line: Record<string, unknown> = {
    time: meta.date,
    level: typeof meta.logLevelName === 'string' ? meta.logLevelName.toLowerCase() : meta.logLevelName,
    name: meta.name,
  };
  const words: string[] = [];
  const context: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '_meta') continue;
    if (!/^\d+$/.test(k)) context[k] = v;
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') words.push(String(v));
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(context, v);
    else context[`arg${k}`] = v;
  }
  return { ...line, msg: words.join(' '), ...context };
}
