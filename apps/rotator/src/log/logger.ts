// The rotator's logger: tslog, pretty (coloured on a terminal) or one JSON object per line,
// written to stderr so stdout stays for command output (tables, --json). Secrets are kept out
// three ways: values under secret-sounding keys are masked, Secret-like objects print
// `[redacted]` by themselves, and the held-value guard (redaction.ts) masks any registered
// key text that still reaches a line.
import { inspect } from 'node:util';
import { Logger, type ILogObj, type ISettingsParam } from 'tslog';
import { REDACTED, redactHeld, type HeldSecrets } from './redaction.js';

export type LogFormat = 'pretty' | 'json';
export type LogLevel = 'silly' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LOG_LEVELS: readonly LogLevel[] = ['silly', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export type RotatorLogger = Logger<ILogObj>;

/** Keys whose values never reach a log line, matched case-insensitively and at any depth. */
const MASKED_KEYS = ['password', 'passphrase', 'cak', 'secret', 'key', 'keys', 'privateKey', 'private_key', 'bytes', 'bits_value'];

export interface LoggerOptions {
  format?: LogFormat;
  level?: LogLevel;
  /** Where lines go. Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Colours in pretty output. Default: when the stream is a terminal and NO_COLOR is unset or empty. */
  colors?: boolean;
  /** Where NO_COLOR is read. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Values to mask wherever they appear (see redaction.ts). */
  held?: HeldSecrets;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): RotatorLogger {
  const stream = options.stream ?? process.stderr;
  const held = options.held;
  const write = (line: string) => {
    stream.write(`${held === undefined ? line : redactHeld(line, held)}\n`);
  };
  const settings: ISettingsParam<ILogObj> = {
    type: options.format ?? 'pretty',
    name: options.name ?? 'qkd-macsec',
    minLevel: LOG_LEVELS.indexOf(options.level ?? 'info'),
    maskValuesOfKeys: MASKED_KEYS,
    maskValuesOfKeysCaseInsensitive: true,
    maskPlaceholder: REDACTED,
    hideLogPositionForProduction: true,
    stylePrettyLogs: options.colors ?? (stream.isTTY === true && !(options.env ?? process.env).NO_COLOR),
    prettyLogTimeZone: 'UTC',
    prettyLogTemplate: '{{yyyy}}-{{mm}}-{{dd}}T{{hh}}:{{MM}}:{{ss}}.{{ms}}Z {{logLevelName}} ',
    prettyErrorTemplate: '{{errorName}}: {{errorMessage}}',
    prettyErrorStackTemplate: '',
    overwrite: {
      transportFormatted: (meta, args, errors) => {
        const shown = args.map((a) => (typeof a === 'string' ? a : inspect(a, { breakLength: Infinity, depth: 6, colors: false })));
        write([meta.trimEnd(), ...shown, ...errors.map((e) => e.trim())].join(' '));
      },
      transportJSON: (json) => write(JSON.stringify(flatten(json as Record<string, unknown>))),
    },
  };
  return new Logger<ILogObj>(settings);
}

/**
 * tslog's JSON puts arguments under "0", "1", …; a line is easier to query as
 * { time, level, msg, link?, device?, ...fields, error? }.
 */
function flatten(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = (obj._meta ?? {}) as { date?: unknown; logLevelName?: unknown };
  const line: Record<string, unknown> = { time: meta.date, level: typeof meta.logLevelName === 'string' ? meta.logLevelName.toLowerCase() : meta.logLevelName };
  const words: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '_meta') continue;
    if (!/^\d+$/.test(k)) {
      line[k] = v;
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      words.push(String(v));
    } else if (isErrorObject(v)) {
      fields.error = { name: v.name, message: v.message };
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      Object.assign(fields, v);
    } else {
      fields[`arg${k}`] = v;
    }
  }
  line.msg = words.join(' ');
  // Lines written as plain text about a link ("link dc1-dc2: …") still get their link field.
  const about = line.link === undefined && fields.link === undefined ? /^link ([A-Za-z0-9][A-Za-z0-9_.-]*):/.exec(line.msg as string) : null;
  if (about !== null) line.link = about[1];
  return { ...line, ...fields };
}

function isErrorObject(v: unknown): v is { name: string; message: string } {
  return typeof v === 'object' && v !== null && 'nativeError' in v && 'message' in v && 'name' in v;
}

/** A logger whose every line carries `link: NAME` (a field in JSON, `[link=NAME]` in pretty). */
export function linkLogger(logger: RotatorLogger, link: string): RotatorLogger {
  return logger.getSubLogger(logger.settings.type === 'pretty' ? { prefix: [`[link=${link}]`] } : {}, { link }) as RotatorLogger;
}

/** A logger whose lines carry `device: NAME`. */
export function deviceLogger(logger: RotatorLogger, device: string): RotatorLogger {
  return logger.getSubLogger(logger.settings.type === 'pretty' ? { prefix: [`[device=${device}]`] } : {}, { device }) as RotatorLogger;
}

/** A logger that prints nothing (tests, library use). */
export function silentLogger(): RotatorLogger {
  return new Logger<ILogObj>({ type: 'hidden' });
}
