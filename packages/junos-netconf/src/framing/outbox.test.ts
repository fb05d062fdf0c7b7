import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';

const writes = (stream: PassThrough): Buffer[] => {
  const seen: Buffer[] = [];
  const write = stream.write.bind(stream);
  stream.write = ((chunk: Buffer) => (seen.push(Buffer.from(chunk)), write(chunk))) as typeof stream.write;
  return seen;
};

describe('Outbox', () => {
  it('writes what is queued in one turn as one buffer, in order, on the next tick', async () => {
    const stream = new PassThrough();
    const seen = writes(stream);
    const outbox = new Outbox(stream);
    outbox.send(Buffer.from('a'));
    await Promise.resolve().then(() => outbox.send(Buffer.from('b'))); // a promise callback of the same turn
    outbox.send(Buffer.from('c'));
    expect(seen).toEqual([]);
    await new Promise((r) => process.nextTick(r));
    expect(seen.map(String)).toEqual(['abc']);
    outbox.send(Buffer.from('d'));
    await new Promise((r) => setImmediate(r));
    expect(seen.map(String)).toEqual(['abc', 'd']);
  });

  it('flush() writes at once (before an end), and nothing goes to a stream that takes no more writes', async () => {
    const stream = new PassThrough();
    const seen = writes(stream);
    const outbox = new Outbox(stream);
    outbox.send(Buffer.from('last words'));
    outbox.flush();
    stream.end();
    expect(seen.map(String)).toEqual(['last words']);
    const errors: Error[] = [];
    stream.on('error', (e) => errors.push(e));
    outbox.send(Buffer.from('too late'));
    await new Promise((r) => setImmediate(r));
    expect(seen.map(String)).toEqual(['last words']);
    expect(errors).toEqual([]);
  });

  it('flushes many outboxes of one turn together, each in one write, and a send after an early flush() still goes out', async () => {
    const streams = Array.from({ length: 3 }, () => new PassThrough());
    const seen = streams.map(writes);
    const boxes = streams.map((s) => new Outbox(s));
    boxes.forEach((b, i) => b.send(Buffer.from(`${i}a`)));
    boxes.forEach((b, i) => b.send(Buffer.from(`${i}b`)));
    boxes[1]!.flush();
    boxes[1]!.send(Buffer.from('1c'));
    await new Promise((r) => process.nextTick(r));
    expect(seen.map((w) => w.map(String))).toEqual([['0a0b'], ['1a1b', '1c'], ['2a2b']]);
    boxes[2]!.send(Buffer.from('2d')); // the next turn schedules again
    await new Promise((r) => setImmediate(r));
    expect(seen[2]!.map(String)).toEqual(['2a2b', '2d']);
  });
});
