// What a DeviceOps does on a NETCONF session (fleet/direct-ops.ts, for the coordinator's direct
// devices and for a site agent's own): read the MACsec parts of the committed configuration, load
// a change and commit it (confirmed or not), confirm. The only place the rotator renders XML.
import type { JunosDevice } from '@qkd-macsec/junos-netconf';
import { parseXmlOrdered } from '@qkd-macsec/junos-netconf/xml';
import { readConfigurationTree, renderXml, type DeleteTarget, type MacsecConfig } from '@qkd-macsec/macsec-config';

// Loads, commits and confirms are answered with an acknowledgement nobody here reads: read for
// well-formedness, errors and warnings as always, without building a tree of it (junos-netconf
// RpcOptions parseResult 'check'). A device-cycle has three of them.
const ACK = { parseResult: 'check' } as const;

const MACSEC_FILTER = '<configuration><security><macsec/><authentication-key-chains/></security></configuration>';
const SYSTEM_FILTER = '<configuration><system><static-host-mapping/></system></configuration>';
const EVENT_FILTER = '<configuration><event-options/></configuration>';

/**
 * The committed MACsec configuration (connectivity associations, interfaces, key chains). Each
 * reply is parsed once, by junos-netconf's one-pass reader (getConfigurationRaw leaves it
 * unparsed), and macsec-config reads the model from that tree.
 */
export async function readMacsec(d: JunosDevice, options: { staticHostMappings?: boolean; eventOptions?: boolean } = {}): Promise<MacsecConfig> {
  const config = await readConfiguration(d, MACSEC_FILTER);
  if (options.staticHostMappings) {
    const sys = await readConfiguration(d, SYSTEM_FILTER);
    if (sys.staticHostMappings) config.staticHostMappings = sys.staticHostMappings;
  }
  if (options.eventOptions) {
    const ev = await readConfiguration(d, EVENT_FILTER);
    if (ev.eventOptions) config.eventOptions = ev.eventOptions;
  }
  return config;
}

// database="committed": Junos answers a bare <get-configuration> from the shared candidate, which
// holds whatever another session loaded and has not committed; what the devices run is committed.
async function readConfiguration(d: JunosDevice, filter: string): Promise<MacsecConfig> {
  const { raw } = await d.getConfigurationRaw({ filter, database: 'committed' });
  return readConfigurationTree(parseXmlOrdered(raw)[0]!);
}

interface ChangeOptions {
  /** `commit confirmed` with this timeout (minutes); absent: a plain commit. */
  confirmMinutes?: number;
  comment: string;
}

/**
 * One load + one commit under the exclusive lock. A failure before the commit leaves nothing
 * behind (junos-netconf discards the candidate; Junos drops it when the session ends).
 */
export async function loadAndCommit(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] }, options: ChangeOptions): Promise<void> {
  const xml = renderXml(change.config, { delete: change.delete, revealSecrets: true });
  await d.withConfiguration('exclusive', async (dev) => {
    await dev.load({ format: 'xml', action: 'merge', config: xml }, ACK);
    await dev.commit(
      options.confirmMinutes !== undefined ? { confirmed: true, confirmTimeout: options.confirmMinutes, comment: options.comment } : { comment: options.comment },
      ACK,
    );
  });
}

/**
 * `<lock>` and `<get-configuration>` in one write, answered in that order: the configuration is
 * read under the lock when it was granted (`locked`). A refused lock is no error here (the stage
 * locks again and reports it); a failed read releases a granted lock.
 */
export async function readUnderLock(d: JunosDevice): Promise<{ config: MacsecConfig; locked: boolean }> {
  const lock = d.lock().then(
    () => true,
    () => false,
  );
  const read = readMacsec(d);
  read.catch(() => undefined); // a dropped session rejects both at once: the read is awaited below
  const locked = await lock;
  try {
    return { config: await read, locked };
  } catch (err) {
    if (locked && !d.closed) await d.unlock().catch(() => undefined);
    throw err;
  }
}

/** Several loads (e.g. a replace and a merge) and then one commit, under the exclusive lock. */
export async function loadManyAndCommit(d: JunosDevice, loads: Array<{ xml: string; action: 'merge' | 'replace' }>, options: ChangeOptions): Promise<void> {
  await d.withConfiguration('exclusive', async (dev) => {
    for (const l of loads) await dev.load({ format: 'xml', action: l.action, config: l.xml }, ACK);
    await dev.commit(
      options.confirmMinutes !== undefined ? { confirmed: true, confirmTimeout: options.confirmMinutes, comment: options.comment } : { comment: options.comment },
      ACK,
    );
  });
}

/** Confirms a pending commit confirmed (a plain commit), optionally applying a change with it. */
export async function confirmWith(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] } | undefined, comment: string): Promise<void> {
  if (change && (change.delete.length > 0 || Object.keys(change.config).length > 0)) {
    await loadAndCommit(d, change, { comment });
    return;
  }
  await d.withConfiguration('exclusive', async (dev) => {
    await dev.confirm({ comment }, ACK);
  });
}

/**
 * A cycle's stage: lock (unless `locked`: readLocked took it), load, commit confirmed — and the lock is KEPT until the confirm
 * (confirmHeld), so the device's configuration is ours from the stage to the confirm (nobody
 * else's commit can confirm or change ours in between) and neither step spends a round trip on
 * unlock + lock. On a failure the candidate is discarded and the lock released. The lock dies with
 * the session: a rotator that dies leaves nothing locked.
 */
export async function stageHeld(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] }, options: ChangeOptions & { confirmMinutes: number }, locked = false): Promise<void> {
  if (!locked) await d.lock();
  try {
    const xml = renderXml(change.config, { delete: change.delete, revealSecrets: true });
    await d.load({ format: 'xml', action: 'merge', config: xml }, ACK);
    await d.commit({ confirmed: true, confirmTimeout: options.confirmMinutes, comment: options.comment }, ACK);
  } catch (err) {
    await releaseAfterFailure(d);
    throw err;
  }
}

/**
 * The confirm of a device staged by stageHeld: optionally a change (the keys of links that failed
 * elsewhere), a plain commit, and the unlock. `held`: this session still holds the lock from the
 * stage (false after a reconnect: lock again first). Without a change the unlock goes out right
 * behind the commit (NETCONF answers in order: it runs after the commit).
 */
export async function confirmHeld(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] } | undefined, comment: string, held: boolean): Promise<void> {
  if (!held) await d.lock();
  const withChange = !!change && (change.delete.length > 0 || Object.keys(change.config).length > 0);
  try {
    if (withChange) {
      await d.load({ format: 'xml', action: 'merge', config: renderXml(change.config, { delete: change.delete, revealSecrets: true }) }, ACK);
      await d.commit({ comment }, ACK);
      await d.unlock();
      return;
    }
  } catch (err) {
    await releaseAfterFailure(d);
    throw err;
  }
  // Nothing loaded: nothing of ours to discard if the commit fails, and the unlock is due either
  // way. It goes out right BEHIND the commit (sent in that order, answered in that order): sent
  // first, it let another session lock — or leave its own edits in the shared candidate for our
  // commit — while the commit was still to run.
  const confirmed = d.confirm({ comment }, ACK);
  const unlocked = d.unlock();
  unlocked.catch(() => undefined);
  await confirmed;
  await unlocked;
}

/** Discard the candidate and release the lock (best effort: a dead session released both). */
async function releaseAfterFailure(d: JunosDevice): Promise<void> {
  if (d.closed) return;
  await d.rollback(0).catch(() => undefined);
  await d.unlock().catch(() => undefined);
}
