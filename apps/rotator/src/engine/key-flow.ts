// Steps 3–4 per link: its key from the KMEs (asked for as soon as its ends are read: exactly the
// CAK bits, never a key_ID seen before, never a CKN the link already uses for the other kind),
// its final plan on its start instant, and its journal entry — on disk before the key reaches any
// device. A link's key flow ends once: journalled, failed before, or known not to come.
import { planKeyChainRotation } from '@qkd-macsec/macsec-config';
import { handedOutAgain } from '../state/keyid-history.js';
import { chainOf, primaryCkns } from './checks.js';
import { emit, fail, pause, type CycleRun } from './cycle-run.js';
import { describeError } from './device-ops.js';
import type { Tx } from './tx.js';

/** Asks the KMEs for the link's key (fleet/keys.ts) and checks it; `t.key`, or the link failed. */
export async function fetchInto(run: CycleRun, t: Tx): Promise<void> {
  const { ctx, fb, state, configs } = run;
  emit(run, { link: t.link.name, phase: 'fetch' });
  try {
    const key = await ctx.fleet.keys.fetch(t.link, { tx: run.cycleId, cipherSuite: ctx.config.rotation.cipherSuite, kind: run.kind });
    if (state.keyIds.has(key.keyId)) {
      fail(run, t, { phase: 'fetch', message: await handedOutAgain(state.keyIds, key.keyId) });
      return;
    }
    // A fallback-key equal to a primary key would be no fallback at all (and the reverse).
    const clash = fb
      ? primaryCkns(t.link, configs, state.links[t.link.name]?.ckn).has(key.ckn.toLowerCase())
      : t.link.ends.some((e) => configs.get(e.device)?.connectivityAssociations?.find((c) => c.name === t.link.connectivityAssociation)?.fallbackKey?.ckn.toLowerCase() === key.ckn.toLowerCase());
    if (clash) {
      fail(run, t, { phase: 'fetch', message: `key ${key.keyId} gives CKN ${key.ckn}, which is already the link's ${fb ? 'primary' : 'fallback'} CKN on an end; refusing it` });
      return;
    }
    t.key = key;
    ctx.logger.debug(`link ${t.link.name}: ${fb ? 'fallback ' : ''}key ${key.keyId} fetched (${key.bits} bits) for ${t.link.ends.map((e) => e.sae).join(', ')}`);
  } catch (e) {
    fail(run, t, { phase: 'fetch', message: describeError(e) });
  }
}

/** The link's key flow: fetched and planned, then journalled. True when its devices may stage it. */
export async function keyFlow(run: CycleRun, t: Tx): Promise<boolean> {
  const ok = await fetchAndPlan(run, t);
  const written = ok ? run.writeJournal() : undefined;
  keyFlowEnded(run);
  if (!written) return false;
  try {
    await written;
  } catch (e) {
    // Not journalled: its key must reach no device (a crash would leave nothing to resolve it by).
    fail(run, t, { phase: 'plan', message: `cannot write the journal: ${describeError(e)}; the key is not staged` });
    return false;
  }
  await pause(run, 'journaled', { links: [t.link.name] });
  return !t.error;
}

async function fetchAndPlan(run: CycleRun, t: Tx): Promise<boolean> {
  await (run.fetched.get(t) ?? fetchInto(run, t)); // every link in the cycle had its request started with the reads
  if (t.error) return false;
  if (run.mode === 'key-chain' && !run.fb) {
    try {
      for (const e of t.link.ends) {
        t.plans.set(e.device, planKeyChainRotation({ chain: chainOf(run.configs.get(e.device), t.link.keyChain), now: run.plannedAt.get(t)!, leadTimeSeconds: run.lead, keyName: t.key!.ckn, startAt: t.startsAt! }));
      }
    } catch (e) {
      t.journaled = false; // nothing staged: the key_ID goes to keyIds with the next write, no journal entry
      fail(run, t, { phase: 'plan', message: `cannot plan key chain ${t.link.keyChain}: ${describeError(e)}` });
      return false;
    }
  }
  return true;
}

/**
 * A link's key flow ended. The last link to ask for a journal write does not wait out the
 * coalescing gap: nothing later can share that write, and the stage of the cycle's last devices
 * waits for it.
 */
function keyFlowEnded(run: CycleRun): void {
  if (--run.toJournal > 0) return;
  run.writeJournal.hurry();
  // Every link is keyed and planned: what the devices held is not read again this cycle, and
  // a fleet's configurations (each holding the reply it was read from) would otherwise stay
  // in memory through both commits.
  run.configs.clear();
}

/** A link that gets no key (failed at its read or plan, or a dry run): its devices' flows stop waiting for it. */
export function noKeyFlow(run: CycleRun, t: Tx): void {
  if (run.keyFlowKnown.has(t)) return;
  run.keyFlowKnown.add(t);
  run.keyed.get(t)!.resolve(false);
  keyFlowEnded(run);
}
