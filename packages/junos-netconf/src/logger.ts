/** Minimal logger shape (tslog, pino and console all fit). Secrets are never passed to it. */
export interface Logger {
  warn(message: string, context?: Record<string, unknown>): void;
  debug?(message: string, context?: Record<string, unknown>): void;
}

/** Default: warnings go to process.emitWarning so insecure options are loud; debug is dropped. */
export const defaultLogger: Logger = {
  warn: (message) => process.emitWarning(message, 'JunosNetconfWarning'),
};
