// One rotation cycle (the rotation protocol in README.md): read every device's chains, fetch one
// key per link from the KMEs, plan slots and a start-time per link, stage every device with ONE load + ONE
// `commit confirmed`, write the decision record, confirm every device at once (removing, in the
// same commit, the keys of links that failed elsewhere), clean up what a failed end may hold, wait
// for the start-time, read MKA. A journal in the state file records each end's phase and the
// decision so that a killed run can be resolved (resume.ts).
// The same transaction rotates a link's fallback-key (kind 'fallback', see fallback.ts): no slot,
// no start-time (a fallback-key is live at its commit), verified by the primary key still securing
// the link. Devices are DeviceOps and keys come from a KeySource (fleet/ops.ts): a device or an SAE
// behind a site agent runs the same protocol; the agents drop the cycle's keys when it ends.
import { randomUUID } from 'node:crypto';
import { keyChainRotationChange, planKeyChainRotation, planLinkRotation, type MacsecConfig } from '@qkd-macsec/macsec-config';
import type { JournalLink } from '../state/types.js';
import { frozenEntry } from '../state/journal-text.js';
import { handedOutAgain } from '../state/keyid-history.js';
import { chainOf, holdsKey, primaryCkns, redact, selectLinks, setupProblem } from './checks.js';
import { cleanUp } from './cleanup.js';
import { coalesce, deferred, type Deferred } from './coalesce.js';
import { leadSeconds, type EngineContext } from './context.js';
import type { DeviceOps } from '../fleet/ops.js';
import { MAX_BATCH } from '../fleet/kme-batch.js';
import { describeError, mergeChanges } from './device-ops.js';
import { fallbackChange, undoFallback } from './fallback-undo.js';
import { dryRunReport, linkReport } from './report.js';
import { CountedMap, type Change, type Tx } from './tx.js';
import type { CycleReport, LinkError, LinkReport, ProgressEvent, WaitInfo } from './types.js';
import { verifyLinks } from './verify.js';
import { waitOrClose } from './wait.js';

export { chainOf, selectLinks } from './checks.js';
export { RotatorClosedError } from './wait.js';

/** How long a link whose ends are read waits for others to share its KME request (see cycle()). */
const FETCH_WAIT_MS = 50;

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

export async function runCycle(ctx: EngineContext, options: CycleOptions, what: CycleKind = { kind: 'primary' }): Promise<CycleReport> {
  const startedAt = ctx.clock();
  const mode = ctx.config.rotation.mode;
  const kind = what.kind;
  const fb = kind === 'fallback';
  // One debug line per step boundary: what a chaos run (or an operator reading a debug log) kills
  // or looks at precisely. Key IDs and names only.
  const pause = (point: Parameters<NonNullable<typeof ctx.hooks.pause>>[0], info: { links: string[]; device?: string }) => {
    ctx.logger.debug(`step ${point}${fb ? ' (fallback key)' : ''}: ${info.device !== undefined ? `device ${info.device}, ` : ''}links ${info.links.join(', ')}`);
    return ctx.hooks.pause?.(point, { ...info, kind });
  };
  const emit = (e: ProgressEvent) => {
    try {
      options.onProgress?.(e);
    } catch {
      // a progress printer must not break a transaction
    }
  };
  const selected = selectLinks(ctx.links, options.links);
  const txs: Tx[] = selected.map((link) => ({ link, startedMs: Date.now(), alarms: [], plans: new CountedMap(), previousPsk: new Map(), phase: new CountedMap() }));
  const live = () => txs.filter((t) => !t.error);
  const fail = (t: Tx, error: LinkError) => {
    if (t.error) {
      t.alarms.push(error);
      return;
    }
    t.error = error;
    ctx.logger.error(`link ${t.link.name}: ${error.phase} failed${error.device ? ` on ${error.device}` : ''}: ${error.message}`);
    emit({ link: t.link.name, phase: 'failed', ...(error.device ? { device: error.device } : {}), message: error.message });
  };
  const devicesOf = (list: readonly Tx[]) => [...new Set(list.flatMap((t) => t.link.ends.map((e) => e.device)))];
  // Device -> its links' transactions, built once (a fleet-sized filter per device is quadratic).
  const byDevice = new Map<string, Tx[]>();
  for (const t of txs) for (const d of new Set(t.link.ends.map((e) => e.device))) (byDevice.get(d) ?? byDevice.set(d, []).get(d)!).push(t);
  const withDevice = <T>(device: string, fn: (d: DeviceOps) => Promise<T>) => ctx.fleet.withDevice(device, fn);
  // A device's steps after its read (its stage, or its unlock when it is not staged) go before the
  // reads still waiting: at 2,000 links the pool starts 4,000 reads over about a second.
  const nextOnDevice = <T>(device: string, fn: (d: DeviceOps) => Promise<T>) => ctx.fleet.next(device, fn);

  // While this cycle runs, its journal is its own: resume() in this process leaves it alone.
  const cycleId = randomUUID();
  // Devices whose session may hold this cycle's configuration lock (taken with the read or by the
  // stage) and that have not been sent their confirm: released as soon as they will not be staged,
  // and whatever is left when the cycle ends, however it ends (a kept session never drops it).
  const unconfirmed = new Set<string>();
  const release = (devices: Iterable<string>) =>
    Promise.allSettled(
      [...devices].map((device) => {
        unconfirmed.delete(device);
        return nextOnDevice(device, (d) => d.releaseStaged(cycleId));
      }),
    );
  // Each link's key request, started as soon as its ends are read.
  const fetched = new Map<Tx, Promise<void>>();
  ctx.inFlight.add(cycleId);
  try {
    return await ctx.fleet.mutex.withKeys(devicesOf(txs), async () => {
      try {
        return await cycle(cycleId);
      } finally {
        await release([...unconfirmed]);
      }
    });
  } finally {
    ctx.inFlight.delete(cycleId);
    // Keys are needed from the fetch to the stage only: every agent of this cycle zeroes them now
    // (a request still in flight, when the cycle ended early, first).
    await Promise.allSettled(fetched.values());
    await ctx.fleet.keys.release(cycleId);
  }

  // Every device's configuration into `configs`, or its links failed; `onRead` is told of each
  // device as its read settles. Nothing else keeps a read: `configs.clear()` drops them all.
  async function readAll(devices: string[], configs: Map<string, MacsecConfig>, onRead: (device: string) => void): Promise<void> {
    // With the lock when the device offers it (not for a dry run): the plan is then made on a
    // configuration nobody can change before the stage, and the stage is two round trips, not three.
    await Promise.all(
      devices.map((dev) =>
        withDevice(dev, (d) => {
          if (!d.readLocked || options.dryRun) return d.readMacsec();
          unconfirmed.add(dev);
          return d.readLocked(cycleId);
        }).then(
          (config) => {
            configs.set(dev, config);
            onRead(dev);
          },
          (e: unknown) => {
            for (const t of byDevice.get(dev) ?? []) fail(t, { phase: 'read', device: dev, message: `cannot read the configuration of ${dev}: ${describeError(e)}` });
            onRead(dev);
          },
        ),
      ),
    );
  }

  async function cycle(cycleId: string): Promise<CycleReport> {
    // A link whose ends are not set up (connectivity association, binding, key chain) gets no key:
    // it would never come up on it (`init` sets them up). Then it is planned without a key: a full
    // ring or a broken chain fails the link before keys are spent. Returns the start instant the
    // link needs (key-chain mode).
    const planWithoutKey = (t: Tx): Date | undefined => {
      const problem = setupProblem(t.link, configs, mode);
      if (problem) {
        fail(t, { phase: 'plan', device: problem.device, message: `${problem.message}; run \`qkd-macsec init\`` });
        return undefined;
      }
      // What a failed end gets back: the previous pre-shared-key (static-cak), or the previous
      // fallback-key — as the device showed it (`$9$…`), in memory only. A fallback-key taken off one
      // end while the other keeps the old one would leave the ends on different fallback keys.
      if (fb || mode === 'static-cak') {
        for (const e of t.link.ends) {
          const ca = configs.get(e.device)?.connectivityAssociations?.find((c) => c.name === t.link.connectivityAssociation);
          t.previousPsk.set(e.device, fb ? ca?.fallbackKey : ca?.preSharedKey);
        }
        return undefined;
      }
      if (mode !== 'key-chain') return undefined;
      try {
        const now = ctx.clock();
        const p = planLinkRotation({ ends: t.link.ends.map((e) => ({ chain: chainOf(configs.get(e.device), t.link.keyChain) })), now, leadTimeSeconds: lead });
        t.link.ends.forEach((e, i) => t.plans.set(e.device, p.ends[i]!));
        plannedAt.set(t, now);
        return p.startsAt;
      } catch (e) {
        fail(t, { phase: 'plan', message: `cannot plan key chain ${t.link.keyChain}: ${describeError(e)}` });
        return undefined;
      }
    };
    const fetchInto = async (t: Tx): Promise<void> => {
      emit({ link: t.link.name, phase: 'fetch' });
      try {
        const key = await ctx.fleet.keys.fetch(t.link, { tx: cycleId, cipherSuite: ctx.config.rotation.cipherSuite, kind });
        if (state.keyIds.has(key.keyId)) {
          fail(t, { phase: 'fetch', message: await handedOutAgain(state.keyIds, key.keyId) });
          return;
        }
        // A fallback-key equal to a primary key would be no fallback at all (and the reverse).
        const clash = fb
          ? primaryCkns(t.link, configs, state.links[t.link.name]?.ckn).has(key.ckn.toLowerCase())
          : t.link.ends.some((e) => configs.get(e.device)?.connectivityAssociations?.find((c) => c.name === t.link.connectivityAssociation)?.fallbackKey?.ckn.toLowerCase() === key.ckn.toLowerCase());
        if (clash) {
          fail(t, { phase: 'fetch', message: `key ${key.keyId} gives CKN ${key.ckn}, which is already the link's ${fb ? 'primary' : 'fallback'} CKN on an end; refusing it` });
          return;
        }
        t.key = key;
        ctx.logger.debug(`link ${t.link.name}: ${fb ? 'fallback ' : ''}key ${key.keyId} fetched (${key.bits} bits) for ${t.link.ends.map((e) => e.sae).join(', ')}`);
      } catch (e) {
        fail(t, { phase: 'fetch', message: describeError(e) });
      }
    };

    const state = await ctx.store.load();
    const lead = leadSeconds(ctx);
    const configs = new Map<string, MacsecConfig>();
    // 1–3. Read every device; as soon as all ends of a link are read, check and plan it, and fetch
    //      its key (not for a dry run). The KMEs answer while the rest of the fleet is read, and a
    //      link goes on to its journal and its devices' stage without waiting for the other reads.
    const unread = new Map(txs.map((t) => [t, new Set(t.link.ends.map((e) => e.device)).size]));
    // When each link was planned: its final plan (with the key) is made as of then, against its
    // start instant (Tx.startsAt) — what that link needed then.
    const plannedAt = new Map<Tx, Date>();
    // The latest start instant of any link planned so far: the journal's (resume waits for it) and
    // the wait before the verification. Every link journalled starts at or before it.
    let startsAt = startedAt;
    // There is no fleet-wide barrier: each link is planned as its ends are read, fetches its key and
    // is journalled, each device is staged once the keys of all its links are in, each link is
    // decided once all its ends are staged, each device is confirmed once all its links are
    // decided (or failed).
    const confirmMinutes = ctx.config.rotation.confirmTimeoutMinutes;
    // Set before any read, so before any stage: no end's commit confirmed can roll back before this.
    const confirmDeadline = new Date(ctx.clock().getTime() + confirmMinutes * 60_000).toISOString();
    const decision: { outcome: 'commit'; at: string; links: string[] } = { outcome: 'commit', at: '', links: [] };
    // Frozen: the store keeps an entry's JSON for as long as the entry lives (state/journal-text.ts),
    // which is only right for an entry that cannot change. A change is a new entry (entryOf).
    const journalOf = (t: Tx): JournalLink =>
      frozenEntry({
        keyId: t.key!.keyId,
        ckn: t.key!.ckn,
        keyChain: t.link.keyChain,
        connectivityAssociation: t.link.connectivityAssociation,
        mode,
        ends: t.link.ends.map((e) => ({ device: e.device, ...(t.plans.get(e.device) ? { slot: t.plans.get(e.device)!.slot } : {}), phase: t.phase.get(e.device) ?? 'planned' })),
      });
    // Each link's journal entry, rebuilt only when its plans or phases changed since (a write of
    // a 2,000-link cycle rebuilt 2,000 entries, each write); key_IDs added once.
    const entries = new Map<Tx, { changes: number; entry: JournalLink }>();
    const entryOf = (t: Tx): JournalLink => {
      const changes = t.phase.changes + t.plans.changes;
      const cached = entries.get(t);
      if (cached?.changes === changes) return cached.entry;
      const entry = journalOf(t);
      entries.set(t, { changes, entry });
      return entry;
    };
    const keyIdsWritten = new Set<Tx>();
    const keyIdAt = startedAt.toISOString(); // one string for the cycle's entries, kept for good
    // Every write puts down the journal as it is when the write starts (see coalesce.ts).
    const writeJournal = coalesce(async () => {
      const added: Tx[] = [];
      try {
        await ctx.store.update((s) => {
          const links: Record<string, JournalLink> = {};
          for (const t of txs) {
            if (!t.key) continue;
            if (!keyIdsWritten.has(t)) {
              s.keyIds.add(t.key.keyId, { link: t.link.name, at: keyIdAt, ...(fb ? { kind: 'fallback' as const } : {}) });
              keyIdsWritten.add(t);
              added.push(t);
            }
            if (t.journaled !== false) links[t.link.name] = entryOf(t);
          }
          (s.journals ??= {})[cycleId] = {
            cycleId,
            kind,
            startedAt: startedAt.toISOString(),
            startsAt: startsAt.toISOString(),
            confirmDeadline,
            ...(decision.links.length ? { decision: { ...decision, links: [...decision.links] } } : {}),
            links,
          };
        });
      } catch (e) {
        // Not on disk: the next write adds them again (the store re-reads the files after a failure).
        for (const t of added) keyIdsWritten.delete(t);
        throw e;
      }
      // A write gates staging (journal) and confirms (decision): the gap stays short (40–100 ms, a
      // few percent of a commit) yet a 2,000-link journal (~600 KB copied from its entries' kept
      // bytes, then two fsyncs on the writer thread: state/disk-writer.ts) is written ~25–50 times
      // a cycle, not thousands.
    }, { minGapMs: 40, gapFactor: 3, maxGapMs: 100 });

    const keyed = new Map(txs.map((t) => [t, deferred<boolean>()]));
    const decided = new Map(txs.map((t) => [t, deferred<boolean>()]));
    const stagedAt = new Map<string, number>();

    // 3–5. Per link: its key from the KMEs (requested as its ends are read, below: exactly the CAK
    //      bits, never a key_ID seen before), final plan on its start instant, journal (before
    //      the key reaches any device).
    // The last link to ask for a journal write (or a decision write) does not wait out the
    // coalescing gap: nothing later can share that write, and the stage (or confirm) of the
    // cycle's last devices waits for it.
    let toJournal = txs.length;
    let toDecide = txs.length;
    // Each link ends its key flow once: journalled, or failed before (keyFlow), or failed at its
    // read or plan, or planned for a dry run (noKeyFlow).
    const keyFlowEnded = (): void => {
      if (--toJournal > 0) return;
      writeJournal.hurry();
      // Every link is keyed and planned: what the devices held is not read again this cycle, and
      // a fleet's configurations (each holding the reply it was read from) would otherwise stay
      // in memory through both commits.
      configs.clear();
    };
    // Links whose key flow is started (fetchReady) or known not to come (noKeyFlow).
    const keyFlowKnown = new Set<Tx>();
    // A link that gets no key: its devices' flows stop waiting for it.
    const noKeyFlow = (t: Tx): void => {
      if (keyFlowKnown.has(t)) return;
      keyFlowKnown.add(t);
      keyed.get(t)!.resolve(false);
      keyFlowEnded();
    };
    const keyFlow = async (t: Tx): Promise<boolean> => {
      const ok = await fetchAndPlan(t);
      const written = ok ? writeJournal() : undefined;
      keyFlowEnded();
      if (!written) return false;
      try {
        await written;
      } catch (e) {
        // Not journalled: its key must reach no device (a crash would leave nothing to resolve it by).
        fail(t, { phase: 'plan', message: `cannot write the journal: ${describeError(e)}; the key is not staged` });
        return false;
      }
      await pause('journaled', { links: [t.link.name] });
      return !t.error;
    };
    const fetchAndPlan = async (t: Tx): Promise<boolean> => {
      await (fetched.get(t) ?? fetchInto(t)); // every link in the cycle had its request started with the reads
      if (t.error) return false;
      if (mode === 'key-chain' && !fb) {
        try {
          for (const e of t.link.ends) {
            t.plans.set(e.device, planKeyChainRotation({ chain: chainOf(configs.get(e.device), t.link.keyChain), now: plannedAt.get(t)!, leadTimeSeconds: lead, keyName: t.key!.ckn, startAt: t.startsAt! }));
          }
        } catch (e) {
          t.journaled = false; // nothing staged: the key_ID goes to keyIds with the next write, no journal entry
          fail(t, { phase: 'plan', message: `cannot plan key chain ${t.link.keyChain}: ${describeError(e)}` });
          return false;
        }
      }
      return true;
    };
    // 6. Stage a device once the keys of all its links are in: ONE load, ONE commit confirmed.
    const changeFor = (t: Tx, device: string): Change => {
      if (fb) return fallbackChange(t, device);
      const cak = t.key!.cakFor(device);
      if (mode === 'key-chain') {
        const plan = t.plans.get(device)!;
        return keyChainRotationChange(plan, { chain: t.link.keyChain, keyName: t.key!.ckn, secret: cak });
      }
      const end = t.link.ends.find((e) => e.device === device)!;
      return {
        config: {
          connectivityAssociations: [{ name: t.link.connectivityAssociation, preSharedKey: { ckn: t.key!.ckn, cak } }],
          interfaces: end.interfaces.map((i) => ({ name: i, connectivityAssociation: t.link.connectivityAssociation })),
        },
        delete: [],
      };
    };
    // A device's flow: staged once the keys of all its links are in, then (doneStaging: the last
    // device of a link to finish staging decides it) confirmed once its links are decided. One
    // async frame waits through the stage commit (this one) and one through the confirm (a tail
    // call): every frame a fleet's thousands of devices keep through their commit latency is
    // promoted out of the young generation with them.
    const deviceFlow = async (device: string): Promise<void> => {
      let mine: Tx[] = [];
      try {
        const waiting = byDevice.get(device) ?? [];
        await Promise.all(waiting.map((t) => keyed.get(t)!.promise));
        mine = waiting.filter((t) => !t.error && t.key);
        // An end staged so late that its commit confirmed would roll back only after the start-time
        // could hold the key alone past it: such a device is not staged, its links fail (rolled back).
        const firstStart = Math.min(...mine.map((t) => t.startsAt!.getTime()));
        if (mine.length && !fb && mode === 'key-chain' && ctx.startAfterConfirmTimeout && ctx.clock().getTime() + confirmMinutes * 60_000 >= firstStart) {
          for (const t of mine) fail(t, { phase: 'stage', device, message: `not staged on ${device}: it is too late for its confirm timeout to end before the start-time ${new Date(firstStart).toISOString()} (raise rotation.leadTimeSeconds)` });
          mine = [];
        }
        if (mine.length === 0) {
          await release([device]); // not staged: a lock taken with the read goes now
          return;
        }
        let change: Change = { config: {}, delete: [] };
        for (const t of mine) {
          change = mergeChanges(change, changeFor(t, device));
          emit({ link: t.link.name, phase: 'stage', device, keyId: t.key!.keyId });
          const pruned = t.plans.get(device)?.deleteSlots ?? [];
          if (pruned.length) emit({ link: t.link.name, phase: 'prune', device, message: `removing slot${pruned.length > 1 ? 's' : ''} ${pruned.join(', ')}` });
        }
        const comment = `qkd-macsec ${cycleId}: stage ${mine.map((t) => `${t.link.name} ${fb ? 'fallback ' : ''}key ${t.key!.keyId}`).join(', ')}`;
        await nextOnDevice(device, (d) => {
          stagedAt.set(device, ctx.clock().getTime());
          unconfirmed.add(device); // a stage that fails releases the lock itself: nothing left to release then
          return heldThrough(d.stage(cycleId, change, { confirmMinutes, comment }), 'device-staged', mine, device);
        });
        for (const t of mine) t.phase.set(device, 'staged');
      } catch (e) {
        for (const t of mine) {
          t.phase.set(device, 'failed');
          fail(t, { phase: 'stage', device, message: redact(`staging on ${device} failed: ${describeError(e)}`, mine, device) });
        }
      } finally {
        doneStaging(device);
      }
      return confirmDevice(device);
    };
    // The pause point right after a device's commit, while its session is still held (EngineHooks.pause).
    const heldThrough = (committed: Promise<void>, point: 'device-staged' | 'device-confirmed', mine: Tx[], device: string): Promise<void> =>
      committed.then(() => pause(point, { links: mine.map((t) => t.link.name), device }));

    // 7. The decision, per link, once every end holds its key (a link that failed staging anywhere
    //    is never in it and is rolled back below). It is on disk (atomic, fsynced; concurrent
    //    decisions share one write) before any end of the link is confirmed. A restarted rotator
    //    confirms the rest of a decided link and rolls back every other one. A rotator being
    //    closed (SIGTERM) decides nothing more: those links roll back.
    const decideLink = async (t: Tx): Promise<boolean> => {
      const go = await readyToDecide(t);
      if (go) {
        decision.links.push(t.link.name);
        decision.at ||= ctx.clock().toISOString();
      }
      const written = go ? writeJournal() : undefined;
      if (--toDecide === 0) writeJournal.hurry();
      if (!written) return false;
      try {
        await written;
      } catch (e) {
        // Not on disk: no end may be confirmed. Out of the decision (a later write must not put it
        // there), failed: its devices' confirms take the key back.
        const i = decision.links.indexOf(t.link.name);
        if (i >= 0) decision.links.splice(i, 1);
        fail(t, { phase: 'confirm', message: `cannot write the decision: ${describeError(e)}; the key is rolled back` });
        return false;
      }
      await pause('decided', { links: [t.link.name] });
      return true;
    };
    // A failed fallback-key link rolled forward after its confirms (fallback-undo.ts): decided first.
    const decideLate = async (list: Tx[]): Promise<boolean> => {
      const added = list.filter((t) => !decision.links.includes(t.link.name));
      for (const t of added) decision.links.push(t.link.name);
      decision.at ||= ctx.clock().toISOString();
      const written = writeJournal();
      writeJournal.hurry();
      try {
        await written;
        return true;
      } catch (e) {
        for (const t of added) decision.links.splice(decision.links.indexOf(t.link.name), 1);
        for (const t of list) fail(t, { phase: 'rollback', message: `cannot write the decision to roll the fallback key forward: ${describeError(e)}` });
        return false;
      }
    };
    const readyToDecide = async (t: Tx): Promise<boolean> => {
      if (!(await keyed.get(t)!.promise)) return false;
      if (t.error || !t.link.ends.every((e) => t.phase.get(e.device) === 'staged')) return false;
      await pause('staged', { links: [t.link.name] });
      if (ctx.closing.aborted) {
        fail(t, { phase: 'confirm', message: 'the rotator was closed before the decision; the key is rolled back' });
        return false;
      }
      return true;
    };

    // 8. Confirm a device once all its links are decided (or failed); in the same commit, remove
    //    the keys of links that failed on another end (the old key stays active everywhere). On
    //    the confirm lane, NOT behind rotation.concurrency: between the first and the last confirm
    //    of a link a crash leaves ends that disagree about their future.
    const undoFor = (t: Tx, device: string): Change => {
      if (fb) return { config: {}, delete: [] }; // removed by cleanUp (a fallback-key has no delete target)
      if (mode === 'key-chain') {
        return { config: {}, delete: [{ kind: 'key-chain-key', chain: t.link.keyChain, index: t.plans.get(device)!.slot }] };
      }
      const old = t.previousPsk.get(device);
      return old
        ? { config: { connectivityAssociations: [{ name: t.link.connectivityAssociation, preSharedKey: old }] }, delete: [] }
        : { config: {}, delete: [{ kind: 'connectivity-association', name: t.link.connectivityAssociation }] };
    };
    // A confirm whose reply arrives before the staging commit's send time + the confirm timeout
    // (less a margin for clock rates) reached the device before its rollback could fire: it
    // confirmed our commit. Later than that it may be a plain commit of the rolled-back
    // configuration, which succeeds too: only a read-back tells.
    const marginMs = Math.max(5_000, confirmMinutes * 6_000);
    const confirmDevice = async (device: string): Promise<void> => {
      const mine = (byDevice.get(device) ?? []).filter((t) => t.phase.get(device) === 'staged');
      if (mine.length === 0) return;
      await Promise.all(mine.map((t) => decided.get(t)!.promise));
      let undo: Change = { config: {}, delete: [] };
      for (const t of mine) {
        if (t.error) undo = mergeChanges(undo, undoFor(t, device));
        else emit({ link: t.link.name, phase: 'confirm', device });
      }
      const failedHere = fb ? [] : mine.filter((t) => t.error);
      const comment = `qkd-macsec ${cycleId}: confirm${failedHere.length ? `, remove ${failedHere.map((t) => `${t.link.name} key ${t.key!.keyId}`).join(', ')}` : ''}`;
      try {
        await ctx.confirmLane(device, (d) => {
          // A reconnect since the stage (same device, new session) lost the lock: confirmStaged takes it again.
          unconfirmed.delete(device);
          return heldThrough(d.confirmStaged(cycleId, failedHere.length ? undo : undefined, comment), 'device-confirmed', mine, device);
        });
        const inTime = ctx.clock().getTime() < stagedAt.get(device)! + confirmMinutes * 60_000 - marginMs;
        const after = inTime ? undefined : await ctx.confirmLane(device, (d) => d.readMacsec());
        for (const t of mine) t.phase.set(device, failedHere.includes(t) ? 'removed' : 'confirmed');
        for (const t of failedHere) ctx.logger.warn(`link ${t.link.name}: key ${t.key!.keyId} removed from ${device}; the previous key stays active`);
        for (const t of mine) {
          if (t.error || !after || holdsKey(after, t, fb ? 'fallback' : mode)) continue;
          t.phase.set(device, 'failed');
          fail(t, {
            phase: 'confirm',
            device,
            message: `${device} does not hold key ${t.key!.keyId} after the confirm: its commit confirmed rolled back before the confirm arrived (confirm timeout ${confirmMinutes} min)`,
          });
        }
      } catch (e) {
        for (const t of mine) {
          fail(t, { phase: 'confirm', device, message: redact(`confirming on ${device} failed: ${describeError(e)}`, mine, device) });
        }
      }
    };

    // One async function per link flow, settling its deferred itself: a fleet's flows wait through
    // both commits, and every closure and promise of a `.then` chain kept per link is promoted out
    // of the young generation with them. It never rejects (a decision's flow is awaited only once
    // every device flow has ended). A flow that throws (a hook, say) fails its link unless its
    // decision is already on disk: stage and confirm go by the link's error, and a link that is
    // neither failed nor decided would otherwise be confirmed.
    const settle = async (t: Tx, flow: Promise<boolean>, done: Deferred<boolean>, phase: 'plan' | 'confirm'): Promise<void> => {
      let ok = false;
      try {
        ok = await flow;
      } catch (e) {
        if (phase === 'plan') fail(t, { phase, message: `${describeError(e)}; the key is not staged` });
        else if (!decision.links.includes(t.link.name)) fail(t, { phase, message: `${describeError(e)} before the decision; the key is rolled back` });
      } finally {
        done.resolve(ok);
      }
    };
    // A link is decided once every device of it is done staging (staged or not), by the flow of
    // the last of them: no frame of its own waits through the stage commits.
    const stagingLeft = new Map(txs.map((t) => [t, new Set(t.link.ends.map((e) => e.device)).size]));
    const decisions: Array<Promise<void>> = [];
    const doneStaging = (device: string): void => {
      for (const t of byDevice.get(device) ?? []) {
        const left = stagingLeft.get(t);
        if (left === undefined) continue; // not in the cycle any more
        if (left > 1) stagingLeft.set(t, left - 1);
        else {
          stagingLeft.delete(t);
          decisions.push(settle(t, decideLink(t), decided.get(t)!, 'confirm'));
        }
      }
    };
    // Every device's flow starts now and waits for its links' keys; each link's key flow starts
    // when its key is asked for (fetchReady), while the rest of the fleet is still being read.
    const flows: Array<Promise<unknown>> = [];
    if (!options.dryRun) for (const device of devicesOf(txs)) flows.push(deviceFlow(device));
    // Links ready for their key go to the KMEs a batch at a time (kme-batch.ts), as a batch fills
    // or FETCH_WAIT_MS after the first link waits. A request per link as each read came in made
    // ~150 enc_keys and ~150 dec_keys at 2,000 links instead of 16 each, and ~0.8 s more CPU.
    let ready: Tx[] = [];
    let readyTimer: NodeJS.Timeout | undefined;
    const fetchReady = () => {
      clearTimeout(readyTimer);
      readyTimer = undefined;
      for (const t of ready) {
        fetched.set(t, fetchInto(t));
        keyFlowKnown.add(t);
        flows.push(settle(t, keyFlow(t), keyed.get(t)!, 'plan'));
      }
      ready = [];
    };
    // As soon as all ends of a link are read: check and plan it; its start instant is the one it
    // needs then (key-chain mode), else when it was read.
    const onLinkRead = (t: Tx): void => {
      const p = planWithoutKey(t);
      if (t.error) return noKeyFlow(t);
      t.startsAt = p ?? ctx.clock();
      if (t.startsAt > startsAt) startsAt = t.startsAt;
      if (options.dryRun) noKeyFlow(t);
      else ready.push(t);
    };
    try {
      await readAll(devicesOf(txs), configs, (device) => {
        for (const t of byDevice.get(device) ?? []) {
          const left = unread.get(t)! - 1;
          unread.set(t, left);
          if (t.error) noKeyFlow(t); // an end that could not be read
          else if (left === 0) {
            try {
              onLinkRead(t);
            } catch (e) {
              fail(t, { phase: 'plan', message: describeError(e) });
              noKeyFlow(t);
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
    if (options.dryRun) return dryRunReport(ctx, txs, startedAt, mode);
    // Each flow settles a link (key flows) or ends a device (which settles its decisions' flows).
    await Promise.allSettled(flows);
    await Promise.allSettled(decisions); // each started by a device flow, all of which have ended
    // A device staged but never confirmed here (a hook threw after its stage): its lock goes now.
    await release([...unconfirmed]);

    // 9. Links that failed after some end took their key: remove it wherever it may still be — a
    //    fallback-key so that every end is left on one fallback key (fallback-undo.ts).
    const withKey = txs.filter((t) => t.key);
    if (fb) await undoFallback(ctx, withKey.filter((t) => t.error), cycleId, { decide: decideLate, fail });
    else await cleanUp(ctx, withKey.filter((t) => t.error), mode, cycleId, fail);
    await writeJournal();
    if (live().length) await pause('confirmed', { links: live().map((t) => t.link.name) });

    // 10. Wait for the start-time, then read MKA on every end of every link that went through. A
    //     fallback-key change must leave the link secured on its primary key.
    const expected = (t: Tx) => (fb ? (what.primaryCkn?.get(t.link.name) ?? '') : t.key!.ckn);
    if (options.noWait && !fb && live().length) return await leaveForResume();
    if (live().length) {
      if (fb) {
        // nothing to wait for
      } else if (mode === 'key-chain') {
        const wait = startsAt.getTime() - ctx.clock().getTime();
        const firstStart = new Date(Math.min(...live().map((t) => t.startsAt!.getTime())));
        if (firstStart < ctx.clock()) ctx.logger.warn(`staging took longer than the lead time: start-time ${firstStart.toISOString()} passed before every end was confirmed`);
        const until = new Date(ctx.clock().getTime() + Math.max(0, wait) + ctx.verifyDelayMs);
        try {
          options.onWait?.({
            until: until.toISOString(),
            startsAt: startsAt.toISOString(),
            links: live().length,
            reason: `every end confirmed; the new keys activate at their start-times, the last at ${startsAt.toISOString()}${ctx.startAfterConfirmTimeout ? ` (after the ${confirmMinutes}-minute confirm timeout, so an end that missed its confirm has rolled back before any end switches)` : ''}; MKA is checked then`,
          });
        } catch {
          // a display must not break a transaction
        }
        await waitOrClose(ctx, Math.max(0, wait) + ctx.verifyDelayMs);
      } else if (ctx.verifyDelayMs > 0) await waitOrClose(ctx, ctx.verifyDelayMs);
      for (const t of live()) emit({ link: t.link.name, phase: 'verify' });
      // MKA needs a moment after the switch (key server election, SAK distribution): a few reads.
      let problems = await verifyLinks(ctx, live().map((t) => ({ link: t.link, ckn: expected(t) })));
      for (let attempt = 1; problems.size > 0 && attempt < ctx.verifyAttempts; attempt++) {
        await ctx.sleep(Math.max(ctx.verifyDelayMs, 1000));
        problems = await verifyLinks(ctx, live().filter((t) => problems.has(t.link.name)).map((t) => ({ link: t.link, ckn: expected(t) })));
      }
      for (const t of live()) {
        const p = problems.get(t.link.name);
        if (p?.onFallback) t.onFallback = true;
        if (p) fail(t, { phase: 'verify', ...(p.device ? { device: p.device } : {}), message: p.message });
      }
    }

    // --no-wait: every end of the live links is confirmed; their journal entries stay (each end
    // `confirmed`, the decision holding them) for resume() to verify after the start-time.
    async function leaveForResume(): Promise<CycleReport> {
      const finishedAt = ctx.clock();
      const unsettled = withKey.filter((t) => t.error && [...t.phase.values()].some((p) => p === 'staged' || p === 'confirmed' || p === 'failed'));
      const keep = [...live(), ...unsettled];
      await ctx.store.update((s) => {
        for (const t of txs) {
          const prev = s.links[t.link.name] ?? {};
          prev.lastAttempt = finishedAt.toISOString();
          if (t.error) prev.lastError = `${t.error.phase}${t.error.device ? ` on ${t.error.device}` : ''}: ${t.error.message}`;
          s.links[t.link.name] = prev;
        }
        s.journals![cycleId] = { ...s.journals![cycleId]!, ...(unsettled.length ? {} : { unverified: true as const }), links: Object.fromEntries(keep.map((t) => [t.link.name, journalOf(t)])) };
      });
      ctx.logger.info(`${live().length} link(s) confirmed on every end; the keys activate by ${startsAt.toISOString()} and are verified by the next resume after it (--no-wait)`);
      return {
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        links: txs.map((t) => ({ ...linkReport(t, mode), ...(t.error ? {} : { unverified: true as const }) })),
      };
    }

    // 11. Record the outcome; the journal is done with.
    const finishedAt = ctx.clock();
    await ctx.store.update((s) => {
      for (const t of txs) {
        const prev = s.links[t.link.name] ?? {};
        if (fb) {
          if (!t.error && t.key) prev.fallback = { keyId: t.key.keyId, ckn: t.key.ckn, installedAt: finishedAt.toISOString() };
          s.links[t.link.name] = prev;
          continue;
        }
        prev.lastAttempt = finishedAt.toISOString();
        if (!t.error && t.key) {
          prev.keyId = t.key.keyId;
          prev.ckn = t.key.ckn;
          if (mode === 'key-chain') prev.slots = Object.fromEntries([...t.plans.entries()].map(([d, p]) => [d, p.slot]));
          else delete prev.slots;
          prev.activeSince = t.startsAt!.toISOString();
          prev.lastSuccess = finishedAt.toISOString();
          delete prev.lastError;
        } else if (t.error) prev.lastError = `${t.error.phase}${t.error.device ? ` on ${t.error.device}` : ''}: ${t.error.message}`;
        s.links[t.link.name] = prev;
      }
      // A failed link whose key may still sit on an end (its removal failed too) stays in the
      // journal: the next run settles it before rotating that link again.
      const unsettled = withKey.filter((t) => t.error && [...t.phase.values()].some((p) => p === 'staged' || p === 'confirmed' || p === 'failed'));
      if (s.journals) {
        if (unsettled.length) s.journals[cycleId] = { ...s.journals[cycleId]!, links: Object.fromEntries(unsettled.map((t) => [t.link.name, journalOf(t)])) };
        else delete s.journals[cycleId];
        if (Object.keys(s.journals).length === 0) delete s.journals;
      }
      for (const t of unsettled) ctx.logger.error(`link ${t.link.name}: key ${t.key!.keyId} may still be on ${[...t.phase.entries()].filter(([, p]) => p !== 'planned' && p !== 'removed').map(([d]) => d).join(', ')}; kept in the journal for the next run to settle`);
    });
    const reports: LinkReport[] = txs.map((t) => {
      if (!t.error) {
        ctx.logger.info(
          fb
            ? `link ${t.link.name}: fallback key ${t.key!.keyId} installed on ${t.link.ends.map((e) => e.device).join(', ')}`
            : `link ${t.link.name}: key ${t.key!.keyId} active on ${t.link.ends.map((e) => e.device).join(', ')} since ${t.startsAt!.toISOString()}`,
        );
        emit({ link: t.link.name, phase: 'done', keyId: t.key!.keyId });
      }
      return linkReport(t, fb ? 'fallback' : mode);
    });
    return { startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), links: reports };
  }
}
