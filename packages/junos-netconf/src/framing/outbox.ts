import type { Writable } from 'node:stream';

/**
 * Messages framed in the same turn of the event loop leave in ONE write: pipelined RPCs (a lock
 * and the read behind it, a commit and the unlock behind it) and the replies a server produces for
 * them together. Each write to an SSH channel is an SSH packet — a cipher pass, random padding and
 * a socket write (a syscall, which on loopback also runs the receiver's TCP stack) — on one side,
 * and a packet to decrypt and a chunk to decode on the other; at 4,000 devices that per-packet
 * work was a fifth of the rotator's CPU (README, "Performance").
 *
 * The queued messages go out on `process.nextTick`: after the code that queued them and the
 * promise callbacks it set off have run, so a caller that sends two RPCs from two async layers
 * still shares one write. `flush()` sends what is queued at once (before ending the stream).
 */
export class Outbox {
  readonly #stream: Writable;
  // The first message queued, and any behind it: one message (most turns) needs no array.
  #first: Buffer | undefined = undefined;
  #more: Buffer[] | undefined = undefined;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  send(message: Buffer): void {
    if (this.#first === undefined) {
      this.#first = message;
      schedule(this);
    } else (this.#more ??= []).push(message);
  }

  /** Writes what is queued now, in the order it was queued; nothing when the stream no longer takes writes. */
  flush(): void {
    const first = this.#first;
    if (first === undefined) return;
    const more = this.#more;
    this.#first = this.#more = undefined;
    if (!this.#stream.writable) return;
    this.#stream.write(more ? Buffer.concat([first, ...more]) : first);
  }
}

// The outboxes with something queued in this turn, flushed by ONE process.nextTick for all of them
// (not a tick object and its arguments per RPC: a fleet's burst queues thousands in a turn).
let due: Outbox[] = [];

function schedule(outbox: Outbox): void {
  if (due.push(outbox) === 1) process.nextTick(flushDue);
}

function flushDue(): void {
  const list = due;
  due = [];
  let i = 0;
  try {
    for (; i < list.length; i++) list[i]!.flush();
  } finally {
    // A write that threw must not strand the outboxes behind it.
    for (i++; i < list.length; i++) schedule(list[i]!);
  }
}
