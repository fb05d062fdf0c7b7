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
});
