// The state's key_IDs as its users see them: every key_ID ever staged from the state directory,
// to check that none is installed twice. The recent ones are in memory (keyid-set.ts), the older
// ones in the sorted archive on disk (keyid-archive.ts), which the store compacts the recent ones
// into, so memory stays bounded however long the history; a key_ID's link and time are only in
// the log, read back for a refusal's message. New entries wait here until the store appends them
// to the log with its next write.
import { KeyIdArchive } from './keyid-archive.js';
import { findKeyIdEntry } from './keyid-log.js';
import { KeyIdSet, recordOf, WORDS } from './keyid-set.js';
import type { KeyIdEntry } from './types.js';

export class KeyIdHistory {
  #recent = new KeyIdSet();
  /** The recent set being merged into the archive, still looked up until the new archive is in. */
  #merging: KeyIdSet | undefined;
  #archive: KeyIdArchive;
  readonly #logFile: string | undefined;
  readonly #pending = new Map<string, KeyIdEntry>();
  readonly #record = new Uint32Array(WORDS);

  /** `archive` holds the log's key_IDs up to its end; none and no log for a state not yet written. */
  constructor(archive?: KeyIdArchive, logFile?: string) {
    this.#archive = archive ?? KeyIdArchive.none('');
    this.#logFile = logFile;
  }

  /** Key_IDs in the history (a key_ID recorded twice in the log counts once). */
  get size(): number {
    return this.#archive.count + (this.#merging?.size ?? 0) + this.#recent.size;
  }

  /** Key_IDs kept in memory: those since the archive's end. */
  get recentSize(): number {
    return this.#recent.size;
  }

  has(keyId: string): boolean {
    if (this.#recent.has(keyId) || this.#merging?.has(keyId)) return true;
    return this.#archive.has(recordOf(keyId, this.#record));
  }

  /** Records a key_ID that is about to be staged; the first record of a key_ID stands. */
  add(keyId: string, entry: KeyIdEntry): void {
    if (this.has(keyId)) return;
    this.#recent.add(keyId);
    this.#pending.set(keyId, entry);
  }

  /** Where and when the key_ID was staged (read from the log unless added since the last write). */
  async find(keyId: string): Promise<KeyIdEntry | undefined> {
    if (!this.has(keyId)) return undefined;
    return this.#pending.get(keyId) ?? (this.#logFile === undefined ? undefined : await findKeyIdEntry(this.#logFile, keyId));
  }

  /** For the store: the entries added since the last write, oldest first. */
  get pending(): ReadonlyMap<string, KeyIdEntry> {
    return this.#pending;
  }

  /** For the store: the pending entries are in the log now. */
  written(): void {
    this.#pending.clear();
  }

  /** For the store, reading the log: key_IDs the log holds after the archive's end. */
  readFromLog(keyIds: readonly string[]): void {
    for (const k of keyIds) this.#recent.add(k);
  }

  /**
   * For the store: merges the recent key_IDs into the archive, which then covers the log up to
   * `logBytes` — the log's end, every pending entry written. Lookups go on meanwhile.
   */
  async compact(logBytes: number): Promise<void> {
    if (this.#logFile === undefined || this.#pending.size > 0) throw new Error('compact() needs a written log and nothing pending');
    const merging = (this.#merging = this.#recent);
    this.#recent = new KeyIdSet();
    try {
      this.#archive = await this.#archive.merge(merging.sorted(), this.#logFile, logBytes);
    } catch (e) {
      // Not merged: the key_IDs stay in memory, with any added meanwhile.
      const meanwhile = this.#recent.sorted();
      for (let i = 0; i < meanwhile.length; i += WORDS) merging.addRecord(meanwhile.subarray(i, i + WORDS));
      this.#recent = merging;
      throw e;
    } finally {
      this.#merging = undefined;
    }
  }
}

/** The refusal of a key_ID a KME handed out again, naming where it went the first time. */
export async function handedOutAgain(history: KeyIdHistory, keyId: string): Promise<string> {
  const first = await history.find(keyId);
  const where = first ? `installed for link ${first.link} at ${first.at}` : 'already in the key_ID log';
  return `KME handed out key_ID ${keyId} again (${where}); refusing to install a key twice`;
}
