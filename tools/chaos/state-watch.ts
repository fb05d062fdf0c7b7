// Watches the rotator's state file (inotify through fs.watch on its directory; the file is
// replaced by rename, so the directory is what changes) and turns journal changes into steps.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { journalsOf, stepsFromJournals, type JournalView, type StepEvent } from './steps.js';

export const STATE_FILE = 'rotator-state.json';

export interface StateWatch {
  /** Journals at the last reading. */
  journals(): readonly JournalView[];
  close(): void;
}

export function watchState(stateDir: string, onStep: (e: StepEvent) => void): StateWatch {
  let current: JournalView[] = [];
  let reading = false;
  let again = false;
  const read = async () => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const text = await readFile(join(stateDir, STATE_FILE), 'utf8').catch(() => undefined);
        const next = text === undefined ? undefined : journalsOf(text);
        if (next === undefined) continue;
        for (const e of stepsFromJournals(current, next)) onStep(e);
        current = next;
      } while (again);
    } finally {
      reading = false;
    }
  };
  const watcher: FSWatcher = watch(stateDir, () => void read());
  void read();
  return {
    journals: () => current,
    close: () => watcher.close(),
  };
}
