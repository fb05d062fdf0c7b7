// The logger the client writes to: warnings (insecure options, expiring certificates) and one
// debug line per HTTP attempt (method, URL, status, time). Never bodies, never keys. The shape is
// the workspace's (CONTRIBUTING.md), so one object serves every package; console fits as it is.
export interface Logger {
  warn(message: string, context?: Record<string, unknown>): void;
  error?(message: string, context?: Record<string, unknown>): void;
  info?(message: string, context?: Record<string, unknown>): void;
  debug?(message: string, context?: Record<string, unknown>): void;
}

/**
 * No logger given: warnings become process warnings of type EtsiQkdClientWarning (silenced by
 * `node --no-warnings`, seen by `process.on('warning')`); debug lines are dropped.
 */
export const defaultLogger: Logger = {
  warn: (message) => process.emitWarning(message, 'EtsiQkdClientWarning'),
};
