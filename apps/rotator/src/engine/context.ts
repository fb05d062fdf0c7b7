// Everything one engine instance works with, passed to each step.
import type { Fleet } from '../fleet/fleet.js';
import type { StateStore } from '../state/store.js';
import type { EngineConfig, ResolvedLink } from './config-view.js';
import type { EngineLogger } from './types.js';

export type PausePoint = 'journaled' | 'device-staged' | 'staged' | 'decided' | 'device-confirmed' | 'confirmed';

/** Test hooks: the e2e suite pauses the engine at named points to kill it there. */
export interface EngineHooks {
  /**
   * Called at 'journaled', 'staged', 'decided' (the decision record is on disk), 'confirmed' (after
   * the journal on disk says so), at 'device-staged' right after one device's commit confirmed,
   * and at 'device-confirmed' right after one device's confirm — both while that device's session
   * is still held. `kind` says which transaction (primary key or fallback key).
   */
  pause?(point: PausePoint, info: { links: string[]; device?: string; kind?: 'primary' | 'fallback' }): Promise<void>;
}

export interface EngineContext {
  config: EngineConfig;
  links: ResolvedLink[];
  fleet: Fleet;
  /**
   * Confirms (and resume's settling commits): the device's one session, on the pool's urgent lane —
   * not bounded by rotation.concurrency: once the decision is on disk every end must get its
   * confirm at once (confirm.ts). For a direct device it is the stage's session, which still
   * holds the configuration lock the stage took (DeviceOps stage/confirmStaged).
   */
  confirmLane: Fleet['withDevice'];
  store: StateStore;
  logger: EngineLogger;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  hooks: EngineHooks;
  /** Place start-times after the confirm timeout (see leadMs). */
  startAfterConfirmTimeout: boolean;
  /** Extra wait after the start-time before MKA is read. */
  verifyDelayMs: number;
  /** Aborted by close(): a cycle waiting for its start-time stops there (journal kept). */
  closing: AbortSignal;
  /** MKA reads before a link that is not secured with its new key is reported (>= 1). */
  verifyAttempts: number;
  /** Cycle IDs of the transactions this process runs now: their journals are not resume()'s. */
  inFlight: Set<string>;
  /** resume() calls, one after the other (the daemon calls it every few seconds). */
  resumeQueue: { tail: Promise<unknown> };
}

/** The fallback-key settings (config `fallback`, defaults filled in). */
export function fallbackSettings(ctx: Pick<EngineContext, 'config'>): { enabled: boolean; intervalHours: number } {
  return { enabled: ctx.config.fallback?.enabled ?? true, intervalHours: ctx.config.fallback?.intervalHours ?? 168 };
}

/**
 * How far ahead of now a new key activates. With startAfterConfirmTimeout (the default) the
 * start-time also lies beyond the confirm timeout, so an end whose confirm never arrives has rolled
 * back before the key activates anywhere: the old key stays active on every end even when the
 * rotator dies between commit and confirm and never comes back.
 */
export function leadSeconds(ctx: EngineContext): number {
  const r = ctx.config.rotation;
  return ctx.startAfterConfirmTimeout ? r.confirmTimeoutMinutes * 60 + r.leadTimeSeconds : r.leadTimeSeconds;
}
