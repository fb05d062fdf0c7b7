import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStateStore, STATE_FILE, StateError } from './store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotator-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('state store', () => {
  it('starts empty when there is no file, and writes mode 0600 with no temp file left', async () => {
    const store = createStateStore(join(dir, 'state'));
    expect(await store.load()).toEqual({ version: 1, keyIds: {}, links: {} });
    await store.update((s) => {
      s.keyIds['k1'] = { link: 'L1', at: '2026-01-01T00:00:00.000Z' };
    });
    const st = await stat(join(dir, 'state', STATE_FILE));
    expect(st.mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'state'))).toEqual([STATE_FILE]);
    const again = createStateStore(join(dir, 'state'));
    expect((await again.load()).keyIds['k1']?.link).toBe('L1');
  });

  it('serialises concurrent updates', async () => {
    const store = createStateStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update((s) => void (s.keyIds[`k${i}`] = { link: 'L', at: 'x' }))));
    const text = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'));
    expect(Object.keys(text.keyIds)).toHaveLength(20);
  });

  it('an update still sees a change another writer made to the file since its own last write', async () => {
    const store = createStateStore(dir);
    await store.update((s) => void (s.keyIds['mine'] = { link: 'L', at: 'x' }));
    await store.update((s) => void (s.keyIds['mine2'] = { link: 'L', at: 'x' }));
    const outside = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'));
    outside.keyIds['theirs'] = { link: 'M', at: 'y' };
    await writeFile(join(dir, STATE_FILE), JSON.stringify(outside, null, 2));
    const after = await store.update((s) => void (s.keyIds['mine3'] = { link: 'L', at: 'x' }));
    expect(Object.keys(after.keyIds).sort()).toEqual(['mine', 'mine2', 'mine3', 'theirs']);
  });

  it('names the file when it is not a state', async () => {
    await writeFile(join(dir, STATE_FILE), '{"version": 2}');
    await expect(createStateStore(dir).load()).rejects.toThrow(StateError);
    await writeFile(join(dir, STATE_FILE), 'not json');
    await expect(createStateStore(dir).load()).rejects.toThrow(/rotator-state\.json is not valid JSON/);
  });
});
