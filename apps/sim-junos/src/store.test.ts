import { describe, expect, it } from 'vitest';
import { manualClock } from './clock.js';
import { applySetCommands, parseConfigText, renderConfigText } from './config-text.js';
import { emptyTree, getPath, leafValue, mergeTree, type ConfigNode } from './config-tree.js';
import { RpcFailure } from './rpc-error.js';
import { createConfigStore, MAX_ROLLBACK } from './store.js';

const A = { id: 1, user: 'alice' };
const B = { id: 2, user: 'bob' };
const hostName = (t: ConfigNode) => leafValue(getPath(t, 'system'), 'host-name');
const setHost = (name: string) => (t: ConfigNode) => applySetCommands(t, `set system host-name ${name}`);

describe('configuration store', () => {
  it('keeps candidate and committed apart until commit', () => {
    const store = createConfigStore(manualClock());
    store.edit(A, setHost('r1'));
    expect(hostName(store.candidate(A))).toBe('r1');
    expect(hostName(store.committed())).toBeUndefined();
    store.commit(A);
    expect(hostName(store.committed())).toBe('r1');
    expect(store.history).toHaveLength(2);
  });

  it('gives the exclusive lock to one session and refuses others, naming the holder', () => {
    const store = createConfigStore(manualClock());
    store.lock(A);
    expect(() => store.lock(B)).toThrow(/locked by: alice session-id 1/);
    expect(() => store.edit(B, setHost('x'))).toThrow(RpcFailure);
    expect(() => store.commit(B)).toThrow(/locked by/);
    expect(() => store.unlock(B)).toThrow(/not locked/);
    store.edit(A, setHost('mine'));
    store.unlock(A); // uncommitted changes of an exclusive session are discarded
    expect(hostName(store.candidate(B))).toBeUndefined();
    store.lock(B);
  });

  it('refuses a lock while the shared candidate holds uncommitted changes', () => {
    const store = createConfigStore(manualClock());
    store.edit(A, setHost('dirty'));
    expect(() => store.lock(B)).toThrow(/configuration database modified/);
  });

  it('releases the lock and discards its changes when the session ends', () => {
    const store = createConfigStore(manualClock());
    store.lock(A);
    store.edit(A, setHost('gone'));
    store.endSession(A);
    expect(store.lockHolder()).toBeUndefined();
    expect(hostName(store.candidate(B))).toBeUndefined();
  });

  it('keeps private candidates separate from the shared one', () => {
    const store = createConfigStore(manualClock());
    store.openPrivate(A);
    store.edit(A, setHost('private'));
    expect(hostName(store.candidate(B))).toBeUndefined();
    store.commit(A);
    expect(hostName(store.committed())).toBe('private');
  });

  it('commit check refuses bad MACsec values with Junos paths, and commits nothing', () => {
    const store = createConfigStore(manualClock());
    store.edit(A, (t) => applySetCommands(t, 'set security macsec connectivity-association CA security-mode static-cak\nset security macsec connectivity-association CA pre-shared-key ckn abc cak 1234'));
    try {
      store.check(A);
      expect.unreachable();
    } catch (e) {
      const errors = (e as RpcFailure).errors;
      expect(errors.map((x) => [x.path?.join(' '), x.badElement])).toEqual([
        ['security macsec connectivity-association CA pre-shared-key', 'ckn'],
        ['security macsec connectivity-association CA pre-shared-key', 'cak'],
      ]);
      expect(JSON.stringify(errors)).not.toContain('1234');
    }
    expect(() => store.commit(A)).toThrow(RpcFailure);
    expect(store.history).toHaveLength(1);
  });

  it('commit confirmed rolls back on the injected clock unless confirmed in time', () => {
    const clock = manualClock();
    const store = createConfigStore(clock);
    store.edit(A, setHost('base'));
    store.commit(A);
    store.edit(A, setHost('risky'));
    store.commit(A, { confirmTimeoutMs: 60_000 });
    expect(store.history[0]!.confirmPending).toBe(true);
    clock.advance(59_999);
    expect(hostName(store.committed())).toBe('risky');
    clock.advance(1);
    expect(hostName(store.committed())).toBe('base');
    expect(hostName(store.candidate(A))).toBe('base');
    expect(store.history[0]!.log).toBe('commit confirmed rollback');
  });

  it('a plain commit confirms a pending commit confirmed', () => {
    const clock = manualClock();
    const store = createConfigStore(clock);
    store.edit(A, setHost('new'));
    store.commit(A, { confirmTimeoutMs: 60_000 });
    store.commit(A);
    clock.advance(10 * 60_000);
    expect(hostName(store.committed())).toBe('new');
  });

  it('confirmPending keeps a commit confirmed, cancelConfirmed rolls it back at once', () => {
    const clock = manualClock();
    const store = createConfigStore(clock);
    store.edit(A, setHost('kept'));
    store.commit(A, { confirmTimeoutMs: 60_000 });
    store.confirmPending();
    clock.advance(120_000);
    expect(hostName(store.committed())).toBe('kept');
    store.edit(A, setHost('undone'));
    store.commit(A, { confirmTimeoutMs: 60_000 });
    store.cancelConfirmed();
    expect(hostName(store.committed())).toBe('kept');
    expect(() => store.cancelConfirmed()).toThrow(/no commit confirmed is pending/);
  });

  it('marks only the commit confirmed still pending, and no record once it is confirmed or rolled back', () => {
    const clock = manualClock();
    const store = createConfigStore(clock);
    const marked = () => store.history.flatMap((r, i) => (r.confirmPending ? [i] : []));
    store.edit(A, setHost('one'));
    store.commit(A, { confirmTimeoutMs: 60_000 });
    store.edit(A, setHost('two'));
    store.commit(A, { confirmTimeoutMs: 60_000 }); // a second commit confirmed takes over the first
    expect(marked()).toEqual([0]);
    store.commit(A);
    expect(marked()).toEqual([]);
    store.edit(A, setHost('three'));
    store.commit(A, { confirmTimeoutMs: 60_000 });
    store.confirmPending();
    expect(marked()).toEqual([]);
    store.edit(A, setHost('four'));
    store.commit(A, { confirmTimeoutMs: 60_000 });
    clock.advance(60_000);
    expect(store.history[0]!.log).toBe('commit confirmed rollback');
    expect(marked()).toEqual([]);
  });

  it("a merge load (copy: 'root') changes copies only: the committed tree is untouched, unchanged subtrees are shared", () => {
    const store = createConfigStore(manualClock());
    store.edit(A, (t) =>
      applySetCommands(t, [
        'set system host-name r1',
        'set security authentication-key-chains key-chain KC key 0 key-name 01 secret 0a start-time 2026-01-01.00:00:00',
        'set security authentication-key-chains key-chain KC key 1 key-name 02 secret 0b start-time 2026-01-02.00:00:00',
        'set security authentication-key-chains key-chain OTHER key 0 key-name 03 secret 0c start-time 2026-01-01.00:00:00',
      ].join('\n')),
    );
    store.commit(A);
    const committed = store.committed();
    const before = renderConfigText(committed);
    const incoming = parseConfigText(`security { authentication-key-chains { key-chain KC {
      delete: key 0;
      inactive: key 1 { secret 0d; }
      key 2 { key-name 04; secret 0e; start-time "2026-01-03.00:00:00"; }
    } } }
    system { host-name r2; }`);
    store.load(A, (t) => mergeTree(t, incoming), 'root');
    expect(renderConfigText(store.committed())).toBe(before);
    const candidate = store.candidate(A);
    expect(renderConfigText(candidate)).toMatch(/key-chain KC \{\n\s+inactive: key 1 \{[^}]*secret "\$9\$[^}]*\}\n\s+key 2 \{/);
    expect(renderConfigText(candidate)).toContain('host-name r2;');
    const chain = (t: ConfigNode, name: string) => getPath(t, 'security', 'authentication-key-chains', ['key-chain', name]);
    expect(chain(candidate, 'OTHER')).toBe(chain(committed, 'OTHER'));
    expect(chain(candidate, 'KC')).not.toBe(chain(committed, 'KC'));
  });

  it('keeps rollback 0..49 and loads any of them into the candidate', () => {
    const store = createConfigStore(manualClock(), emptyTree());
    for (let i = 1; i <= 60; i++) {
      store.edit(A, setHost(`h${i}`));
      store.commit(A);
    }
    expect(store.history).toHaveLength(MAX_ROLLBACK + 1);
    store.loadRollback(A, 49);
    expect(hostName(store.candidate(A))).toBe('h11');
    expect(() => store.loadRollback(A, 50)).toThrow(/rollback index must be 0..49/);
  });
});

describe('configuration store: what is computed once per commit', () => {
  it('gives the committed tree without inactive statements, once per commit', () => {
    const store = createConfigStore(manualClock());
    store.edit(A, (t) => applySetCommands(t, 'set system host-name r1\nset system location building b1\ndeactivate system location'));
    store.commit(A);
    const active = store.activeCommitted();
    expect(hostName(active)).toBe('r1');
    expect(getPath(active, 'system', 'location')).toBeUndefined();
    expect(getPath(store.committed(), 'system', 'location')).toBeDefined();
    expect(store.activeCommitted()).toBe(active);
    store.edit(A, (t) => applySetCommands(t, 'activate system location'));
    store.commit(A);
    expect(getPath(store.activeCommitted(), 'system', 'location')).toBeDefined();
  });

  it('checks a changed candidate again after a commit: an invalid change is still refused', () => {
    const store = createConfigStore(manualClock());
    store.edit(A, setHost('r1'));
    store.commit(A, { confirmTimeoutMs: 60_000 });
    expect(store.commit(A)).toEqual([]); // the confirming commit of the same tree
    store.edit(A, (t) => applySetCommands(t, 'set security macsec connectivity-association CA pre-shared-key ckn zz cak 00'));
    expect(() => store.commit(A)).toThrow(RpcFailure);
    expect(hostName(store.committed())).toBe('r1');
  });
});
