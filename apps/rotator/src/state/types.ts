// What the rotator remembers between runs. Key IDs, CKNs (key names, shown by `show security mka
// sessions` anyway), slots and times only: never a key, a CAK or a secret.
import type { KeyIdHistory } from './keyid-history.js';

/** Where and when a key_ID was staged (one line of the key_ID log). */
export interface KeyIdEntry {
  link: string;
  at: string;
  kind?: 'fallback';
}

/** Where one end of a transaction got to. */
export type EndPhase = 'planned' | 'staged' | 'confirmed' | 'removed' | 'failed';

export interface JournalEnd {
  device: string;
  /** Key-chain slot the new key goes to (key-chain mode). */
  slot?: number;
  phase: EndPhase;
}

export interface JournalLink {
  keyId: string;
  ckn: string;
  /** Key-chain name, or the connectivity association in static-cak mode. */
  keyChain: string;
  connectivityAssociation: string;
  mode: 'key-chain' | 'static-cak';
  ends: JournalEnd[];
}

/** An in-flight cycle. Present in the state file only from before staging to the end of the cycle. */
export interface Journal {
  cycleId: string;
  /** What the transaction rotates: the primary key-chain key (default) or the fallback key. */
  kind?: 'primary' | 'fallback';
  startedAt: string;
  /**
   * When the new keys have all activated (ISO): the latest start instant of the links planned so
   * far — each link's own (the same on both its ends) is at or before it, so resume verifies after
   * it. A fallback key is live at its commit.
   */
  startsAt: string;
  /** Earliest instant an end's commit confirmed rolls back without its confirm (ISO): the cycle's start (before any stage) + confirm timeout. */
  confirmDeadline?: string;
  /**
   * Written (atomically, fsynced) once every end of these links is staged, before the first
   * confirm: a restarted rotator drives these links forward (confirms the rest) while every end
   * still holds the key, and rolls back every other link.
   */
  decision?: { outcome: 'commit'; at: string; links: string[] };
  /**
   * Set by a `rotate --no-wait` cycle that returned with every end of these links confirmed:
   * resume() leaves the journal alone until the start-time, then reads MKA and records the keys.
   */
  unverified?: true;
  links: Record<string, JournalLink>;
}

interface LinkState {
  keyId?: string;
  ckn?: string;
  /** Slot per device holding the current key. */
  slots?: Record<string, number>;
  /** When the current key became active (ISO). */
  activeSince?: string;
  lastSuccess?: string;
  lastAttempt?: string;
  lastError?: string;
  /** The connectivity associations' fallback-key (from a QKD key of its own). Never the CAK. */
  fallback?: { keyId: string; ckn: string; installedAt: string };
}

export interface RotatorState {
  version: 1;
  /** Every key_ID ever staged (primary and fallback keys), the link and time of each on disk: a key_ID is installed at most once. */
  readonly keyIds: KeyIdHistory;
  links: Record<string, LinkState>;
  /** In-flight cycles by cycle ID (cycles on disjoint devices may run at once). */
  journals?: Record<string, Journal>;
}
