// The measured process's CPU split by thread, from Linux's per-thread scheduler statistics
// (/proc/self/task/<tid>/schedstat: nanoseconds on a CPU, nanoseconds runnable but waiting for
// one). process.cpuUsage() adds up every thread of the process: the one that runs the rotator's
// JavaScript, and V8's helpers (concurrent marking, parallel scavenging, the optimising compiler)
// and libuv's pool beside it. On a machine whose cores are all busy the JavaScript thread also
// waits for a core while it has work: time that is in the cycle but in no CPU figure.
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadTimes {
  /** The JavaScript thread (the main thread: its thread id is the process id). */
  mainCpuMs: number;
  /** …runnable but not running: waiting for a core. */
  mainWaitMs: number;
  /** Every other thread of the process, on a CPU. */
  otherCpuMs: number;
}

function schedstat(tid: string): [cpuNs: number, waitNs: number] {
  const [cpu, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ');
  return [Number(cpu), Number(wait)];
}

/** Now, or undefined where the kernel does not offer schedstat (not Linux, or built without it). */
export function threadTimes(): ThreadTimes | undefined {
  try {
    const main = String(process.pid);
    const [mainCpu, mainWait] = schedstat(main);
    let other = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      if (tid === main) continue;
      try {
        other += schedstat(tid)[0];
      } catch {
        // the thread ended between the listing and the read: its time is gone from both samples
      }
    }
    return { mainCpuMs: mainCpu / 1e6, mainWaitMs: mainWait / 1e6, otherCpuMs: other / 1e6 };
  } catch {
    return undefined;
  }
}

/** What each figure grew by from `before` to `after`. */
export function threadTimesSince(before: ThreadTimes | undefined, after: ThreadTimes | undefined): ThreadTimes | undefined {
  if (!before || !after) return undefined;
  return { mainCpuMs: after.mainCpuMs - before.mainCpuMs, mainWaitMs: after.mainWaitMs - before.mainWaitMs, otherCpuMs: after.otherCpuMs - before.otherCpuMs };
}
