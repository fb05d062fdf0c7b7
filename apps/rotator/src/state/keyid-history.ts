// The state's key_IDs as its users see them: every key_ID ever staged from the state directory,
// to check that none is installed twice. In memory only the IDs are kept (keyid-set.ts); a
// key_ID's link and time are on disk in the log, read back only for a refusal's message. New
// entries wait here until the store appends them to the log with its next write.
import { findKeyIdEntry } from './keyid-log.js';
import { KeyIdSet } from './keyid-set.js';
import type { KeyIdEntry } from './types.js';

export class KeyIdHistory implements Iterable<string> {
  readonly #ids: KeyIdSet;
  readonly #logFile: string | undefined;
  readonly #pending = new Map<string, KeyIdEntry>();

  /** `ids` are those in the key_ID log `logFile`; none and no file for a state not yet written. */
  constructor(ids = new KeyIdSet(), logFile?: string) {
    this.#ids = ids;
    this.#logFile = logFile;
  }

  get size(): number {
    return this.#ids.size;
  }

  has(keyId: string): boolean {
    return this.#ids.has(keyId);
  }

  /** Records a key_ID that is about to be staged; the first record of a key_ID stands. */
  add(keyId: string, entry: KeyIdEntry): void {
    if (this.#ids.add(keyId)) this.#pending.set(keyId, entry);
  }

  /** Where and when the key_ID was staged (read from the log unless added since the last write). */
  async find(keyId: string): Promise<KeyIdEntry | undefined> {
    if (!this.#ids.has(keyId)) return undefined;
    return this.#pending.get(keyId) ?? (this.#logFile === undefined ? undefined : await findKeyIdEntry(this.#logFile, keyId));
  }

  [Symbol.iterator](): Iterator<string> {
    return this.#ids[Symbol.iterator]();
  }

  /** For the store: the entries added since the last write, oldest first. */
  get pending(): ReadonlyMap<string, KeyIdEntry> {
    return this.#pending;
  }

  /** For the store: the pending entries are in the log now. */
  written(): void {
    this.#pending.clear();
  }
}

/** The refusal of a key_ID a KME handed out again, naming where it went the first time. */
export async function handedOutAgain(history: KeyIdHistory, keyId: string): Promise<string> {
  const first = await history.find(keyId);
  const where = first ? `installed for link ${first.link} at ${first.at}` : 'already in the key_ID log';
  return `KME handed out key_ID ${keyId} again (${where}); refusing to install a key twice`;
}
