// Per-link progress while a cycle runs. On a terminal: one status line, rewritten in place,
// naming what each running link is doing, and a permanent line when a link finishes; log lines
// written meanwhile clear the status line first and redraw it after. Elsewhere (a pipe, a log
// file): one plain line per event.
import { Writable } from 'node:stream';
import type { ProgressEvent } from './engine.js';
import type { OutStream } from './io.js';

export interface ProgressDisplay {
  onProgress(event: ProgressEvent): void;
  /** Give this to the logger so its lines and the status line do not overwrite each other. */
  readonly logStream: OutStream;
  finish(): void;
}

const FINAL = new Set(['done', 'failed']);

export function createProgress(stream: OutStream, options: { tty?: boolean } = {}): ProgressDisplay {
  const tty = options.tty ?? stream.isTTY === true;
  const running = new Map<string, string>();
  let shown = false;

  const describe = (e: ProgressEvent) =>
    [e.phase, e.device !== undefined ? `on ${e.device}` : undefined, e.keyId !== undefined ? `key ${e.keyId}` : undefined, e.message].filter(Boolean).join(' ');
  const clear = () => {
    if (shown) stream.write('\r\u001b[2K');
    shown = false;
  };
  const draw = () => {
    if (!tty || running.size === 0) return;
    const width = Math.max(40, (stream.columns ?? 100) - 1);
    const text = `rotating ${running.size}: ${[...running].map(([l, p]) => `${l} ${p}`).join(' | ')}`;
    stream.write(text.length > width ? `${text.slice(0, width - 1)}…` : text);
    shown = true;
  };

  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      clear();
      stream.write(chunk);
      draw();
      done();
    },
  }) as unknown as OutStream;
  logStream.isTTY = stream.isTTY;

  return {
    logStream,
    onProgress(event) {
      if (!tty) {
        stream.write(`${event.link}: ${describe(event)}\n`);
        return;
      }
      clear();
      if (FINAL.has(event.phase)) {
        running.delete(event.link);
        stream.write(`${event.phase === 'done' ? '✓' : '✗'} ${event.link}: ${describe(event)}\n`);
      } else {
        running.set(event.link, event.phase);
      }
      draw();
    },
    finish() {
      clear();
      running.clear();
    },
  };
}
