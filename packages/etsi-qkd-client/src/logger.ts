// The logger the client writes to: warnings (insecure options, expiring certificates) and one
// debug line per HTTP attempt (method, URL, status, time). Never bodies, never keys. The shape is
// the workspace's (CONTRIBUTING.md), so one object serves every package; console fits as it is.
export interface Logger {
  warn(message: string, context?: Record<string, unknown>): void;
  error?(message: string, context?: Record<string, unknown>): void;
  info?(message: string, context?: Record<string, unknown>): void;
  debug?(message: string, context?: Record<string, unknown>): void;
}

/** The `type` of the warnings the default logger emits (`process.on('warning')` sees it). */
const WARNING_TYPE = 'EtsiQkdClientWarning';

/** The context as the warning's detail: JSON, or key=value text when JSON cannot hold it. */
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
 * No logger given: warnings and errors become process warnings of type EtsiQkdClientWarning
 * (silenced by `node --no-warnings`, seen by `process.on('warning')`), with the context as the
 * warning's detail, as junos-netconf's default does; info and debug lines are dropped.
 */
export const defaultLogger: Logger = { warn: emit, error: emit };
