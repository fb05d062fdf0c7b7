// V8 lets its old generation grow to up to about 4× what survived the last full collection
// before it collects again. A rotation cycle keeps every device's in-flight state across its two
// one-second commits, so at 4,000 devices the rotator's heap ran to ~700 MiB (peak RSS ~850 MiB)
// for ~150 MiB of live data (tools/bench, `bench:fleet`). Growing by at most 1.5× between full
// collections kept the peak near 480 MiB for about 0.05 ms more CPU per device-cycle.
//
// V8 reads this flag each time it sizes the heap after a collection, so setting it at start-up
// takes effect; `node --heap-growing-percent=N` given by the operator wins (Node refuses the flag
// in NODE_OPTIONS, so the command line is the only place it can come from).
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Sets V8's heap growing factor unless node was started with one; returns the percent in force, or undefined when the operator's own applies. */
export function limitHeapGrowth(nodeArgs: readonly string[] = process.execArgv): number | undefined {
  if (nodeArgs.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return undefined;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return HEAP_GROWING_PERCENT;
}
