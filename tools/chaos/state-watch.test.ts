import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STATE_FILE, watchState } from './state-watch.js';
import type { StepEvent } from './steps.js';

const dir = mkdtempSync(join(tmpdir(), 'chaos-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// As the rotator writes it: a temp file renamed over the state file.
const write = (state: object) => {
  writeFileSync(join(dir, 'tmp'), JSON.stringify(state));
  renameSync(join(dir, 'tmp'), join(dir, STATE_FILE));
};
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('watchState', () => {
  it('turns atomic state writes into journaled and decision steps', async () => {
    const steps: StepEvent[] = [];
    write({ version: 1, keyIds: {}, links: {} });
    const w = watchState(dir, (e) => steps.push(e));
    try {
      write({ journals: { c1: { links: {} } } });
      await until(() => steps.length >= 1);
      write({ journals: { c1: { decision: { outcome: 'commit', at: 'now', links: ['p01'] } } } });
      await until(() => steps.length >= 2);
      write({ version: 1, keyIds: {}, links: {} });
      await until(() => w.journals().length === 0);
      expect(steps.map((s) => [s.step, s.source])).toEqual([
        ['journaled', 'state'],
        ['decision', 'state'],
      ]);
    } finally {
      w.close();
    }
  });
});
