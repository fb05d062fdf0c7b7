import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handedOutAgain } from './keyid-history.js';
import { createStateStore } from './store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotator-keyid-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('key_ID history', () => {
  it('refuses a key_ID handed out again naming where it went first, from the log after a restart and before its write', async () => {
    const ids = Array.from({ length: 3000 }, () => randomUUID());
    await createStateStore(dir).update((s) => ids.forEach((id, i) => s.keyIds.add(id, { link: `L${i % 40}`, at: '2026-03-01T10:00:00.000Z', ...(i === 2999 ? { kind: 'fallback' as const } : {}) })));
    const state = await createStateStore(dir).load(); // a restarted daemon: IDs in memory, entries on disk
    expect(state.keyIds.size).toBe(3000);
    expect(await handedOutAgain(state.keyIds, ids[2041]!)).toBe(
      `KME handed out key_ID ${ids[2041]} again (installed for link L1 at 2026-03-01T10:00:00.000Z); refusing to install a key twice`,
    );
    expect(await state.keyIds.find(ids[2999]!)).toEqual({ link: 'L39', at: '2026-03-01T10:00:00.000Z', kind: 'fallback' });
    const fresh = randomUUID();
    expect(await state.keyIds.find(fresh)).toBeUndefined();
    state.keyIds.add(fresh, { link: 'L7', at: 'now' }); // staged this cycle, not written yet
    state.keyIds.add(fresh, { link: 'L8', at: 'later' }); // the first record stands
    expect(await handedOutAgain(state.keyIds, fresh)).toContain('(installed for link L7 at now)');
  });
});
