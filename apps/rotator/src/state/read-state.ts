// Reading the state from its files. Reading writes nothing: `status` and other readers load the
// state while the daemon writes it.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { CorruptStateError, StateError } from './errors.js';
import type { OnDisk, StateFiles } from './files.js';
import { KeyIdArchive } from './keyid-archive.js';
import { KeyIdHistory } from './keyid-history.js';
import { readKeyIdLog } from './keyid-log.js';
import { describeIssues, linksFileSchema, stateFileSchema } from './schema.js';
import type { RotatorState } from './types.js';

/** The state the files hold, and what the next write starts from. */
export async function readState(files: StateFiles): Promise<{ state: RotatorState; onDisk: OnDisk }> {
  const { history: keyIds, logBytes } = await readKeyIds(files);
  const main = await readChecked(files.state, stateFileSchema, 'state file');
  const linksFromFile = (await readChecked(files.links, linksFileSchema, 'links file'))?.links;
  // The links file wins: written before the state file, it is never older than a version 1 file's links.
  const state: RotatorState = { version: 1, keyIds, links: linksFromFile ?? (main?.version === 1 ? main.links : {}) };
  if (main?.journals) state.journals = main.journals;
  // Any key_ID a version 1 file held that the log lacks: pending, so the next write migrates it.
  if (main?.version === 1) for (const [keyId, entry] of Object.entries(main.keyIds)) state.keyIds.add(keyId, entry);
  return { state, onDisk: { links: linksFromFile && structuredClone(linksFromFile), logBytes } };
}

/** A JSON file checked against `schema`; undefined when it does not exist. */
async function readChecked<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T | undefined> {
  const corrupt = (message: string, cause?: unknown) => new CorruptStateError(message, path, { cause });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read ${what} ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw corrupt(`${what} ${path} is not valid JSON: ${(e as Error).message}`, e);
  }
  const checked = schema.safeParse(parsed);
  if (!checked.success) throw corrupt(`${what} ${path} is not a rotator state: ${describeIssues(checked.error)}`);
  return checked.data;
}

/**
 * The key_ID history: the archive if it matches the log, and the log from the archive's end
 * (all of it without one, ~36–49 B a key_ID until the first write merges them); and the log's
 * end, where the next append goes.
 */
async function readKeyIds({ keyIdArchive, keyIdLog }: StateFiles): Promise<{ history: KeyIdHistory; logBytes: number }> {
  let archive: KeyIdArchive;
  try {
    archive = KeyIdArchive.open(keyIdArchive, keyIdLog);
  } catch (e) {
    throw new StateError(`cannot read key_ID archive ${keyIdArchive}: ${(e as Error).message}`, keyIdArchive, { cause: e });
  }
  const history = new KeyIdHistory(archive, keyIdLog);
  let logBytes = archive.logBytes;
  for await (const chunk of readKeyIdLog(keyIdLog, (m, cause) => new StateError(m, keyIdLog, { cause }), { from: archive.logBytes })) {
    history.readFromLog(chunk.keyIds);
    logBytes = chunk.validBytes;
  }
  return { history, logBytes };
}
