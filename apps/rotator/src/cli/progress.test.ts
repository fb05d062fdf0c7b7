import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { OutStream } from './io.js';
import { countdown, createProgress } from './progress.js';

const sink = (isTTY: boolean) => {
  let text = '';
  const s = new Writable({
    write(chunk: Buffer, _e, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as OutStream;
  s.isTTY = isTTY;
  return { s, text: () => text };
};
const wait = { until: '2026-11-25T12:07:31.000Z', startsAt: '2026-11-25T12:07:30.000Z', links: 3, reason: 'the new keys activate together' };

describe('progress while waiting for the start-time', () => {
  it('counts down', () => {
    expect(countdown(299_001)).toBe('5:00');
    expect(countdown(61_000)).toBe('1:01');
    expect(countdown(3_723_000)).toBe('1:02:03');
    expect(countdown(-5)).toBe('0:00');
  });

  it('writes one line when not on a terminal', () => {
    const out = sink(false);
    const p = createProgress(out.s);
    p.onWait(wait);
    p.finish();
    expect(out.text()).toBe('waiting until 2026-11-25T12:07:31.000Z for 3 links: the new keys activate together\n');
  });

  it('shows a countdown on a terminal and clears it at the end', () => {
    const out = sink(true);
    const p = createProgress(out.s, { now: () => Date.parse(wait.until) - 90_000 });
    p.onWait(wait);
    expect(out.text()).toBe('waiting 1:30 until 2026-11-25T12:07:31.000Z for 3 links: the new keys activate together');
    p.finish();
    expect(out.text().endsWith('\r\u001b[2K')).toBe(true);
  });
});
