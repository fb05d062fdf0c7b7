// Steps 1–3: read every device (with its lock), and as soon as all ends of a link are read, check
// and plan it and ask for its key (not for a dry run). The KMEs answer while the rest of the
// fleet is read, and a link goes on to its journal and its devices' stage without waiting for the
// other reads: there is no fleet-wide barrier.
import { planLinkRotation } from '@qkd-macsec/macsec-config';
import { MAX_BATCH } from '../fleet/kme-batch.js';
import { chainOf, setupProblem } from './checks.js';
import { devicesOf, fail, settle, type CycleRun } from './cycle-run.js';
import { describeError } from './device-ops.js';
import { fetchInto, keyFlow, noKeyFlow } from './key-flow.js';
import type { Tx } from './tx.js';

/** How long a link whose ends are read waits for others to share its KME request (see readAndPlan). */
const FETCH_WAIT_MS = 50;

/** Reads every device of the cycle; each link is planned and its key asked for as its last end comes in. */
export async function readAndPlan(run: CycleRun): Promise<void> {
  const unread = new Map(run.txs.map((t) => [t, new Set(t.link.ends.map((e) => e.device)).size]));
  // Links ready for their key go to the KMEs a batch at a time (kme-batch.ts), as a batch fills
  // or FETCH_WAIT_MS after the first link waits. A request per link as each read came in made
  // ~150 enc_keys and ~150 dec_keys at 2,000 links instead of 16 each, and ~0.8 s more CPU.
  let ready: Tx[] = [];
  let readyTimer: NodeJS.Timeout | undefined;
  const fetchReady = () => {
    clearTimeout(readyTimer);
    readyTimer = undefined;
    for (const t of ready) {
      run.fetched.set(t, fetchInto(run, t));
      run.keyFlowKnown.add(t);
      run.flows.push(settle(run, t, keyFlow(run, t), run.keyed.get(t)!, 'plan'));
    }
    ready = [];
  };
  try {
    await readAll(run, devicesOf(run.txs), (device) => {
      for (const t of run.byDevice.get(device) ?? []) {
        const left = unread.get(t)! - 1;
        unread.set(t, left);
        if (t.error) noKeyFlow(run, t); // an end that could not be read
        else if (left === 0) {
          try {
            if (onLinkRead(run, t)) ready.push(t);
          } catch (e) {
            fail(run, t, { phase: 'plan', message: describeError(e) });
            noKeyFlow(run, t);
          }
        }
      }
      if (ready.length >= MAX_BATCH) fetchReady();
      else if (ready.length > 0) readyTimer ??= setTimeout(fetchReady, FETCH_WAIT_MS);
    });
  } finally {
    clearTimeout(readyTimer); // a cycle that ends here fetches nothing more
  }
  fetchReady();
}

/**
 * Every device's configuration into `run.configs`, or its links failed; `onRead` is told of each
 * device as its read settles. Nothing else keeps a read: `configs.clear()` drops them all.
 */
async function readAll(run: CycleRun, devices: string[], onRead: (device: string) => void): Promise<void> {
  // With the lock when the device offers it (not for a dry run): the plan is then made on a
  // configuration nobody can change before the stage, and the stage is two round trips, not three.
  await Promise.all(
    devices.map((dev) =>
      run.ctx.fleet
        .withDevice(dev, (d) => {
          if (!d.readLocked || run.options.dryRun) return d.readMacsec();
          run.unconfirmed.add(dev);
          return d.readLocked(run.cycleId);
        })
        .then(
          (config) => {
            run.configs.set(dev, config);
            onRead(dev);
          },
          (e: unknown) => {
            for (const t of run.byDevice.get(dev) ?? []) fail(run, t, { phase: 'read', device: dev, message: `cannot read the configuration of ${dev}: ${describeError(e)}` });
            onRead(dev);
          },
        ),
    ),
  );
}

/**
 * All ends of a link are read: check and plan it; its start instant is the one it needs then
 * (key-chain mode), else when it was read. True when it goes on to its key (not for a dry run).
 */
function onLinkRead(run: CycleRun, t: Tx): boolean {
  const p = planWithoutKey(run, t);
  if (t.error) {
    noKeyFlow(run, t);
    return false;
  }
  t.startsAt = p ?? run.ctx.clock();
  if (t.startsAt > run.startsAt) run.startsAt = t.startsAt;
  if (!run.options.dryRun) return true;
  noKeyFlow(run, t);
  return false;
}

/**
 * A link whose ends are not set up (connectivity association, binding, key chain) gets no key: it
 * would never come up on it (`init` sets them up). Then it is planned without a key: a full ring
 * or a broken chain fails the link before keys are spent. Returns the start instant the link
 * needs (key-chain mode).
 */
function planWithoutKey(run: CycleRun, t: Tx): Date | undefined {
  const { configs, mode, fb } = run;
  const problem = setupProblem(t.link, configs, mode);
  if (problem) {
    fail(run, t, { phase: 'plan', device: problem.device, message: `${problem.message}; run \`qkd-macsec init\`` });
    return undefined;
  }
  // What a failed end gets back: the previous pre-shared-key (static-cak), or the previous
  // fallback-key — as the device showed it (`$9$…`), in memory only (fallback-undo.ts: the
  // fallback keys of the ends must stay equal).
  if (fb || mode === 'static-cak') {
    for (const e of t.link.ends) {
      const ca = configs.get(e.device)?.connectivityAssociations?.find((c) => c.name === t.link.connectivityAssociation);
      t.previousPsk.set(e.device, fb ? ca?.fallbackKey : ca?.preSharedKey);
    }
    return undefined;
  }
  if (mode !== 'key-chain') return undefined;
  try {
    const now = run.ctx.clock();
    const p = planLinkRotation({ ends: t.link.ends.map((e) => ({ chain: chainOf(configs.get(e.device), t.link.keyChain) })), now, leadTimeSeconds: run.lead });
    t.link.ends.forEach((e, i) => t.plans.set(e.device, p.ends[i]!));
    run.plannedAt.set(t, now);
    return p.startsAt;
  } catch (e) {
    fail(run, t, { phase: 'plan', message: `cannot plan key chain ${t.link.keyChain}: ${describeError(e)}` });
    return undefined;
  }
}
