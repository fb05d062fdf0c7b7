// A full garbage collection on demand, without --expose-gc on the command line: what a benchmark
// calls before reading the heap a process keeps (garbage left out).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
export const gc = runInNewContext('gc') as () => void;

/** Heap in use and ArrayBuffers (typed arrays keep their bytes outside the heap) after a full collection, in MiB. */
export function memoryAfterGcMiB(): number {
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}
