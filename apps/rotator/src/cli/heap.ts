// V8's memory settings for the qkd-macsec binary, applied at start. A rotation cycle keeps every
// device's in-flight state across its two one-second commits: at 4,000 devices that state is
// promoted out of the young generation in bulk, and the old generation then grows by V8's factor
// (up to about 4× what survived the last full collection) before it is collected again.
//
// - Heap growth: at most 1.3× between full collections (V8 alone: up to ~4×). V8 reads the factor
//   at every full collection, so setting it here, after the modules have loaded, holds.
// - Bytecode kept: V8 drops the bytecode of a function that has not run through a few full
//   collections (5 on Node 20, 6 on 24). A daemon's cycles are minutes apart, and the collections
//   of its idle time (V8's memory reducer) and of its keepalives age out everything only a cycle
//   runs — engine, XML, rendering — so each cycle compiled it again and ran cold code.
// - Young generation held at the size it has once the modules have loaded
//   (`--semi-space-growth-factor=1`). Node fixes its maximum at start — the daemon's systemd unit
//   passes `NODE_OPTIONS=--max-semi-space-size=16`, the site agent's `=8`; node alone allows
//   16 MiB semi-spaces (32 on Node 24) — and loading the binary's modules grows it to that maximum
//   before this runs. With V8's factor of 2 left, V8 may resize it within the maximum during a
//   cycle; at 400 devices the rotator spent 0.80–0.93 ms of CPU per device-cycle that way against
//   0.72–0.83 ms with it held (three alternating pairs). An earlier version said this held the
//   young generation at its initial 1 MiB; set after the imports, it never could.
//
// - No minor GC tasks (`--no-minor-gc-task`): V8 otherwise schedules a young-generation collection
//   as a task once the young generation is 80 % full, so it collects before it has to. Through a
//   cycle the survivors are the fleet's in-flight state, the same whenever V8 collects: collecting
//   at 80 % copies them a quarter more often for nothing. 2,000 links, three alternating pairs
//   (medians of the last four of eight cycles): 1.90–1.96 times the two-commit floor without the
//   tasks, 2.09–2.21 with them. On Node 24.22 the tasks do not lower the daemon's RSS either
//   (`bench:daemon`, 14 cycles at 2,000 links: 389 MiB peak with them, 382 without), so the
//   setting is the same on every Node version.
//
// tools/bench `bench:fleet`, 4,000 devices: peak RSS ~440 MiB with only the 1.5× cap this used to
// set; with the 1.3× cap, 328–333 MiB at 8 MiB semi-spaces and 350–354 MiB at the daemon's 16,
// which cut the 2,000-link cycle by 7–17 % in five alternating pairs (README, "Memory"). With
// 20 s of idle time before each cycle (FLEET_IDLE_MS), five alternating pairs: the cycles after
// the idle time took 4.7–5.4 s with V8's flushing and 4.3–5.0 s with the bytecode kept.
//
// `node --heap-growing-percent=N`, `--semi-space-growth-factor=N`, `--[no-]flush-bytecode` or
// `--[no-]minor-gc-task` given by the operator win (on the command line, or in NODE_OPTIONS where
// node takes them).
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 30;
export const SEMI_SPACE_GROWTH_FACTOR = 1;

export interface V8Settings {
  /** The heap growing percent set, or undefined when the operator's own applies. */
  heapGrowingPercent: number | undefined;
  /** The young generation's growth factor set, or undefined when the operator's own applies. */
  semiSpaceGrowthFactor: number | undefined;
  /** false: bytecode flushing turned off; undefined when the operator chose. */
  flushBytecode: false | undefined;
  /** false: V8's minor GC tasks turned off; undefined when the operator chose. */
  minorGcTask: false | undefined;
}

const given = (args: readonly string[], pattern: RegExp) => args.some((a) => pattern.test(a));

/** Sets V8's heap growth, young-generation growth, bytecode flushing and minor GC tasks unless node was started with its own; returns what it set. */
export function applyV8Settings(nodeArgs: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(/\s+/) ?? [])]): V8Settings {
  const settings: V8Settings = { heapGrowingPercent: undefined, semiSpaceGrowthFactor: undefined, flushBytecode: undefined, minorGcTask: undefined };
  if (!given(nodeArgs, /^--heap[-_]growing[-_]percent(=|$)/)) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    settings.heapGrowingPercent = HEAP_GROWING_PERCENT;
  }
  if (!given(nodeArgs, /^--semi[-_]space[-_]growth[-_]factor(=|$)/)) {
    setFlagsFromString(`--semi-space-growth-factor=${SEMI_SPACE_GROWTH_FACTOR}`);
    settings.semiSpaceGrowthFactor = SEMI_SPACE_GROWTH_FACTOR;
  }
  if (!given(nodeArgs, /^--(no[-_])?flush[-_]bytecode(=|$)/)) {
    setFlagsFromString('--no-flush-bytecode');
    settings.flushBytecode = false;
  }
  if (!given(nodeArgs, /^--(no[-_])?minor[-_]gc[-_]task(=|$)/)) {
    setFlagsFromString('--no-minor-gc-task');
    settings.minorGcTask = false;
  }
  return settings;
}
