/**
 * The logger every function of this package that logs takes as its `logger` option. The shape is
 * the workspace's (CONTRIBUTING.md): `console` and a tslog Logger fit as they are. Nothing passed
 * to it ever holds a password, private key, passphrase or a loaded secret.
 */
export interface Logger {
  warn(message: string, context?: Record<string, unknown>): void;
  error?(message: string, context?: Record<string, unknown>): void;
  info?(message: string, context?: Record<string, unknown>): void;
  debug?(message: string, context?: Record<string, unknown>): void;
}

/** The `type` of the warnings the default logger emits (`process.on('warning')` sees it). */
const WARNING_TYPE = 'JunosNetconfWarning';

/** The context as the warning's detail: JSON, or util.inspect-like text when JSON cannot hold it. */
function detailOf(context: Record<string, unknown> | undefined): string | undefined {
  if (context === undefined || Object.keys(context).length === 0) return undefined;
  try {
    return JSON.stringify(context);
  } catch {
    return Object.entries(context)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
  }
}

function emit(message: string, context?: Record<string, unknown>): void {
  const detail = detailOf(context);
  process.emitWarning(message, detail === undefined ? { type: WARNING_TYPE } : { type: WARNING_TYPE, detail });
}

/**
 * When no logger is given: warnings and errors go to process.emitWarning (so an insecure option
 * is loud, `node --no-warnings` silences it), with the context as the warning's detail; info and
 * debug are dropped.
 */
export const defaultLogger: Logger = { warn: emit, error: emit };
