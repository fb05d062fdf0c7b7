// A link's transaction while a cycle runs: what each step reads and writes.
import type { KeyChainPlan, PreSharedKey } from '@qkd-macsec/macsec-config';
import type { FetchedKey } from '../fleet/ops.js';
import type { EndPhase } from '../state/types.js';
import type { ResolvedLink } from './config-view.js';
import type { LinkError } from './types.js';

export type { Change } from '../fleet/ops.js';

/** A Map that counts its changes: the journal rebuilds a link's entry only when they moved. */
export class CountedMap<K, V> extends Map<K, V> {
  changes = 0;
  override set(key: K, value: V): this {
    this.changes++;
    return super.set(key, value);
  }
}

/** A link's transaction while the cycle runs. */
export interface Tx {
  link: ResolvedLink;
  startedMs: number;
  error?: LinkError;
  alarms: LinkError[];
  key?: FetchedKey;
  /**
   * When the link's new key activates (key-chain mode: the start instant it needed when planned,
   * both ends alike; otherwise when its ends were read). Set for every link that was planned.
   */
  startsAt?: Date;
  /** false: the key was fetched but the link failed before its journal entry (nothing staged). */
  journaled?: false;
  /** Per device: the end's plan (key-chain mode). */
  plans: CountedMap<string, KeyChainPlan>;
  /** Per device: the pre-shared-key before the change (static-cak mode), to put back on failure. */
  previousPsk: Map<string, PreSharedKey | undefined>;
  phase: CountedMap<string, EndPhase>;
  /** Verification found the link's MKA running on its fallback key. */
  onFallback?: true;
}
