// The logger the client writes to: warnings (insecure options, expiring certificates) and one
// debug line per HTTP attempt (method, URL, status, time). Never bodies, never keys.
export interface QkdLogger {
  warn(message: string, ...meta: unknown[]): void;
  debug?(message: string, ...meta: unknown[]): void;
}

/** Warnings to stderr, debug lines dropped. */
export const defaultLogger: QkdLogger = {
  warn: (message) => console.warn(`[etsi-qkd-client] ${message}`),
};
