// What the simulator reports as it runs: sessions, commits, link changes. Never key material:
// no CAK or secret is ever passed to a logger.
export interface SimLogger {
  info(...args: unknown[]): unknown;
  warn(...args: unknown[]): unknown;
  debug(...args: unknown[]): unknown;
}

export const silentLogger: SimLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

/** A logger that can never break the simulator: a throwing logger is ignored. */
export function safeLogger(l: SimLogger): SimLogger {
  const call = (level: keyof SimLogger) => (...args: unknown[]) => {
    try {
      l[level](...args);
    } catch {
      // logging is best effort
    }
  };
  return { info: call('info'), warn: call('warn'), debug: call('debug') };
}
