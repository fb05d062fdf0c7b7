// The state directory's files (what each holds: store.ts).
import { join } from 'node:path';
import type { RotatorState } from './types.js';

export const STATE_FILE = 'rotator-state.json';
export const KEY_IDS_FILE = 'rotator-keyids.jsonl';
export const LINKS_FILE = 'rotator-links.json';
export const KEY_ID_ARCHIVE_FILE = 'rotator-keyids.idx';

export interface StateFiles {
  dir: string;
  /** The journals (rotator-state.json). */
  state: string;
  /** The key_ID log. */
  keyIdLog: string;
  keyIdArchive: string;
  links: string;
}

export function stateFiles(dir: string): StateFiles {
  return { dir, state: join(dir, STATE_FILE), keyIdLog: join(dir, KEY_IDS_FILE), keyIdArchive: join(dir, KEY_ID_ARCHIVE_FILE), links: join(dir, LINKS_FILE) };
}

/**
 * What the store last read or wrote of the files, which its next write starts from: the links as
 * the links file holds them (a copy; undefined while there is no links file), and where the key_ID
 * log's next append goes.
 */
export interface OnDisk {
  links: RotatorState['links'] | undefined;
  logBytes: number;
}
