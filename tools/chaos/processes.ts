// Child processes the chaos run starts (simulators, the rotator daemon, `rotate` commands): every
// byte they print goes to a file (the leak scanner reads them all afterwards) and, line by line,
// to listeners (readiness, step events). Only processes started here are ever signalled, by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type LineListener = (line: string, stream: 'stdout' | 'stderr') => void;

export interface Child {
  name: string;
  pid: number;
  /** Files holding everything the process printed. */
  files: { stdout: string; stderr: string };
  exited: Promise<ExitInfo>;
  /** Undefined while running. */
  exitInfo(): ExitInfo | undefined;
  onLine(listener: LineListener): () => void;
  /** Resolves with the first line matching `re` (already printed lines included), rejects on exit or timeout. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  lines(): readonly string[];
  kill(signal: NodeJS.Signals): boolean;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Directory for `<name>.stdout.log` / `<name>.stderr.log`. */
  logDir: string;
  /** Keep at most this many recent lines in memory for `lines()` / `waitForLine` (default 2000). */
  keepLines?: number;
}

// Every child still running when this process exits is SIGKILLed (by pid, ours only), so an
// interrupted run leaves no simulator or daemon behind.
const live = new Set<ChildProcess>();
let exitHook = false;
function reapOnExit(proc: ChildProcess) {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
}

// ANSI colour codes (tslog's pretty format) would get in the way of line matching.
const ANSI = /\u001b\[[0-9;]*m/g;

export function spawnChild(options: SpawnOptions): Child {
  const files = { stdout: join(options.logDir, `${options.name}.stdout.log`), stderr: join(options.logDir, `${options.name}.stderr.log`) };
  const proc: ChildProcess = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  reapOnExit(proc);
  const keep = options.keepLines ?? 2000;
  const recent: string[] = [];
  const listeners = new Set<LineListener>();
  let info: ExitInfo | undefined;
  const sinks: WriteStream[] = [];
  const closedStreams: Array<Promise<void>> = [];

  for (const which of ['stdout', 'stderr'] as const) {
    const sink = createWriteStream(files[which], { mode: 0o600 });
    sinks.push(sink);
    let partial = '';
    const stream = proc[which]!;
    closedStreams.push(new Promise((resolve) => stream.once('close', resolve)));
    stream.on('data', (chunk: Buffer) => {
      sink.write(chunk);
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const raw of parts) emit(raw, which);
    });
    stream.once('end', () => {
      if (partial) emit(partial, which);
      partial = '';
    });
  }
  function emit(raw: string, which: 'stdout' | 'stderr') {
    const line = raw.replace(ANSI, '').replace(/\r$/, '');
    recent.push(line);
    if (recent.length > keep) recent.splice(0, recent.length - keep);
    for (const l of listeners) {
      try {
        l(line, which);
      } catch {
        // a listener's bug must not stop the output from being recorded
      }
    }
  }

  const exited = new Promise<ExitInfo>((resolve) => {
    proc.once('exit', (code, signal) => {
      info = { code, signal };
      // Every byte read and on disk before anyone reads the files.
      void Promise.all(closedStreams)
        .then(() => Promise.all(sinks.map((s) => new Promise<void>((r) => s.end(r)))))
        .then(() => resolve(info!));
    });
  });

  const onLine = (l: LineListener) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };

  const child: Child = {
    name: options.name,
    pid: proc.pid,
    files,
    exited,
    exitInfo: () => info,
    onLine,
    lines: () => recent,
    kill: (signal) => (info === undefined ? proc.kill(signal) : false),
    waitForLine: (re, timeoutMs) => firstLineMatching(child, re, timeoutMs),
  };
  return child;
}

/** The first line matching `re`: one already printed, else the next; rejects when the child exits first or after `timeoutMs`. */
function firstLineMatching(child: Child, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  for (const l of child.lines()) {
    const m = l.match(re);
    if (m) return Promise.resolve(m);
  }
  const last = () => child.lines().slice(-15).join('\n');
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      off();
      fn();
    };
    const timer = setTimeout(() => done(() => reject(new Error(`${child.name}: no line matching ${re} within ${timeoutMs} ms; last lines:\n${last()}`))), timeoutMs);
    const off = child.onLine((line) => {
      const m = line.match(re);
      if (m) done(() => resolve(m));
    });
    void child.exited.then((e) => done(() => reject(new Error(`${child.name} exited (code ${e.code}, signal ${e.signal}) before printing a line matching ${re}; last lines:\n${last()}`))));
  });
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: Child, graceMs = 5000): Promise<ExitInfo> {
  if (child.exitInfo()) return child.exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}
