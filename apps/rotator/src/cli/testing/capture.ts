// Test helper: a CliIo whose streams are captured in memory and whose signals a test emits.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { CliIo, OutStream } from '../io.js';

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
  signals: EventEmitter;
}

function capture(tty: boolean): { stream: OutStream; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  if (tty) {
    stream.isTTY = true;
    stream.columns = 120;
  }
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export function capturedIo(options: { env?: Record<string, string | undefined>; tty?: boolean } = {}): CapturedIo {
  const out = capture(options.tty === true);
  const err = capture(options.tty === true);
  return { stdout: out.stream, stderr: err.stream, env: options.env ?? {}, signals: new EventEmitter(), out: out.text, err: err.text };
}
