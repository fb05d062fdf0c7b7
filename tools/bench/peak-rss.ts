// The measured process's peak RSS, without sampling it from inside: on Linux the kernel keeps the
// high-water mark (VmHWM in /proc/self/status), reset by writing 5 to /proc/self/clear_refs. In
// the rotator's process at 2,000 links one `process.memoryUsage.rss()` took ~1 ms of the
// JavaScript thread (read from another process, the same figure took ~30 µs): sampled every
// 100 ms it cost the measured thread ~55 ms a cycle. Elsewhere: rss() every 100 ms.
import { readFileSync, writeFileSync } from 'node:fs';

export interface PeakRss {
  /** The peak since the start or the last reset, in bytes. */
  peak(): number;
  reset(): void;
  stop(): void;
}

function kernelHighWaterMark(): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

export function trackPeakRss(): PeakRss {
  if (kernelHighWaterMark() !== undefined) {
    return {
      peak: () => Math.max(kernelHighWaterMark()!, process.memoryUsage.rss()),
      reset: () => writeFileSync('/proc/self/clear_refs', '5'),
      stop: () => undefined,
    };
  }
  let peak = 0;
  const sample = () => void (peak = Math.max(peak, process.memoryUsage.rss()));
  const timer = setInterval(sample, 100);
  return {
    peak: () => (sample(), peak),
    reset: () => void (peak = 0),
    stop: () => clearInterval(timer),
  };
}
