// What the engine does on a device and with the KMEs, as operations that carry no transport: a
// device reached directly (fleet/direct-ops.ts: a pooled NETCONF session) and a device behind a
// site agent (agent/client: HTTPS to the agent, which holds the session and the keys) look the
// same to the engine. Changes are macsec-config models, never XML: an agent renders them itself,
// resolving the CAK references only it can resolve.
import type { JunosFacts, MkaSession, MkaSummary } from '@qkd-macsec/junos-netconf';
import type { CipherSuite, DeleteTarget, MacsecConfig, Secret } from '@qkd-macsec/macsec-config';
import type { ResolvedLink } from '../engine/config-view.js';

/** One device's share of a transaction: what to merge and what to delete. */
export type Change = { config: MacsecConfig; delete: DeleteTarget[] };

/** One load of a multi-load commit (init: a replace, then a merge; field-script removal). */
export type Load =
  | { action: 'merge'; change: Change }
  | { action: 'replace'; config: MacsecConfig }
  /** `system login user NAME` removed (the field script's python-script-user). */
  | { action: 'remove-login-user'; user: string }
  /** `event-options traceoptions` removed (the field script's trace file). */
  | { action: 'remove-event-traceoptions' };

interface ReadParts {
  staticHostMappings?: boolean;
  eventOptions?: boolean;
}

interface CommitOptions {
  comment: string;
  /** `commit confirmed` with this timeout in minutes; absent: a plain commit. */
  confirmMinutes?: number;
}

/**
 * The engine's operations on one device. Secrets in what read() returns may be references (agent
 * mode: the agent never sends a device's secret): they can be put back into a change for the same
 * device, nothing else.
 */
export interface DeviceOps {
  readonly device: string;
  /** The committed MACsec configuration (connectivity associations, interfaces, key chains), plus the asked-for parts. */
  readMacsec(parts?: ReadParts): Promise<MacsecConfig>;
  /**
   * A cycle's read with the configuration lock taken for `tx` in the same write (`<lock>`, then
   * `<get-configuration>`: NETCONF answers in order, so the configuration read is one nobody can
   * change before the stage), kept for stage(tx) — which then skips its own lock — until
   * confirmStaged or releaseStaged. A refused lock leaves the read as readMacsec's; stage(tx) then
   * locks as it always did. Optional: a DeviceOps without it is read with readMacsec.
   */
  readLocked?(tx: string): Promise<MacsecConfig>;
  /** `system login user` names (init: the field script's user). */
  loginUsers(): Promise<string[]>;
  facts(): Promise<JunosFacts>;
  mkaSessions(): Promise<MkaSession[]>;
  /**
   * What verify, status and the fallback check read of each MKA session, read without building
   * the reply's tree (junos-netconf's parseMkaSummaries): after every rotation every device is
   * read. Optional: a DeviceOps without it is read with mkaSessions.
   */
  mkaSummaries?(): Promise<MkaSummary[]>;
  /** Loads and one commit under the exclusive lock, the lock released after. */
  commit(loads: Load[], options: CommitOptions): Promise<void>;
  /** Confirms a pending commit confirmed (a plain commit), with the change when it has one. */
  confirmPending(change: Change | undefined, comment: string): Promise<void>;
  /**
   * A cycle's stage: lock (unless readLocked took it for `tx`), load, commit confirmed; the lock is
   * KEPT for `tx` until confirmStaged or releaseStaged (fleet/direct-ops.ts).
   */
  stage(tx: string, change: Change, options: CommitOptions & { confirmMinutes: number }): Promise<void>;
  /**
   * The confirm of a device staged for `tx` (fleet/direct-ops.ts): on the session
   * that holds the lock when it still does, else lock again first.
   */
  confirmStaged(tx: string, change: Change | undefined, comment: string): Promise<void>;
  /** Unlocks a device read or staged for `tx` and never confirmed (nothing when the lock is gone). */
  releaseStaged(tx: string): Promise<void>;
}

/**
 * A link's key after steps 1–2, as the coordinator holds it: its key_ID, CKN and size, and for each
 * device the CAK that device's change carries — the Secret itself when the coordinator fetched
 * the key (direct mode), a reference its site's agent resolves otherwise (agent/protocol/refs.ts).
 */
export interface FetchedKey {
  keyId: string;
  ckn: string;
  bits: number;
  cakFor(device: string): Secret;
}

export interface FetchOptions {
  /** The transaction (cycle ID): agents keep the key for it, and forget it on release(). */
  tx: string;
  cipherSuite: CipherSuite;
  kind: 'primary' | 'fallback';
}

/** Steps 1–2 of the protocol for one link, wherever the SAEs are. */
export interface KeySource {
  fetch(link: ResolvedLink, options: FetchOptions): Promise<FetchedKey>;
  /** The transaction is over (or abandoned): every agent zeroes its keys. Never throws. */
  release(tx: string): Promise<void>;
}

/** What an agent says of a key it fetched for a transaction: never the key. */
export interface AgentKeyInfo {
  keyId: string;
  ckn: string;
  bits: number;
  /** keyCheckValue (agent/protocol/check-value.ts): the copies at different sites are compared by it. */
  check: string;
}

export type CknStrategy = { strategy: 'sha256-keyid' } | { strategy: 'prefix-uuid'; prefix: string };

/** The coordinator's handle on one site agent (agent/client). */
export interface AgentClient {
  readonly site: string;
  readonly url: string;
  /** Step 1 at the master's site: enc_keys as masterSae (exactly the suite's bits); the agent keeps the key for tx. */
  encKey(request: { tx: string; link: string; masterSae: string; slaveSaes: string[]; cipherSuite: CipherSuite; ckn: CknStrategy; kind: 'primary' | 'fallback' }): Promise<AgentKeyInfo>;
  /** Step 2 at a slave's site: dec_keys of keyId as sae; the agent keeps the key for tx. */
  decKey(request: { tx: string; link: string; sae: string; masterSae: string; keyId: string; cipherSuite: CipherSuite; ckn: CknStrategy; kind: 'primary' | 'fallback' }): Promise<AgentKeyInfo>;
  /** The agent zeroes every key of tx. */
  endTx(tx: string): Promise<void>;
  /** The device behind this agent. */
  device(name: string): DeviceOps;
  close(): Promise<void>;
}

/** Which agent, if any, stands between the coordinator and a device or an SAE. */
export interface AgentDirectory {
  forDevice(device: string): AgentClient | undefined;
  forSae(sae: string): AgentClient | undefined;
  all(): AgentClient[];
  close(): Promise<void>;
}
