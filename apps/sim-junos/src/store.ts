// One device's configuration database: committed history (rollback 0..49), the shared candidate,
// private candidates, the exclusive lock, commit check and commit confirmed on the device clock.
//
// Trees are never changed in place once the store holds them: every edit works on a copy, which
// then replaces the candidate. So a commit installs the candidate tree itself (no copy), the
// history, the candidates and the link model share trees, and what was computed for a tree —
// commit check, checkSyntax at load, the active tree — is remembered by the tree's identity.
import { activeTree, cloneNode, emptyTree, nodesEqual, type ConfigNode } from './config-tree.js';
import type { Clock } from './clock.js';
import { RpcFailure } from './rpc-error.js';
import { checkCommit, checkSyntax, type ConfigIssue } from './validate.js';
import type { PlatformFamily } from './platform.js';

export const MAX_ROLLBACK = 49;

export interface SessionRef {
  id: number;
  user: string;
}

export interface CommitRecord {
  tree: ConfigNode;
  time: number;
  user: string;
  log?: string;
  /** Set on the record of a commit confirmed whose confirmation is still pending. */
  confirmPending?: boolean;
}

interface CommitOptions {
  /** Commit confirmed: roll back automatically unless another commit arrives within this time. */
  confirmTimeoutMs?: number;
  log?: string;
}

export interface ConfigStore {
  readonly history: readonly CommitRecord[];
  committed(): ConfigNode;
  /** The committed tree without its inactive statements (what the device runs), computed once
   *  per commit. Shared: read it, never change it. */
  activeCommitted(): ConfigNode;
  /** `tree` without its inactive statements, computed once per tree. Shared: never change it. */
  activeOf(tree: ConfigNode): ConfigNode;
  /** The candidate this session edits: its private one if open, else the shared one. */
  candidate(s: SessionRef): ConfigNode;
  lock(s: SessionRef): void;
  unlock(s: SessionRef): void;
  lockHolder(): SessionRef | undefined;
  openPrivate(s: SessionRef): void;
  closePrivate(s: SessionRef): void;
  /** Runs `edit` on a copy of the session's candidate; keeps the copy only if `edit` returns.
   *  `copy: 'root'` copies the root node only (its children array included), sharing every
   *  subtree with the candidate: for edits that copy what they change (mergeTree), so a load
   *  does not copy the whole configuration and unchanged subtrees stay shared between trees. */
  edit<T>(s: SessionRef, edit: (tree: ConfigNode) => T, copy?: EditCopy): T;
  /** A load: `edit`, then checkSyntax (the device's family) refuses the result on an error, with
   *  the candidate left as it was. Commit check then does not repeat checkSyntax on that tree. */
  load<T>(s: SessionRef, edit: (tree: ConfigNode) => T, copy?: EditCopy): T;
  discard(s: SessionRef): void;
  loadRollback(s: SessionRef, n: number): void;
  check(s: SessionRef): ConfigIssue[];
  /** Does the work of a commit (or commit check) of the session's candidate as it is now —
   *  validation and the active tree — without applying anything. A commit that follows reuses it
   *  if the candidate is still the same tree, and recomputes otherwise (another session changed
   *  the shared candidate meanwhile). Never throws: the commit reports what it found. */
  prepare(s: SessionRef): void;
  commit(s: SessionRef, opts?: CommitOptions): ConfigIssue[];
  /** Rolls a pending commit confirmed back now (cancel-commit). */
  cancelConfirmed(): void;
  /** Keeps a pending commit confirmed (Junos: `commit check` confirms it too). */
  confirmPending(): void;
  /** A commit confirmed is waiting for its confirmation. */
  hasPendingConfirm(): boolean;
  /** Releases everything a closed session held; an exclusive holder's uncommitted changes are discarded. */
  endSession(s: SessionRef): void;
  onCommit(listener: (tree: ConfigNode, time: number) => void): void;
  dispose(): void;
}

/** How `edit` copies the candidate: the whole tree, or the root only (copy-on-write editors). */
export type EditCopy = 'deep' | 'root';

const issuesToFailure = (issues: ConfigIssue[]) =>
  new RpcFailure(
    issues.map((i) => ({ severity: i.severity, path: i.path, message: i.message, ...(i.badElement !== undefined ? { badElement: i.badElement } : {}) })),
  );

// Over 80 lines: a factory whose closure holds one device's candidate, committed tree, history,
// locks and pending confirm; its methods are short and share that state.
export function createConfigStore(clock: Clock, initial: ConfigNode = emptyTree(), family: PlatformFamily = 'junos'): ConfigStore {
  const history: CommitRecord[] = [{ tree: cloneNode(initial), time: clock.now(), user: 'root', log: 'initial configuration' }];
  let shared = history[0]!.tree;
  let holder: SessionRef | undefined;
  const privates = new Map<number, { base: ConfigNode; tree: ConfigNode }>();
  const listeners: Array<(tree: ConfigNode, time: number) => void> = [];
  /** The pending commit confirmed: what it rolls back to, its timer, and its record (the one
   *  record marked `confirmPending`; unmarked without walking the history). */
  let pending: { rollbackTo: ConfigNode; cancel: () => void; record?: CommitRecord } | undefined;
  const unmarkPending = () => {
    if (pending?.record) delete pending.record.confirmPending;
  };

  const committed = () => history[0]!.tree;
  // Computed once per tree (by identity; trees are never changed in place).
  const actives = new WeakMap<ConfigNode, ConfigNode>();
  const activeOf = (tree: ConfigNode) => {
    let a = actives.get(tree);
    if (!a) actives.set(tree, (a = activeTree(tree)));
    return a;
  };
  const activeCommitted = () => activeOf(committed());
  /** checkSyntax's result for trees a load produced (it ran on exactly that tree). */
  const syntaxChecked = new WeakMap<ConfigNode, readonly ConfigIssue[]>();
  /** What `commit check` found in a tree (errors included). checkCommit depends on the tree and
   *  the platform only, so the confirming commit after a commit confirmed — the committed tree
   *  itself — and a commit prepared during its latency are not checked again. */
  const checkedIssues = new WeakMap<ConfigNode, ConfigIssue[]>();
  const validated = (tree: ConfigNode): ConfigIssue[] => {
    let issues = checkedIssues.get(tree);
    if (issues) return issues;
    const base = checkedIssues.get(committed());
    if (base && nodesEqual(tree, committed())) issues = base;
    else {
      const syntax = syntaxChecked.get(tree);
      issues = checkCommit(tree, family, { active: activeOf(tree), ...(syntax ? { syntax } : {}) });
    }
    checkedIssues.set(tree, issues);
    return issues;
  };
  const lockedOut = (s: SessionRef) => holder !== undefined && holder.id !== s.id;
  const lockError = () =>
    new RpcFailure({
      tag: 'lock-denied',
      message: `configuration database locked by: ${holder!.user} session-id ${holder!.id}`,
      info: { 'session-id': String(holder!.id) },
    });
  const sharedModified = () => !nodesEqual(shared, committed());

  const push = (rec: CommitRecord) => {
    history.unshift(rec);
    history.length = Math.min(history.length, MAX_ROLLBACK + 1);
    for (const l of listeners) l(rec.tree, rec.time);
  };

  const expireConfirm = () => {
    if (!pending) return;
    const tree = pending.rollbackTo;
    unmarkPending();
    pending = undefined;
    push({ tree, time: clock.now(), user: 'root', log: 'commit confirmed rollback' });
    shared = tree;
  };

  const store: ConfigStore = {
    get history() {
      return history;
    },
    committed,
    activeCommitted,
    activeOf,
    candidate: (s) => privates.get(s.id)?.tree ?? shared,
    lockHolder: () => holder,
    lock(s) {
      if (holder?.id === s.id) return;
      if (holder) throw lockError();
      if (sharedModified()) throw new RpcFailure({ tag: 'lock-denied', message: 'configuration database modified' });
      holder = s;
    },
    unlock(s) {
      if (!holder || holder.id !== s.id) throw new RpcFailure({ message: 'configuration database not locked' });
      holder = undefined;
      shared = committed();
    },
    openPrivate(s) {
      if (privates.has(s.id)) throw new RpcFailure({ message: 'private configuration database already open' });
      if (holder && holder.id !== s.id) throw lockError();
      if (sharedModified()) throw new RpcFailure({ message: 'shared configuration database modified' });
      privates.set(s.id, { base: committed(), tree: committed() });
    },
    closePrivate(s) {
      privates.delete(s.id);
    },
    edit(s, fn, how = 'deep') {
      const priv = privates.get(s.id);
      if (!priv && lockedOut(s)) throw lockError();
      const from = priv?.tree ?? shared;
      const copy = how === 'root' ? { ...from, children: from.children.slice() } : cloneNode(from);
      const result = fn(copy);
      if (priv) priv.tree = copy;
      else shared = copy;
      return result;
    },
    load(s, fn, how = 'deep') {
      return store.edit(s, (tree) => {
        const result = fn(tree);
        const syntax = checkSyntax(tree, family);
        const errors = syntax.filter((i) => i.severity === 'error');
        if (errors.length) throw issuesToFailure(errors);
        syntaxChecked.set(tree, syntax);
        return result;
      }, how);
    },
    discard(s) {
      const priv = privates.get(s.id);
      if (priv) priv.tree = committed();
      else {
        if (lockedOut(s)) throw lockError();
        shared = committed();
      }
    },
    loadRollback(s, n) {
      if (!Number.isInteger(n) || n < 0 || n > MAX_ROLLBACK) throw new RpcFailure({ tag: 'invalid-value', message: `rollback index must be 0..${MAX_ROLLBACK}`, badElement: String(n) });
      const rec = history[n];
      if (!rec) throw new RpcFailure({ message: `Cannot load rollback ${n}: no such configuration in history`, badElement: String(n) });
      store.edit(s, (tree) => {
        tree.children = [...rec.tree.children]; // shared, never changed in place
      });
    },
    check(s) {
      const issues = validated(store.candidate(s));
      if (issues.some((i) => i.severity === 'error')) throw issuesToFailure(issues);
      return [...issues];
    },
    prepare(s) {
      validated(store.candidate(s));
    },
    commit(s, opts = {}) {
      const priv = privates.get(s.id);
      if (!priv && lockedOut(s)) throw lockError();
      if (priv && priv.base !== committed())
        throw new RpcFailure({ message: 'configuration database modified since open-configuration; close and reopen the private database' });
      const issues = store.check(s);
      const before = committed();
      const tree = priv?.tree ?? shared;
      const now = clock.now();
      if (pending) {
        pending.cancel();
        unmarkPending();
      }
      if (opts.confirmTimeoutMs !== undefined) {
        const rollbackTo = pending?.rollbackTo ?? before;
        pending = { rollbackTo, cancel: clock.at(now + opts.confirmTimeoutMs, expireConfirm) };
      } else pending = undefined;
      const record: CommitRecord = { tree, time: now, user: s.user, ...(opts.log !== undefined ? { log: opts.log } : {}), ...(pending ? { confirmPending: true } : {}) };
      if (pending) pending.record = record;
      push(record);
      if (priv) {
        priv.base = committed();
        priv.tree = tree;
      }
      // A private commit leaves others' uncommitted shared edits alone.
      if (!priv || nodesEqual(shared, before)) shared = tree;
      return issues;
    },
    confirmPending() {
      if (!pending) return;
      pending.cancel();
      unmarkPending();
      pending = undefined;
    },
    hasPendingConfirm: () => pending !== undefined,
    cancelConfirmed() {
      if (!pending) throw new RpcFailure({ message: 'no commit confirmed is pending' });
      pending.cancel();
      expireConfirm();
    },
    endSession(s) {
      privates.delete(s.id);
      if (holder?.id === s.id) {
        holder = undefined;
        shared = committed();
      }
    },
    onCommit(l) {
      listeners.push(l);
    },
    dispose() {
      pending?.cancel();
      pending = undefined;
    },
  };
  return store;
}
