// The timing model of a chaos run. Junos's shortest `commit confirmed` timeout is one minute, and
// the rotator's config says 1; sim-junos runs that minute in `confirmMinuteMs` (seconds), so an
// end that never gets its confirm rolls back seconds after its stage commit. The start-time of a
// cycle's keys is then computed from the lead time alone (`rotation.startAfterConfirmTimeout:
// false`: otherwise the rotator would place it a real minute ahead), and the lead time is chosen
// so that the scaled rollback still lands before the start-time:
//
//   plan ──stage window──▶ last stage commit ──confirmMinuteMs──▶ rollback of an unconfirmed end
//   plan ────────────────────────── leadTimeSeconds ───────────────────────────▶ start-time
//
// The stage window is the worst case from the plan to the last stage commit: the devices go out
// `concurrency` at a time, each commit taking up to `commitMs` (loaded machine), plus the one
// slow-commit device and the longest commit latency a fault may add. So, as on real gear with
// the default placement, an end that never receives its confirm — the rotator killed, the device
// gone — has rolled back before the key activates anywhere.

export interface TimingInput {
  devices: number;
  concurrency: number;
  /** sim-junos --confirm-minute-ms: one minute of a commit-confirmed timeout. */
  confirmMinuteMs: number;
  /** The slow-commit device's commit latency. */
  slowCommitMs: number;
  /** The longest commit latency a `slow commit` fault may add to another device. */
  maxFaultCommitMs: number;
  /** What one commit round trip may take on a loaded machine (default 500 ms). */
  commitMs?: number;
  /** Room for scheduling noise (default 2000 ms). */
  marginMs?: number;
}

export interface Timing {
  confirmMinuteMs: number;
  confirmTimeoutMinutes: 1;
  slowCommitMs: number;
  maxFaultCommitMs: number;
  /** Worst case from the plan to the last stage commit. */
  stageWindowMs: number;
  leadTimeSeconds: number;
  /** When an unconfirmed end rolls back, at the latest, measured from the plan. */
  latestRollbackMs: number;
  /** The daemon's interval: a whole cycle — stage window, lead time, 6 s of MKA verification (the rotator's own rule). */
  intervalSeconds: number;
  /** Bounds of the restart delays after a kill: 0 up to beyond the start-time. */
  restartDelays: { beforeConfirmTimeoutMs: number; beforeStartTimeMs: number; afterStartTimeMs: number };
}

export function computeTiming(input: TimingInput): Timing {
  const commitMs = input.commitMs ?? 500;
  const marginMs = input.marginMs ?? 2000;
  const batches = Math.ceil(input.devices / input.concurrency);
  const stageWindowMs = batches * commitMs + input.slowCommitMs + input.maxFaultCommitMs;
  const latestRollbackMs = stageWindowMs + input.confirmMinuteMs;
  const leadTimeSeconds = Math.ceil((latestRollbackMs + marginMs) / 1000);
  return {
    confirmMinuteMs: input.confirmMinuteMs,
    confirmTimeoutMinutes: 1,
    slowCommitMs: input.slowCommitMs,
    maxFaultCommitMs: input.maxFaultCommitMs,
    stageWindowMs,
    leadTimeSeconds,
    latestRollbackMs,
    intervalSeconds: leadTimeSeconds + Math.ceil(stageWindowMs / 1000) + 6,
    restartDelays: {
      beforeConfirmTimeoutMs: input.confirmMinuteMs,
      beforeStartTimeMs: leadTimeSeconds * 1000,
      // The killed cycle's start-time is at most the lead time after the kill: 2 s past it is beyond it.
      afterStartTimeMs: leadTimeSeconds * 1000 + 2000,
    },
  };
}
