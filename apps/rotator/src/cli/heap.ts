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
// - Bytecode kept: V8 drops the bytecode of a function that has not run through a few full
//   collections (5 on Node 20, 6 on 24). A daemon's cycles are minutes apart, and the collections
//   of its idle time (V8's memory reducer) and of its keepalives age out everything only a cycle
//   runs — engine, XML, rendering — so each cycle compiled it again and ran cold code.
//
// tools/bench `bench:fleet`, 4,000 devices: peak RSS ~440 MiB with only the 1.5× cap this used to
// set, 350–370 MiB with both, for ~0.05–0.08 ms more CPU per device-cycle (README, "Memory"). With
// 20 s of idle time before each cycle (FLEET_IDLE_MS), five alternating pairs: the cycles after
// the idle time took 4.7–5.4 s with V8's flushing and 4.3–5.0 s with the bytecode kept.
//
// `node --heap-growing-percent=N`, `--max-semi-space-size=N` / `--semi-space-growth-factor=N` or
// `--[no-]flush-bytecode` given by the operator win (on the command line, or in NODE_OPTIONS where
// node takes them).
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 30;
export const SEMI_SPACE_GROWTH_FACTOR = 1;

export interface V8Settings {
  /** The heap growing percent set, or undefined when the operator's own applies. */
  heapGrowingPercent: number | undefined;
  /** The young generation's growth factor set, or undefined when the operator sized it. */
  semiSpaceGrowthFactor: number | undefined;
  /** false: bytecode flushing turned off; undefined when the operator chose. */
  flushBytecode: false | undefined;
}

const given = (args: readonly string[], pattern: RegExp) => args.some((a) => pattern.test(a));

/** Sets V8's heap growth, young-generation growth and bytecode flushing unless node was started with its own; returns what it set. */
export function applyV8Settings(nodeArgs: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(/\s+/) ?? [])]): V8Settings {
  const settings: V8Settings = { heapGrowingPercent: undefined, semiSpaceGrowthFactor: undefined, flushBytecode: undefined };
  if (!given(nodeArgs, /^--heap[-_]growing[-_]percent(=|$)/)) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    settings.heapGrowingPercent = HEAP_GROWING_PERCENT;
  }
  if (!given(nodeArgs, /^--(max[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor)(=|$)/)) {
    setFlagsFromString(`--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`);
    settings.semiSpaceGrowthFactor = SEMI_SPACE_GROWTH_FACTOR;
  }
  if (!given(nodeArgs, /^--(no[-_])?flush[-_]bytecode(=|$)/)) {
    setFlagsFromString('--no-flush-bytecode');
    settings.flushBytecode = false;
  }
  return settings;
}
