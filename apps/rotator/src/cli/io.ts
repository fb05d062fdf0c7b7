// Where a command writes and what it may read from the process: injected so that tests run
// commands in-process and capture everything, and so that nothing but cli.ts touches `process`.
import type { EventEmitter } from 'node:events';

export type OutStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  /** Emits 'SIGTERM' and 'SIGINT' (process in production, an EventEmitter in tests). */
  signals: Pick<EventEmitter, 'on' | 'off'>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signals: process };
}

export function line(stream: OutStream, text = ''): void {
  stream.write(`${text}\n`);
}
