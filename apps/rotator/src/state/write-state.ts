// Writing the state to its files, on the writer thread (disk-writer.ts), in the order store.ts
// explains; and merging the recent key_IDs into the archive after a write.
import { mkdirSync } from 'node:fs';
import { DiskWriteError, writeToDisk, type DiskOp } from './disk-writer.js';
import { StateError } from './errors.js';
import type { OnDisk, StateFiles } from './files.js';
import { stateFileBytes } from './journal-text.js';
import { jsonEqual } from './json-equal.js';
import type { KeyIdHistory } from './keyid-history.js';
import { keyIdLines } from './keyid-log.js';
import { assertStateWritable } from './lock.js';
import type { RotatorState } from './types.js';

/**
 * Writes `state`, starting from what `onDisk` says the files hold, and returns what they hold
 * after it. `linksTouched`: the change may have touched the links (false: it never read or set
 * state.links, so they are not even compared).
 */
export async function writeState(files: StateFiles, state: RotatorState, onDisk: OnDisk, linksTouched: boolean): Promise<OnDisk> {
  try {
    assertStateWritable(files.dir);
  } catch (e) {
    throw new StateError((e as Error).message, files.state, { cause: e });
  }
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const ops: DiskOp[] = [];
  const fresh = state.keyIds.pending;
  if (fresh.size > 0) ops.push({ kind: 'append', file: files.keyIdLog, at: onDisk.logBytes, bytes: Buffer.from(keyIdLines(fresh), 'utf8') });
  let linksText: string | undefined;
  if (onDisk.links === undefined || (linksTouched && !jsonEqual(state.links, onDisk.links))) {
    linksText = JSON.stringify({ links: state.links });
    ops.push({ kind: 'replace', file: files.links, bytes: Buffer.from(`${linksText}\n`, 'utf8') });
  }
  // Compact: rewritten on every journal write (several per cycle).
  ops.push({ kind: 'replace', file: files.state, bytes: stateFileBytes(state.journals) });
  const results = await runOps(files, ops);
  const after = { ...onDisk };
  if (fresh.size > 0) {
    after.logBytes = results[0]!.validBytes; // the append is the first op
    state.keyIds.written();
  }
  if (linksText !== undefined) after.links = (JSON.parse(linksText) as { links: RotatorState['links'] }).links; // a copy, as written
  return after;
}

async function runOps(files: StateFiles, ops: DiskOp[]) {
  try {
    return await writeToDisk(ops);
  } catch (e) {
    if (!(e instanceof DiskWriteError)) throw new StateError(`cannot write the state in ${files.dir}: ${(e as Error).message}`, files.state, { cause: e });
    const what = e.op.kind === 'append' ? `append to key_ID log ${e.op.file}` : `replace ${e.op.file}`;
    throw new StateError(`cannot ${what}: ${e.message}`, e.op.file, { cause: e });
  }
}

/** Merges the recent key_IDs into the archive; a failure costs memory, never the write it follows. */
export async function compactKeyIds(files: StateFiles, history: KeyIdHistory, logBytes: number, warn: (message: string) => void): Promise<void> {
  try {
    assertStateWritable(files.dir);
  } catch {
    return; // not this process's directory to write (a reader, or a lock lost): the key_IDs stay in memory
  }
  try {
    await history.compact(logBytes);
  } catch (e) {
    warn(`cannot write key_ID archive ${files.keyIdArchive}: ${(e as Error).message}; ${history.recentSize} key_IDs stay in memory until a later write merges them`);
  }
}
