// Everything one engine instance works with, passed to each step.
import type { Fleet } from '../fleet/fleet.js';
import type { Limiter } from '../fleet/limit.js';
import type { StateStore } from '../state/store.js';
import type { EngineConfig, ResolvedLink } from './config-view.js';
import type { EngineLogger } from './types.js';

/** Test hooks: the e2e suite pauses the engine at named points to kill it there. */
export interface EngineHooks {
  /**
   * Called at 'journaled', 'staged', 'confirmed' (after the journal on disk says so), and at
   * 'device-staged' right after one device's commit confirmed, while its session is still held.
   */
  pause?(point: 'journaled' | 'device-staged' | 'staged' | 'confirmed', info: { links: string[]; device?: string }): Promise<void>;
}

export interface EngineContext {
  config: EngineConfig;
  links: ResolvedLink[];
  fleet: Fleet;
  store: StateStore;
  logger: EngineLogger;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  kmeLimit: Limiter;
  hooks: EngineHooks;
  /** Place start-times after the confirm timeout (see leadMs). */
  startAfterConfirmTimeout: boolean;
  /** Extra wait after the start-time before MKA is read. */
  verifyDelayMs: number;
  /** Aborted by close(): a cycle waiting for its start-time stops there (journal kept). */
  closing: AbortSignal;
  /** MKA reads before a link that is not secured with its new key is reported (>= 1). */
  verifyAttempts: number;
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
