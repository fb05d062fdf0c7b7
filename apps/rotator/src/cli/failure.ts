// How an error that ends a command is told, in one place: its exit code (2 for what the operator
// must fix in the config file or the state directory, 1 for anything that failed), the lines for
// stderr, and the object that `--json` prints on stdout instead — so a script that asked for JSON
// always gets JSON, also when the config file is wrong.
import { ConfigError, formatIssue } from '../config/index.js';
import { CorruptStateError } from '../state/store.js';
import { EXIT_FAILED, EXIT_USAGE, errorText } from './context.js';

export interface Failure {
  code: number;
  /** For stderr. */
  lines: string[];
  /** For stdout under --json: `{ "error": { kind, message, … } }`. */
  json: { error: { kind: 'config' | 'state' | 'failed'; message: string; file?: string; issues?: Array<{ path: string; message: string }> } };
}

export function describeFailure(err: unknown): Failure {
  if (err instanceof ConfigError) {
    const head = `config ${err.file}: ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}`;
    return {
      code: EXIT_USAGE,
      lines: [head, ...err.issues.map((i) => `  ${formatIssue(i)}`)],
      json: { error: { kind: 'config', message: head, file: err.file, issues: err.issues.map((i) => ({ path: i.path, message: i.message })) } },
    };
  }
  if (err instanceof CorruptStateError) {
    const hint = 'nothing was changed: the rotator never rewrites a state file it cannot read; restore it from a backup, or fix the field named';
    return { code: EXIT_USAGE, lines: [`qkd-macsec: ${err.message}`, `  ${hint}`], json: { error: { kind: 'state', message: err.message, file: err.file } } };
  }
  const message = errorText(err);
  return { code: EXIT_FAILED, lines: [`qkd-macsec: ${message}`], json: { error: { kind: 'failed', message } } };
}
