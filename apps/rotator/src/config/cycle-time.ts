// How long one rotation cycle takes at least, from the rotation settings: the daemon's interval
// must not be shorter, or it skips slots and /healthz calls a working daemon stuck.
import type { RotationConfig } from './types.js';

/** The engine's defaults for the MKA check after the start-time (createRotator verifyDelayMs / verifyAttempts). */
export const VERIFY_DELAY_SECONDS = 2;
export const VERIFY_ATTEMPTS = 3;

export interface CycleTime {
  /** The confirm timeout the start-time waits for (0 without startAfterConfirmTimeout). */
  confirmSeconds: number;
  leadSeconds: number;
  verifySeconds: number;
  totalSeconds: number;
}

export function minimumCycle(r: Pick<RotationConfig, 'confirmTimeoutMinutes' | 'leadTimeSeconds' | 'startAfterConfirmTimeout'>): CycleTime {
  const confirmSeconds = r.startAfterConfirmTimeout ? r.confirmTimeoutMinutes * 60 : 0;
  const verifySeconds = VERIFY_DELAY_SECONDS * VERIFY_ATTEMPTS;
  return { confirmSeconds, leadSeconds: r.leadTimeSeconds, verifySeconds, totalSeconds: confirmSeconds + r.leadTimeSeconds + verifySeconds };
}

/** The problem with the interval, naming the numbers and the fix; undefined when it is long enough. */
export function intervalProblem(r: Pick<RotationConfig, 'confirmTimeoutMinutes' | 'leadTimeSeconds' | 'startAfterConfirmTimeout' | 'intervalSeconds'>): string | undefined {
  const c = minimumCycle(r);
  if (r.intervalSeconds >= c.totalSeconds) return undefined;
  const parts = [
    ...(r.startAfterConfirmTimeout ? [`${c.confirmSeconds} s confirm timeout`] : []),
    `${c.leadSeconds} s lead time`,
    `${c.verifySeconds} s verification`,
  ];
  const lower = r.startAfterConfirmTimeout ? 'rotation.confirmTimeoutMinutes or rotation.leadTimeSeconds' : 'rotation.leadTimeSeconds';
  return `${r.intervalSeconds} is shorter than a cycle can take (${parts.join(' + ')} = ${c.totalSeconds} s): set it to at least ${c.totalSeconds}, or lower ${lower}`;
}
