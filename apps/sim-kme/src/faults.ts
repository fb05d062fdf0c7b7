// Fault injection: decides, per request, whether the simulated KME misbehaves and how. Kept
// apart from the server so the decision is plain data a test can reason about.
import type { Faults } from './config.js';

export type FaultAction = 'none' | 'drop' | 'stall' | 'unavailable' | 'malformed';

export const NO_FAULTS: Faults = { latencyMs: 0, unavailableRate: 0, dropRate: 0, malformedRate: 0, stallRate: 0, reusedKeyIdRate: 0 };

/** True when no request-level fault can fire, so the hot path can skip the dice and the timer (reusedKeyIdRate acts inside enc_keys). */
export function isQuiet(f: Faults): boolean {
  return f.latencyMs === 0 && f.unavailableRate === 0 && f.dropRate === 0 && f.malformedRate === 0 && f.stallRate === 0;
}

/** One roll per fault kind, in a fixed order, so a rate of 1 always wins over lower ones after it. */
export function pickFault(f: Faults, random: () => number = Math.random): FaultAction {
  if (f.dropRate > 0 && random() < f.dropRate) return 'drop';
  if (f.stallRate > 0 && random() < f.stallRate) return 'stall';
  if (f.unavailableRate > 0 && random() < f.unavailableRate) return 'unavailable';
  if (f.malformedRate > 0 && random() < f.malformedRate) return 'malformed';
  return 'none';
}

// Bodies a broken KME might send: truncated JSON, the wrong shape, a key that is not Base64,
// HTML from a proxy. Rotated so a test sees each kind.
const MALFORMED_BODIES = [
  '{"keys":[{"key_ID":"',
  '{"keys":"none"}',
  '{"keys":[{"key_ID":"not-a-uuid","key":"%%%"}]}',
  '<html><body>502 Bad Gateway</body></html>',
];
let malformedIndex = 0;
export function malformedBody(): string {
  const body = MALFORMED_BODIES[malformedIndex % MALFORMED_BODIES.length]!;
  malformedIndex++;
  return body;
}
