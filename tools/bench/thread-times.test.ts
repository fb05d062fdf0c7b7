import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadTimes, threadTimesSince } from './thread-times.js';

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe.runIf(process.platform === 'linux')('threadTimes', () => {
  it('puts the JavaScript thread’s own work under mainCpuMs', () => {
    const before = threadTimes();
    spin(300);
    const d = threadTimesSince(before, threadTimes())!;
    // On a busy machine part of the 300 ms is spent waiting for a core; most of it runs.
    expect(d.mainCpuMs + d.mainWaitMs).toBeGreaterThan(280);
    expect(d.mainCpuMs).toBeGreaterThan(150);
    expect(d.otherCpuMs).toBeLessThan(d.mainCpuMs);
  });

  it('counts a running worker’s CPU under otherCpuMs', async () => {
    // The worker spins, says so, and stays alive until told: its time is read while it exists.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.once('message', () => {
         const end = performance.now() + 400; while (performance.now() < end);
         parentPort.postMessage('spun');
         parentPort.once('message', () => process.exit(0));
       });`,
      { eval: true },
    );
    await new Promise((resolve) => worker.once('online', resolve));
    const before = threadTimes();
    const spun = new Promise((resolve) => worker.once('message', resolve));
    worker.postMessage('spin');
    await spun;
    const after = threadTimes();
    worker.postMessage('exit');
    await new Promise((resolve) => worker.once('exit', resolve));

    const d = threadTimesSince(before, after)!;
    expect(d.otherCpuMs).toBeGreaterThan(200);
    expect(d.mainCpuMs).toBeLessThan(d.otherCpuMs);
  });

  it('is undefined when either sample is missing', () => {
    expect(threadTimesSince(undefined, threadTimes())).toBeUndefined();
    expect(threadTimesSince(threadTimes(), undefined)).toBeUndefined();
  });
});
