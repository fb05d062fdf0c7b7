// V8's memory settings for the qkd-macsec binary, applied at start. A rotation cycle keeps every
// device's in-flight state across its two one-second commits: at 4,000 devices that state is
// promoted out of the young generation in bulk, and the old generation then grows by V8's factor
// (up to about 4× what survived the last full collection) before it is collected again.
//
// - Heap growth: at most 1.3× between full collections (V8 alone: up to ~4×).
// - Young generation: kept at V8's initial size (1 MiB semi-spaces) instead of growing to 16 MiB;
//   V8 takes --max-semi-space-size at start only, but reads the growth factor each time it would
//   grow the young generation, so a factor of 1 set here holds it where it is.
//
// tools/bench `bench:fleet`, 4,000 devices: peak RSS ~440 MiB with only the 1.5× cap this used to
// set, 350–370 MiB with both, for ~0.05–0.08 ms more CPU per device-cycle (README, "Memory").
//
// `node --heap-growing-percent=N` or `--max-semi-space-size=N` / `--semi-space-growth-factor=N`
// given by the operator win (on the command line, or in NODE_OPTIONS where node takes them).
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 30;
export const SEMI_SPACE_GROWTH_FACTOR = 1;

export interface HeapSettings {
  /** The heap growing percent set, or undefined when the operator's own applies. */
  heapGrowingPercent: number | undefined;
  /** The young generation's growth factor set, or undefined when the operator sized it. */
  semiSpaceGrowthFactor: number | undefined;
}

const given = (args: readonly string[], pattern: RegExp) => args.some((a) => pattern.test(a));

/** Sets V8's heap growth and young-generation growth unless node was started with its own; returns what it set. */
export function limitHeapGrowth(nodeArgs: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(/\s+/) ?? [])]): HeapSettings {
  const settings: HeapSettings = { heapGrowingPercent: undefined, semiSpaceGrowthFactor: undefined };
  if (!given(nodeArgs, /^--heap[-_]growing[-_]percent(=|$)/)) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    settings.heapGrowingPercent = HEAP_GROWING_PERCENT;
  }
  if (!given(nodeArgs, /^--(max[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor)(=|$)/)) {
    setFlagsFromString(`--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`);
    settings.semiSpaceGrowthFactor = SEMI_SPACE_GROWTH_FACTOR;
  }
  return settings;
}
