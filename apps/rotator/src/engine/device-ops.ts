// The few things the engine does on a device, each one NETCONF transaction: read the MACsec parts of
// the committed configuration, load a change and commit it (confirmed or not), confirm.
import type { JunosDevice } from '@qkd-macsec/junos-netconf';
import { parseConfigurationXml, renderXml, type DeleteTarget, type MacsecConfig } from '@qkd-macsec/macsec-config';

const MACSEC_FILTER = '<configuration><security><macsec/><authentication-key-chains/></security></configuration>';
const SYSTEM_FILTER = '<configuration><system><static-host-mapping/></system></configuration>';
const EVENT_FILTER = '<configuration><event-options/></configuration>';

/** The committed MACsec configuration (connectivity associations, interfaces, key chains). */
export async function readMacsec(d: JunosDevice, options: { staticHostMappings?: boolean; eventOptions?: boolean } = {}): Promise<MacsecConfig> {
  const r = await d.getConfiguration({ filter: MACSEC_FILTER });
  const config = parseConfigurationXml(r.raw);
  if (options.staticHostMappings) {
    const s = await d.getConfiguration({ filter: SYSTEM_FILTER });
    const sys = parseConfigurationXml(s.raw);
    if (sys.staticHostMappings) config.staticHostMappings = sys.staticHostMappings;
  }
  if (options.eventOptions) {
    const ev = parseConfigurationXml((await d.getConfiguration({ filter: EVENT_FILTER })).raw);
    if (ev.eventOptions) config.eventOptions = ev.eventOptions;
  }
  return config;
}

export interface ChangeOptions {
  /** `commit confirmed` with this timeout (minutes); absent: a plain commit. */
  confirmMinutes?: number;
  comment: string;
}

/** Merges two changes (one device's changes for several links go in one load). */
export function mergeChanges(a: { config: MacsecConfig; delete: DeleteTarget[] }, b: { config: MacsecConfig; delete: DeleteTarget[] }) {
  const config: MacsecConfig = { ...a.config };
  if (b.config.keyChains) config.keyChains = [...(config.keyChains ?? []), ...b.config.keyChains];
  if (b.config.connectivityAssociations) {
    // Same-named entries become one (init adds a first pre-shared-key to a CA it also creates).
    const cas = [...(config.connectivityAssociations ?? [])];
    for (const ca of b.config.connectivityAssociations) {
      const i = cas.findIndex((c) => c.name === ca.name);
      if (i >= 0) cas[i] = { ...cas[i]!, ...ca };
      else cas.push(ca);
    }
    config.connectivityAssociations = cas;
  }
  if (b.config.interfaces) config.interfaces = [...(config.interfaces ?? []), ...b.config.interfaces];
  if (b.config.staticHostMappings) config.staticHostMappings = [...(config.staticHostMappings ?? []), ...b.config.staticHostMappings];
  if (b.config.eventOptions) config.eventOptions = { ...config.eventOptions, ...b.config.eventOptions };
  return { config, delete: [...a.delete, ...b.delete] };
}

/**
 * One load + one commit under the exclusive lock. A failure before the commit leaves nothing
 * behind (junos-netconf discards the candidate; Junos drops it when the session ends).
 */
export async function loadAndCommit(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] }, options: ChangeOptions): Promise<void> {
  const xml = renderXml(change.config, { delete: change.delete, revealSecrets: true });
  await d.withConfiguration('exclusive', async (dev) => {
    await dev.load({ format: 'xml', action: 'merge', config: xml });
    await dev.commit(
      options.confirmMinutes !== undefined ? { confirmed: true, confirmTimeout: options.confirmMinutes, comment: options.comment } : { comment: options.comment },
    );
  });
}

/** Several loads (e.g. a replace and a merge) and then one commit, under the exclusive lock. */
export async function loadManyAndCommit(d: JunosDevice, loads: Array<{ xml: string; action: 'merge' | 'replace' }>, options: ChangeOptions): Promise<void> {
  await d.withConfiguration('exclusive', async (dev) => {
    for (const l of loads) await dev.load({ format: 'xml', action: l.action, config: l.xml });
    await dev.commit(
      options.confirmMinutes !== undefined ? { confirmed: true, confirmTimeout: options.confirmMinutes, comment: options.comment } : { comment: options.comment },
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
    await dev.confirm({ comment });
  });
}

/**
 * A cycle's stage: lock, load, commit confirmed — and the lock is KEPT until the confirm
 * (confirmHeld), so the device's configuration is ours from the stage to the confirm (nobody
 * else's commit can confirm or change ours in between) and neither step spends a round trip on
 * unlock + lock. On a failure the candidate is discarded and the lock released. The lock dies with
 * the session: a rotator that dies leaves nothing locked.
 */
export async function stageHeld(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] }, options: ChangeOptions & { confirmMinutes: number }): Promise<void> {
  const xml = renderXml(change.config, { delete: change.delete, revealSecrets: true });
  await d.lock();
  try {
    await d.load({ format: 'xml', action: 'merge', config: xml });
    await d.commit({ confirmed: true, confirmTimeout: options.confirmMinutes, comment: options.comment });
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
      await d.load({ format: 'xml', action: 'merge', config: renderXml(change.config, { delete: change.delete, revealSecrets: true }) });
      await d.commit({ comment });
      await d.unlock();
      return;
    }
  } catch (err) {
    await releaseAfterFailure(d);
    throw err;
  }
  // Nothing loaded: nothing of ours to discard if the commit fails, and the unlock is due either way.
  const unlocked = d.unlock();
  unlocked.catch(() => undefined);
  await d.confirm({ comment });
  await unlocked;
}

/** Discard the candidate and release the lock (best effort: a dead session released both). */
async function releaseAfterFailure(d: JunosDevice): Promise<void> {
  if (d.closed) return;
  await d.rollback(0).catch(() => undefined);
  await d.unlock().catch(() => undefined);
}

/** A message for a report or a log line: the error's own message (never key material: the
 *  libraries guarantee it), with the class name when it says more. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const detail = (e as { errors?: Array<{ message?: string }> }).errors?.map((x) => x.message).filter(Boolean);
    const base = e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
    return detail && detail.length && !detail.every((m) => base.includes(m!)) ? `${base} (${detail.join('; ')})` : base;
  }
  return String(e);
}
