// What a DeviceOps does on a NETCONF session (fleet/direct-ops.ts, for the coordinator's direct
// devices and for a site agent's own): read the MACsec parts of the committed configuration, load
// a change and commit it (confirmed or not), confirm. A cycle's locked read, stage and confirm,
// which keep the lock from one to the next, are DirectOps' own (they keep its record of who holds
// the lock).
import type { JunosDevice, RpcResponse } from '@qkd-macsec/junos-netconf';
import { parseXmlOrdered } from '@qkd-macsec/junos-netconf/xml';
import { readConfigurationTree, renderXml, type DeleteTarget, type MacsecConfig } from '@qkd-macsec/macsec-config';

// Loads, commits and confirms are answered with an acknowledgement nobody here reads: read for
// well-formedness, errors and warnings as always, without building a tree of it (junos-netconf
// RpcOptions parseResult 'check'). A device-cycle has three of them.
export const ACK = { parseResult: 'check' } as const;

const MACSEC_FILTER = '<configuration><security><macsec/><authentication-key-chains/></security></configuration>';
const SYSTEM_FILTER = '<configuration><system><static-host-mapping/></system></configuration>';
const EVENT_FILTER = '<configuration><event-options/></configuration>';

/**
 * The committed MACsec configuration (connectivity associations, interfaces, key chains). Each
 * reply is parsed once, by junos-netconf's one-pass reader (getConfigurationRaw leaves it
 * unparsed), and macsec-config reads the model from that tree. The plain read (every device,
 * every cycle) is a `.then` of a module function: no async frame per device while it is in flight.
 */
export function readMacsec(d: JunosDevice, options: { staticHostMappings?: boolean; eventOptions?: boolean } = {}): Promise<MacsecConfig> {
  const macsec = readConfiguration(d, MACSEC_FILTER);
  return options.staticHostMappings || options.eventOptions ? withParts(d, macsec, options) : macsec;
}

async function withParts(d: JunosDevice, macsec: Promise<MacsecConfig>, options: { staticHostMappings?: boolean; eventOptions?: boolean }): Promise<MacsecConfig> {
  const config = await macsec;
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
function readConfiguration(d: JunosDevice, filter: string): Promise<MacsecConfig> {
  return d.getConfigurationRaw({ filter, database: 'committed' }).then(modelOf);
}

function modelOf(r: RpcResponse): MacsecConfig {
  return readConfigurationTree(parseXmlOrdered(r.raw)[0]!);
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
export function loadAndCommit(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] }, options: ChangeOptions): Promise<void> {
  return loadManyAndCommit(d, [{ xml: changeXml(change), action: 'merge' }], options);
}

/** A change merged into the candidate (its XML with the secrets revealed). */
export function loadChange(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] }): Promise<unknown> {
  return d.load({ format: 'xml', action: 'merge', config: changeXml(change) }, ACK);
}

/** A change's XML, secrets revealed: what the device is sent, never logged. */
function changeXml(change: { config: MacsecConfig; delete: DeleteTarget[] }): string {
  return renderXml(change.config, { delete: change.delete, revealSecrets: true });
}

/** Whether a change changes anything (a confirm without one is a plain commit). */
export function changesSomething(change: { config: MacsecConfig; delete: DeleteTarget[] }): boolean {
  return change.delete.length > 0 || Object.keys(change.config).length > 0;
}

/** Several loads (e.g. a replace and a merge) and then one commit, under the exclusive lock. */
export async function loadManyAndCommit(d: JunosDevice, loads: Array<{ xml: string; action: 'merge' | 'replace' }>, options: ChangeOptions): Promise<void> {
  await d.withConfiguration('exclusive', async (dev) => {
    for (const l of loads) await dev.load({ format: 'xml', action: l.action, config: l.xml }, ACK);
    await dev.commit(
      options.confirmMinutes !== undefined ? { confirmed: true, confirmTimeoutMinutes: options.confirmMinutes, comment: options.comment } : { comment: options.comment },
      ACK,
    );
  });
}

/** Confirms a pending commit confirmed (a plain commit), optionally applying a change with it. */
export async function confirmWith(d: JunosDevice, change: { config: MacsecConfig; delete: DeleteTarget[] } | undefined, comment: string): Promise<void> {
  if (change && changesSomething(change)) {
    await loadAndCommit(d, change, { comment });
    return;
  }
  await d.withConfiguration('exclusive', async (dev) => {
    await dev.confirm({ comment }, ACK);
  });
}

/** Discard the candidate and release the lock (best effort: a dead session released both). */
export async function releaseAfterFailure(d: JunosDevice): Promise<void> {
  if (d.closed) return;
  await d.rollback(0).catch(() => undefined);
  await d.unlock().catch(() => undefined);
}
