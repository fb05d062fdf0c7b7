// One cycle's shared state, and the small acts every step of it uses (fail a link, tell progress,
// pause at a step boundary, release a device's lock). Each step of the protocol (cycle.ts) is a
// plain function over a CycleRun: read-plan.ts, key-flow.ts, journal-writes.ts, stage.ts,
// decide.ts, confirm.ts, wait-verify.ts, record.ts.
import { randomUUID } from 'node:crypto';
import type { MacsecConfig } from '@qkd-macsec/macsec-config';
import type { DeviceOps } from '../fleet/ops.js';
import type { RotatorState } from '../state/types.js';
import { selectLinks } from './checks.js';
import type { Coalesced, Deferred } from './coalesce.js';
import type { EngineContext, PausePoint } from './context.js';
import { describeError } from './device-ops.js';
import { CountedMap, type Tx } from './tx.js';
import type { LinkError, ProgressEvent, WaitInfo } from './types.js';

export interface CycleOptions {
  links?: readonly string[];
  dryRun?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** Told once, before the cycle waits for its start-time: what it waits for and until when. */
  onWait?: (wait: WaitInfo) => void;
  /**
   * Return once every end is confirmed, without waiting for the start-time: the journal keeps the
   * links (every end `confirmed`), and the next resume() after the start-time — the daemon's, or
   * the next run's — reads MKA and records them (`status` shows them meanwhile).
   */
  noWait?: boolean;
}

/** What runCycle rotates: the primary key (default) or, per link, the fallback-key. */
export interface CycleKind {
  kind: 'primary' | 'fallback';
  /** kind 'fallback': per link, the primary CKN its MKA sessions run on (must still after the change). */
  primaryCkn?: ReadonlyMap<string, string>;
}

/** What runCycle sets up before it waits for its devices' mutex (and cleans up after, however the cycle ends). */
export interface RunBase {
  ctx: EngineContext;
  options: CycleOptions;
  what: CycleKind;
  kind: 'primary' | 'fallback';
  /** A fallback-key transaction (fallback.ts): no slot, no start-time, verified on the primary key. */
  fb: boolean;
  mode: EngineContext['config']['rotation']['mode'];
  /** While this cycle runs, its journal is its own: resume() in this process leaves it alone. */
  cycleId: string;
  startedAt: Date;
  txs: Tx[];
  /** Device -> its links' transactions, built once (a fleet-sized filter per device is quadratic). */
  byDevice: Map<string, Tx[]>;
  /**
   * Devices whose session may hold this cycle's configuration lock (taken with the read or by the
   * stage) and that have not been sent their confirm: released as soon as they will not be staged,
   * and whatever is left when the cycle ends, however it ends (a kept session never drops it).
   */
  unconfirmed: Set<string>;
  /** Each link's key request, started as soon as its ends are read. */
  fetched: Map<Tx, Promise<void>>;
}

/** Everything the steps share once the cycle holds its devices. */
export interface CycleRun extends RunBase {
  state: RotatorState;
  /** How far ahead of its plan a link's key activates (context.ts leadSeconds). */
  lead: number;
  confirmMinutes: number;
  /** Set before any read, so before any stage: no end's commit confirmed can roll back before this. */
  confirmDeadline: string;
  /** What each device held, dropped once every link is keyed and planned (configs.clear()). */
  configs: Map<string, MacsecConfig>;
  /** When each link was planned: its final plan (with the key) is made as of then, against its start instant. */
  plannedAt: Map<Tx, Date>;
  /**
   * The latest start instant of any link planned so far: the journal's (resume waits for it) and
   * the wait before the verification. Every link journalled starts at or before it.
   */
  startsAt: Date;
  decision: { outcome: 'commit'; at: string; links: string[] };
  /** Every write puts down the journal as it is when the write starts (journal-writes.ts). */
  writeJournal: Coalesced;
  /** Per link: keyed and journalled (true), or not coming (false). */
  keyed: Map<Tx, Deferred<boolean>>;
  /** Per link: decided (true) or not (false), once every end is done staging. */
  decided: Map<Tx, Deferred<boolean>>;
  /** When each device's stage commit was sent (the confirm's timing, confirm.ts). */
  stagedAt: Map<string, number>;
  /** Links whose key flow has not ended yet, and links not yet decided or dropped: the last one hurries the write. */
  toJournal: number;
  toDecide: number;
  /** Links whose key flow is started (fetchReady) or known not to come (noKeyFlow). */
  keyFlowKnown: Set<Tx>;
  /** Per link: its devices still staging; the last one decides it (decide.ts). */
  stagingLeft: Map<Tx, number>;
  /** The decision flows (each started by a device flow) and every device and key flow. */
  decisions: Array<Promise<void>>;
  flows: Array<Promise<unknown>>;
}

export function createRun(ctx: EngineContext, options: CycleOptions, what: CycleKind): RunBase {
  const txs: Tx[] = selectLinks(ctx.links, options.links).map((link) => ({ link, startedMs: Date.now(), alarms: [], plans: new CountedMap(), previousPsk: new Map(), phase: new CountedMap() }));
  const byDevice = new Map<string, Tx[]>();
  for (const t of txs) for (const d of new Set(t.link.ends.map((e) => e.device))) (byDevice.get(d) ?? byDevice.set(d, []).get(d)!).push(t);
  return {
    ctx,
    options,
    what,
    kind: what.kind,
    fb: what.kind === 'fallback',
    mode: ctx.config.rotation.mode,
    cycleId: randomUUID(),
    startedAt: ctx.clock(),
    txs,
    byDevice,
    unconfirmed: new Set(),
    fetched: new Map(),
  };
}

export const live = (run: RunBase): Tx[] => run.txs.filter((t) => !t.error);
export const devicesOf = (list: readonly Tx[]): string[] => [...new Set(list.flatMap((t) => t.link.ends.map((e) => e.device)))];

/** A link's first error fails it (logged, told); later ones are its alarms. */
export function fail(run: RunBase, t: Tx, error: LinkError): void {
  if (t.error) {
    t.alarms.push(error);
    return;
  }
  t.error = error;
  run.ctx.logger.error(`link ${t.link.name}: ${error.phase} failed${error.device ? ` on ${error.device}` : ''}: ${error.message}`);
  emit(run, { link: t.link.name, phase: 'failed', ...(error.device ? { device: error.device } : {}), message: error.message });
}

export function emit(run: RunBase, e: ProgressEvent): void {
  try {
    run.options.onProgress?.(e);
  } catch {
    // a progress printer must not break a transaction
  }
}

/**
 * A step boundary: one debug line (what a chaos run, or an operator reading a debug log, kills at
 * or looks at precisely; key IDs and names only), then the test hook.
 */
export function pause(run: RunBase, point: PausePoint, info: { links: string[]; device?: string }): Promise<void> | undefined {
  run.ctx.logger.debug(`step ${point}${run.fb ? ' (fallback key)' : ''}: ${info.device !== undefined ? `device ${info.device}, ` : ''}links ${info.links.join(', ')}`);
  return run.ctx.hooks.pause?.(point, { ...info, kind: run.kind });
}

/** The pause point right after a device's commit, while its session is still held (EngineHooks.pause). */
export function heldThrough(run: RunBase, committed: Promise<void>, point: 'device-staged' | 'device-confirmed', mine: Tx[], device: string): Promise<void> {
  return committed.then(() => pause(run, point, { links: mine.map((t) => t.link.name), device }));
}

/**
 * A device's steps after its read (its stage, or its unlock when it is not staged) go before the
 * reads still waiting: at 2,000 links the pool starts 4,000 reads over about a second.
 */
export function nextOnDevice<T>(run: RunBase, device: string, fn: (d: DeviceOps) => Promise<T>): Promise<T> {
  return run.ctx.fleet.next(device, fn);
}

/** Unlocks devices read or staged and not to be confirmed. */
export function release(run: RunBase, devices: Iterable<string>): Promise<unknown> {
  return Promise.allSettled(
    [...devices].map((device) => {
      run.unconfirmed.delete(device);
      return nextOnDevice(run, device, (d) => d.releaseStaged(run.cycleId));
    }),
  );
}

/**
 * One async function per link flow settles its deferred itself: a fleet's flows wait through both
 * commits, and every closure and promise of a `.then` chain kept per link is promoted out of the
 * young generation with them. It never rejects (a decision's flow is awaited only once every device
 * flow has ended). A flow that throws (a hook, say) fails its link unless its decision is already
 * on disk: stage and confirm go by the link's error, and a link that is neither failed nor decided
 * would otherwise be confirmed.
 */
export async function settle(run: CycleRun, t: Tx, flow: Promise<boolean>, done: Deferred<boolean>, phase: 'plan' | 'confirm'): Promise<void> {
  let ok = false;
  try {
    ok = await flow;
  } catch (e) {
    if (phase === 'plan') fail(run, t, { phase, message: `${describeError(e)}; the key is not staged` });
    else if (!run.decision.links.includes(t.link.name)) fail(run, t, { phase, message: `${describeError(e)} before the decision; the key is rolled back` });
  } finally {
    done.resolve(ok);
  }
}
