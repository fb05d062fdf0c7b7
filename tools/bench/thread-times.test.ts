import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadTimes, threadTimesSince } from './thread-times.js';

// vitest runs each test file in a child process (its default pool, forks): the test's code runs on
// that process's main thread, the thread threadTimes calls the JavaScript thread. On a loaded
// machine (CI runs the packages' suites side by side on two cores) a spinning thread may get little
// of a core, so the checks compare where the time went, not how much of it there was.

const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe.runIf(process.platform === 'linux')('threadTimes', () => {
  it('puts the JavaScript thread’s own work under the main thread: on a core or waiting for one', () => {
    const before = threadTimes();
    spin(400);
    const d = threadTimesSince(before, threadTimes())!;
    // The thread never sleeps while it spins: every millisecond is either on a core or waiting.
    expect(d.mainCpuMs + d.mainWaitMs).toBeGreaterThan(360);
    expect(d.mainCpuMs).toBeGreaterThan(d.otherCpuMs);
  });

  it('counts another thread’s CPU under otherCpuMs, not the main thread’s', async () => {
    // The worker spins, reports its own thread's CPU (Linux: /proc/thread-self), and stays alive
    // until told: its time is read while it exists.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const { readFileSync } = require('node:fs');
       const cpuMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
       parentPort.once('message', () => {
         const from = cpuMs();
         const end = performance.now() + 400; while (performance.now() < end);
         parentPort.postMessage(cpuMs() - from);
         parentPort.once('message', () => process.exit(0));
       });`,
      { eval: true },
    );
    await new Promise((resolve) => worker.once('online', resolve));
    const before = threadTimes();
    const spun = new Promise<number>((resolve) => worker.once('message', resolve));
    worker.postMessage('spin');
    const workerCpuMs = await spun;
    const after = threadTimes();
    worker.postMessage('exit');
    await new Promise((resolve) => worker.once('exit', resolve));

    const d = threadTimesSince(before, after)!;
    expect(workerCpuMs).toBeGreaterThan(0);
    expect(d.otherCpuMs).toBeGreaterThanOrEqual(workerCpuMs * 0.95);
    expect(d.mainCpuMs).toBeLessThan(workerCpuMs);
  });

  it('is undefined when either sample is missing', () => {
    expect(threadTimesSince(undefined, threadTimes())).toBeUndefined();
    expect(threadTimesSince(threadTimes(), undefined)).toBeUndefined();
  });
});
