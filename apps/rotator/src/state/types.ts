// What the rotator remembers between runs. Key IDs, CKNs (key names, shown by `show security mka
// sessions` anyway), slots and times only: never a key, a CAK or a secret.

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
  startedAt: string;
  /** The instant the new keys activate (ISO). */
  startsAt: string;
  links: Record<string, JournalLink>;
}

export interface LinkState {
  keyId?: string;
  ckn?: string;
  /** Slot per device holding the current key. */
  slots?: Record<string, number>;
  /** When the current key became active (ISO). */
  activeSince?: string;
  lastSuccess?: string;
  lastAttempt?: string;
  lastError?: string;
}

export interface RotatorState {
  version: 1;
  /** Every key_ID ever staged, with the link and time: a key_ID is installed at most once. */
  keyIds: Record<string, { link: string; at: string }>;
  links: Record<string, LinkState>;
  /** In-flight cycles by cycle ID (cycles on disjoint devices may run at once). */
  journals?: Record<string, Journal>;
}

export function emptyState(): RotatorState {
  return { version: 1, keyIds: {}, links: {} };
}
