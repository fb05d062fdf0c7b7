// <commit-configuration> (Junos: check, confirmed + confirm-timeout in minutes, log, rollback N)
// and <commit>/<validate> (NETCONF: confirm-timeout in seconds). A confirm-timeout minute lasts
// the device's `confirmMinuteMs` (60000 unless the simulator is accelerated for chaos runs).
// Honours the commit-latency, commit-failure and no-confirm (dropOnConfirm) faults.
import { setTimeout as sleep } from 'node:timers/promises';
import { commitFailureMessage } from '../faults.js';
import { RpcFailure, type RpcErrorInfo } from '../rpc-error.js';
import type { ConfigIssue } from '../validate.js';
import { child, childText, el } from '../xml.js';
import { OK, type RpcContext, type RpcHandler, type RpcResult } from './context.js';

const toWarnings = (issues: ConfigIssue[]): RpcErrorInfo[] =>
  issues.map((i) => ({ severity: 'warning', path: i.path, message: i.message, ...(i.badElement !== undefined ? { badElement: i.badElement } : {}) }));

function positiveInt(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new RpcFailure({ tag: 'invalid-value', message: `${what} must be a positive integer`, badElement: text });
  return Number(text);
}

/** Validates the candidate and builds what the device will run (the active tree, each link end's
 *  keys), all remembered by the tree, so the commit at the end of the latency only installs it —
 *  unless the candidate changed meanwhile, which the store and the link model then recompute. */
function prepare(ctx: RpcContext): void {
  const { store } = ctx.device;
  store.prepare(ctx.session);
  ctx.links.prepare(ctx.device.name, store.activeOf(store.candidate(ctx.session)));
}

/** Thrown after the dropOnConfirm fault dropped the connection: nothing is applied or answered. */
class Dropped extends Error {}

async function runCommit(ctx: RpcContext, opts: { check: boolean; confirmTimeoutMs?: number; log?: string; rollback?: number }): Promise<ConfigIssue[]> {
  const { faults, store } = ctx.device;
  if (faults.dropOnConfirm && store.hasPendingConfirm()) {
    ctx.dropConnection('dropOnConfirm');
    throw new Dropped('connection dropped before the confirming commit');
  }
  if (faults.commitLatencyMs) {
    // The work first, the latency after: the latency is the device's time, not ours, so a fleet's
    // commits do not all validate in one burst when their latencies end. Nothing is applied
    // before the latency is over; what the commit finds is answered then.
    if (opts.rollback === undefined) prepare(ctx);
    await sleep(faults.commitLatencyMs);
  }
  if (opts.check) {
    const issues = store.check(ctx.session);
    store.confirmPending(); // on Junos, `commit check` also confirms a commit confirmed
    return issues;
  }
  const failure = commitFailureMessage(faults);
  if (failure) throw new RpcFailure({ message: failure });
  if (opts.rollback !== undefined) store.loadRollback(ctx.session, opts.rollback);
  return store.commit(ctx.session, {
    ...(opts.confirmTimeoutMs !== undefined ? { confirmTimeoutMs: opts.confirmTimeoutMs } : {}),
    ...(opts.log !== undefined ? { log: opts.log } : {}),
  });
}

export const commitConfiguration: RpcHandler = async (ctx, op) => {
  const check = child(op, 'check') !== undefined;
  const confirmed = child(op, 'confirmed') !== undefined;
  const minutes = positiveInt(childText(op, 'confirm-timeout'), 'confirm-timeout');
  const log = childText(op, 'log');
  const rollbackText = childText(op, 'rollback');
  const rollback = rollbackText === undefined ? undefined : /^\d+$/.test(rollbackText) ? Number(rollbackText) : Number.NaN;
  const issues = await runCommit(ctx, {
    check,
    ...(confirmed ? { confirmTimeoutMs: (minutes ?? 10) * ctx.device.confirmMinuteMs } : {}),
    ...(log !== undefined ? { log } : {}),
    ...(rollback !== undefined ? { rollback } : {}),
  });
  const head = ctx.device.store.history;
  const outcome = check
    ? '<commit-check-success/>'
    : `<commit-success/><commit-revision-information>${el('new-db-revision', `re0-${Math.floor(head[0]!.time / 1000)}-${head.length}`)}</commit-revision-information>`;
  const result: RpcResult = { body: `<commit-results><routing-engine junos:style="normal"><name>re0</name>${outcome}</routing-engine></commit-results>` };
  if (issues.length) result.warnings = toWarnings(issues);
  return result;
};

export const commit: RpcHandler = async (ctx, op) => {
  const confirmed = child(op, 'confirmed') !== undefined;
  const seconds = positiveInt(childText(op, 'confirm-timeout'), 'confirm-timeout');
  const issues = await runCommit(ctx, { check: false, ...(confirmed ? { confirmTimeoutMs: ((seconds ?? 600) * ctx.device.confirmMinuteMs) / 60 } : {}) });
  return issues.length ? { ...OK, warnings: toWarnings(issues) } : OK;
};

export const validate: RpcHandler = async (ctx) => {
  const issues = await runCommit(ctx, { check: true });
  return issues.length ? { ...OK, warnings: toWarnings(issues) } : OK;
};
