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
  #queued: Buffer[] | undefined = undefined;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  send(message: Buffer): void {
    if (this.#queued) {
      this.#queued.push(message);
      return;
    }
    this.#queued = [message];
    process.nextTick(flushOutbox, this);
  }

  /** Writes what is queued now, in the order it was queued; nothing when the stream no longer takes writes. */
  flush(): void {
    const queued = this.#queued;
    if (!queued) return;
    this.#queued = undefined;
    if (!this.#stream.writable) return;
    this.#stream.write(queued.length === 1 ? queued[0]! : Buffer.concat(queued));
  }
}

function flushOutbox(outbox: Outbox): void {
  outbox.flush();
}
