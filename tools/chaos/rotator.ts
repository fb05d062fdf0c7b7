// The real `qkd-macsec` binary as child processes: one-shot commands (validate, init, status,
// rotate) and the daemon (`run`), always with JSON logs on stderr so the chaos run can read the
// steps off them. Every process writes its output to its own files in the rotator's log dir.
import { spawnChild, type Child, type ExitInfo } from './processes.js';
import { BIN } from './sims.js';

export interface RotatorCli {
  configFile: string;
  logDir: string;
  cwd: string;
}

let seq = 0;
const nextName = (what: string) => `${what}.${String(++seq).padStart(4, '0')}`;

function spawnRotator(cli: RotatorCli, what: string, args: readonly string[], logLevel = 'info'): Child {
  return spawnChild({
    name: nextName(what),
    command: process.execPath,
    args: [BIN.rotator, '-c', cli.configFile, '--log-format', 'json', '--log-level', logLevel, ...args],
    cwd: cli.cwd,
    logDir: cli.logDir,
    keepLines: 20_000,
  });
}

export interface CommandResult {
  name: string;
  exit: ExitInfo;
  stdout: string[];
  stderr: string[];
}

/** Runs a command to its end; `timeoutMs` kills it (SIGKILL) if it hangs. */
export async function runRotator(cli: RotatorCli, what: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  const child = spawnRotator(cli, what, args);
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.onLine((l, s) => (s === 'stdout' ? stdout : stderr).push(l));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const exit = await child.exited;
    return { name: child.name, exit, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

export function describeFailure(r: CommandResult): string {
  const tail = [...r.stdout.slice(-20), ...r.stderr.slice(-20)].join('\n');
  return `${r.name} exited with code ${r.exit.code}${r.exit.signal ? ` (signal ${r.exit.signal})` : ''}:\n${tail}`;
}

/**
 * The daemon: `run` at debug level (its progress lines are debug), with `--wait-lock` as a
 * service would run it: a `rotate` that took the state while the daemon was dead holds it for
 * its cycle; the restarted daemon waits for it rather than exiting and being restarted in a loop.
 */
export function startDaemon(cli: RotatorCli): Child {
  return spawnRotator(cli, 'daemon', ['--wait-lock', 'run'], 'debug');
}
