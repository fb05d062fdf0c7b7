// DeviceOps on a NETCONF session the coordinator (or a site agent) holds itself. One DeviceOps per
// session: it remembers which transaction's stage took the configuration lock on that session, so
// a confirm after a reconnect (a new session) locks again. Every change is checked for secret
// references first: a CAK held by an agent never renders here (agent/protocol/refs.ts).
import { findAll, isObject, textOf, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { renderXml, type MacsecConfig, type Secret } from '@qkd-macsec/macsec-config';
import { assertNoRefs } from '../agent/protocol/refs.js';
import { ACK, changesSomething, confirmWith, loadChange, loadManyAndCommit, readMacsec, releaseAfterFailure } from './netconf-ops.js';
import type { Change, DeviceOps, Load } from './ops.js';

const LOGIN_FILTER = '<configuration><system><login/></system></configuration>';
const byDevice = new WeakMap<JunosDevice, DeviceOps>();
const granted = () => true;
const refused = () => false;
const ignore = () => undefined;

/** The operations on `session` (the same object for the same session). */
export function directOps(device: string, session: JunosDevice): DeviceOps {
  let ops = byDevice.get(session);
  if (!ops) byDevice.set(session, (ops = new DirectOps(device, session)));
  return ops;
}

/**
 * A class, its methods on the prototype: an object literal of arrow functions made ~15 closures
 * and a context for each of a fleet's thousands of kept sessions.
 */
class DirectOps implements DeviceOps {
  // The transaction whose read or stage holds this session's configuration lock.
  #heldFor: string | undefined = undefined;

  constructor(
    readonly device: string,
    private readonly d: JunosDevice,
  ) {}

  #checked(change: Change): Change {
    assertNoRefs(secretsOf(change.config), this.device);
    return change;
  }

  readMacsec(parts: Parameters<DeviceOps['readMacsec']>[0] = {}): Promise<MacsecConfig> {
    return readMacsec(this.d, parts);
  }

  /**
   * `<lock>` and `<get-configuration>` in one write, answered in that order: the configuration is
   * read under the lock when it was granted. A refused lock is no error here (the stage locks
   * again and reports it); a failed read releases a granted lock.
   */
  async readLocked(tx: string): Promise<MacsecConfig> {
    const d = this.d;
    const lock = d.lock().then(granted, refused);
    const read = readMacsec(d);
    read.catch(ignore); // a dropped session rejects both at once: the read is awaited below
    const locked = await lock;
    try {
      const config = await read;
      if (locked) this.#heldFor = tx;
      return config;
    } catch (err) {
      if (locked && !d.closed) await d.unlock().catch(ignore);
      throw err;
    }
  }

  async loginUsers(): Promise<string[]> {
    const login = await this.d.getConfiguration({ filter: LOGIN_FILTER, database: 'committed' }); // not another session's uncommitted edits (netconf-ops.ts)
    return findAll(login.configuration, 'user')
      .filter(isObject)
      .map((u) => textOf(u['name']))
      .filter((n): n is string => !!n);
  }

  facts(): ReturnType<DeviceOps['facts']> {
    return this.d.facts();
  }

  mkaSessions(): ReturnType<DeviceOps['mkaSessions']> {
    return this.d.mkaSessions();
  }

  mkaSummaries(): ReturnType<NonNullable<DeviceOps['mkaSummaries']>> {
    return this.d.mkaSummaries();
  }

  // async: a refused reference rejects the promise like any failure, it does not throw at the call.
  async commit(loads: Load[], options: Parameters<DeviceOps['commit']>[1]): Promise<void> {
    return loadManyAndCommit(this.d, loads.map((l) => renderLoad(l, this.device)), options);
  }

  async confirmPending(change: Change | undefined, comment: string): Promise<void> {
    return confirmWith(this.d, change && this.#checked(change), comment);
  }

  /**
   * A cycle's stage: lock (unless readLocked took it for `tx`), load, commit confirmed — and the
   * lock is KEPT until the confirm (confirmStaged), so the device's configuration is ours from the
   * stage to the confirm (nobody else's commit can confirm or change ours in between) and neither
   * step spends a round trip on unlock + lock. On a failure the candidate is discarded and the lock
   * released. The lock dies with the session: a rotator that dies leaves nothing locked. One async
   * frame from here to the reply: a fleet's thousands of stages each wait through the commit.
   */
  async stage(tx: string, change: Change, options: Parameters<DeviceOps['stage']>[2]): Promise<void> {
    const safe = this.#checked(change); // refused: a lock readLocked took stays for releaseStaged
    const d = this.d;
    const locked = this.#heldFor === tx && !d.closed;
    this.#heldFor = undefined;
    if (!locked) await d.lock();
    try {
      await loadChange(d, safe);
      await d.commit({ confirmed: true, confirmTimeoutMinutes: options.confirmMinutes, comment: options.comment }, ACK);
    } catch (err) {
      await releaseAfterFailure(d);
      throw err;
    }
    this.#heldFor = tx;
  }

  /**
   * The confirm of a device staged for `tx`: optionally a change (the keys of links that failed
   * elsewhere), a plain commit, and the unlock. After a reconnect (a new session, so a new
   * DirectOps) the lock is taken again first.
   */
  async confirmStaged(tx: string, change: Change | undefined, comment: string): Promise<void> {
    const d = this.d;
    const held = this.#heldFor === tx && !d.closed;
    this.#heldFor = undefined;
    const safe = change && this.#checked(change);
    if (!held) await d.lock();
    if (safe && changesSomething(safe)) {
      try {
        await loadChange(d, safe);
        await d.commit({ comment }, ACK);
      } catch (err) {
        await releaseAfterFailure(d);
        throw err;
      }
      await d.unlock();
      return;
    }
    // Nothing loaded: nothing of ours to discard if the commit fails, and the unlock is due either
    // way. It goes out right BEHIND the commit (sent in that order, answered in that order): sent
    // first, it let another session lock — or leave its own edits in the shared candidate for our
    // commit — while the commit was still to run.
    const confirmed = d.confirm({ comment }, ACK);
    const unlocked = d.unlock();
    unlocked.catch(ignore);
    await confirmed;
    await unlocked;
  }

  async releaseStaged(tx: string): Promise<void> {
    if (this.#heldFor !== tx) return;
    this.#heldFor = undefined;
    if (!this.d.closed) await this.d.unlock();
  }
}

/** One Load as the XML junos-netconf loads (merge or replace). */
export function renderLoad(l: Load, device: string): { xml: string; action: 'merge' | 'replace' } {
  switch (l.action) {
    case 'merge':
      assertNoRefs(secretsOf(l.change.config), device);
      return { xml: renderXml(l.change.config, { delete: l.change.delete, revealSecrets: true }), action: 'merge' };
    case 'replace':
      assertNoRefs(secretsOf(l.config), device);
      return { xml: renderXml(l.config, { operation: 'replace', revealSecrets: true }), action: 'replace' };
    case 'remove-login-user':
      return { xml: `<configuration><system><login><user delete="delete"><name>${escapeXml(l.user)}</name></user></login></system></configuration>`, action: 'merge' };
    case 'remove-event-traceoptions':
      return { xml: '<configuration><event-options><traceoptions delete="delete"/></event-options></configuration>', action: 'merge' };
  }
}

/** Every Secret a model carries (pre-shared-keys, fallback-keys, key-chain secrets). */
function secretsOf(config: MacsecConfig): Secret[] {
  const out: Secret[] = [];
  for (const ca of config.connectivityAssociations ?? []) {
    if (ca.preSharedKey) out.push(ca.preSharedKey.cak);
    if (ca.fallbackKey) out.push(ca.fallbackKey.cak);
  }
  for (const chain of config.keyChains ?? []) for (const k of chain.keys) if (k.secret) out.push(k.secret);
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
