// Per-link progress while a cycle runs. On a terminal: one status line, rewritten in place,
// naming what each running link is doing, and a permanent line when a link finishes; log lines
// written meanwhile clear the status line first and redraw it after. Elsewhere (a pipe, a log
// file): one plain line per event. While the cycle waits for its start-time: a countdown on a
// terminal (rewritten every second), one line otherwise.
import { Writable } from 'node:stream';
import type { WaitInfo } from '../engine/types.js';
import type { ProgressEvent } from './engine.js';
import type { OutStream } from './io.js';

export interface ProgressDisplay {
  onProgress(event: ProgressEvent): void;
  /** The cycle waits for its start-time: what for and until when. */
  onWait(wait: WaitInfo): void;
  /** Give this to the logger so its lines and the status line do not overwrite each other. */
  readonly logStream: OutStream;
  finish(): void;
}

const FINAL = new Set(['done', 'failed']);

export function createProgress(stream: OutStream, options: { tty?: boolean; now?: () => number } = {}): ProgressDisplay {
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? Date.now;
  const running = new Map<string, string>();
  let shown = false;
  let waiting: { until: number; text: string; timer: NodeJS.Timeout } | undefined;

  const describe = (e: ProgressEvent) =>
    [e.phase, e.device !== undefined ? `on ${e.device}` : undefined, e.keyId !== undefined ? `key ${e.keyId}` : undefined, e.message].filter(Boolean).join(' ');
  const clear = () => {
    if (shown) stream.write('\r\u001b[2K');
    shown = false;
  };
  const draw = () => {
    const width = Math.max(40, (stream.columns ?? 100) - 1);
    const text = tty && waiting ? `waiting ${countdown(waiting.until - now())} until ${waiting.text}` : tty && running.size > 0 ? runningLine(running, width) : undefined;
    if (text === undefined) return;
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
    onWait(w) {
      const until = Date.parse(w.until);
      const text = `${w.until} for ${w.links} link${w.links === 1 ? '' : 's'}: ${w.reason}`;
      if (!tty) {
        stream.write(`waiting until ${text}\n`);
        return;
      }
      clear();
      running.clear();
      const timer = setInterval(() => {
        clear();
        draw();
      }, 1000);
      timer.unref();
      waiting = { until, text, timer };
      draw();
    },
    finish() {
      clear();
      if (waiting) clearInterval(waiting.timer);
      waiting = undefined;
      running.clear();
    },
  };
}

/** The running links and what each does, as many as fit in `width` (a fleet of thousands redraws on every event). */
function runningLine(running: ReadonlyMap<string, string>, width: number): string {
  let text = `rotating ${running.size}:`;
  for (const [l, p] of running) {
    if (text.length > width) break;
    text += `${text.endsWith(':') ? ' ' : ' | '}${l} ${p}`;
  }
  return text;
}

/** 4:59, 1:02:03; 0:00 once past. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
