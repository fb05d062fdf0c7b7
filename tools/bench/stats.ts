// The statistics the benchmarks print, in one place.

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of the last half of a run's cycles: the settled ones, after V8 has compiled what a
 * cycle runs (the whole run when it has one cycle). What a daemon's cycles take, where the best
 * is its luckiest.
 */
export function settledMedian(cyclesMs: readonly number[]): number {
  return median(cyclesMs.slice(Math.floor(cyclesMs.length / 2)));
}
