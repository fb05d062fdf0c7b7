// The rotator's logger: the CLI kit's tslog logger (pretty, coloured on a terminal, or one JSON
// object per line, on stderr so stdout stays for command output: tables, --json). Secrets are
// kept out three ways: values under secret-sounding keys are masked, Secret-like objects print
// `[redacted]` by themselves, and the held-value guard (redaction.ts) masks any registered key
// text that still reaches a line.
import { createLogger as createCliLogger, LOG_LEVELS as CLI_LOG_LEVELS, type CliLogger, type LogFormat, type LogLevel as CliLogLevel } from '@qkd-macsec/cli-kit';
import { Logger, type ILogObj } from 'tslog';
import { redactHeld, type HeldSecrets } from './redaction.js';

export type { LogFormat } from '@qkd-macsec/cli-kit';
/** The kit's levels but 'silent': the rotator always says what it does. */
export type LogLevel = Exclude<CliLogLevel, 'silent'>;
export const LOG_LEVELS: readonly LogLevel[] = CLI_LOG_LEVELS.filter((l): l is LogLevel => l !== 'silent');

/** A tslog Logger, named by the shape the rotator uses (cli-kit's CliLogger: tslog's own types break CommonJS consumers). */
export type RotatorLogger = CliLogger;

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
  /** Shown in every line (the agent's `qkd-macsec-agent SITE`); the coordinator's lines carry none. */
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): RotatorLogger {
  const { held, ...rest } = options;
  return createCliLogger({
    ...rest,
    maskKeys: MASKED_KEYS,
    ...(held === undefined ? {} : { redact: (line: string) => redactHeld(line, held) }),
    jsonLine: linkOfText,
  });
}

/** A line written as plain text about a link ("link dc1-dc2: …") still gets its link field. */
function linkOfText(line: Record<string, unknown>): Record<string, unknown> {
  if (line.link !== undefined || typeof line.msg !== 'string') return line;
  const about = /^link ([A-Za-z0-9][A-Za-z0-9_.-]*):/.exec(line.msg);
  return about === null ? line : { ...line, link: about[1] };
}

/** A logger whose every line carries `link: NAME` (a field in JSON, `[link=NAME]` in pretty). */
export function linkLogger(logger: RotatorLogger, link: string): RotatorLogger {
  return logger.getSubLogger(logger.settings.type === 'pretty' ? { prefix: [`[link=${link}]`] } : {}, { link });
}

/** A logger whose lines carry `device: NAME`. */
export function deviceLogger(logger: RotatorLogger, device: string): RotatorLogger {
  return logger.getSubLogger(logger.settings.type === 'pretty' ? { prefix: [`[device=${device}]`] } : {}, { device });
}

/** A logger that prints nothing (tests, library use). */
export function silentLogger(): RotatorLogger {
  return new Logger<ILogObj>({ type: 'hidden' });
}
