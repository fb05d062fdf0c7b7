// DeviceOps on a NETCONF session the coordinator (or a site agent) holds itself. One DeviceOps per
// session: it remembers which transaction's stage took the configuration lock on that session, so
// a confirm after a reconnect (a new session) locks again. Every change is checked for secret
// references first: a CAK held by an agent never renders here (agent/protocol/refs.ts).
import { findAll, isObject, textOf, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { renderXml, type MacsecConfig, type Secret } from '@qkd-macsec/macsec-config';
import { assertNoRefs } from '../agent/protocol/refs.js';
import { confirmHeld, confirmWith, loadManyAndCommit, readMacsec, readUnderLock, stageHeld } from './netconf-ops.js';
import type { Change, DeviceOps, Load } from './ops.js';

const LOGIN_FILTER = '<configuration><system><login/></system></configuration>';
const byDevice = new WeakMap<JunosDevice, DeviceOps>();

/** The operations on `session` (the same object for the same session). */
export function directOps(device: string, session: JunosDevice): DeviceOps {
  let ops = byDevice.get(session);
  if (!ops) byDevice.set(session, (ops = createDirectOps(device, session)));
  return ops;
}

function createDirectOps(device: string, d: JunosDevice): DeviceOps {
  // The transaction whose read or stage holds this session's configuration lock.
  let heldFor: string | undefined;
  const checked = (change: Change): Change => {
    assertNoRefs(secretsOf(change.config), device);
    return change;
  };
  return {
    device,
    readMacsec: (parts = {}) => readMacsec(d, parts),
    async readLocked(tx) {
      const { config, locked } = await readUnderLock(d);
      if (locked) heldFor = tx;
      return config;
    },
    async loginUsers() {
      const login = await d.getConfiguration({ filter: LOGIN_FILTER, database: 'committed' }); // not another session's uncommitted edits (netconf-ops.ts)
      return findAll(login.configuration, 'user')
        .filter(isObject)
        .map((u) => textOf(u['name']))
        .filter((n): n is string => !!n);
    },
    facts: () => d.facts(),
    mkaSessions: () => d.mkaSessions(),
    mkaSummaries: () => d.mkaSummaries(),
    // async: a refused reference rejects the promise like any failure, it does not throw at the call.
    commit: async (loads, options) => loadManyAndCommit(d, loads.map((l) => renderLoad(l, device)), options),
    confirmPending: async (change, comment) => confirmWith(d, change && checked(change), comment),
    async stage(tx, change, options) {
      const safe = checked(change); // refused: a lock readLocked took stays for releaseStaged
      const locked = heldFor === tx && !d.closed;
      heldFor = undefined; // a failed stage releases the lock (stageHeld)
      await stageHeld(d, safe, options, locked);
      heldFor = tx;
    },
    async confirmStaged(tx, change, comment) {
      const held = heldFor === tx && !d.closed;
      heldFor = undefined;
      await confirmHeld(d, change && checked(change), comment, held);
    },
    async releaseStaged(tx) {
      if (heldFor !== tx) return;
      heldFor = undefined;
      if (!d.closed) await d.unlock();
    },
  };
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
export function secretsOf(config: MacsecConfig): Secret[] {
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
