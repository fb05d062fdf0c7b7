import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// The rotator's own store writes what chaos reads.
import { createStateStore, KEY_IDS_FILE, STATE_FILE } from '../../apps/rotator/src/state/store.js';
import { readStateView } from './collect.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readStateView', () => {
  it('reads the key_IDs from the log beside the state file, skipping a torn last line', async () => {
    const store = createStateStore(dir);
    await store.update((s) => {
      s.keyIds.add('k1', { link: 'p01', at: 'x' });
      s.keyIds.add('k2', { link: 'p01', at: 'y', kind: 'fallback' });
      s.links['p01'] = { keyId: 'k1', fallback: { keyId: 'k2', ckn: 'c', installedAt: 'y' } };
    });
    await appendFile(join(dir, KEY_IDS_FILE), '{"keyId":"k3","li');
    const view = readStateView(dir);
    expect(view.keyIds).toEqual({ k1: { link: 'p01', at: 'x' }, k2: { link: 'p01', at: 'y', kind: 'fallback' } });
    expect(view.links['p01']?.keyId).toBe('k1');
  });

  it('reads a version 1 state file (keyIds inside) and an empty directory', async () => {
    expect(readStateView(dir)).toEqual({ keyIds: {}, links: {} });
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ version: 1, keyIds: { k1: { link: 'p01', at: 'x' } }, links: {} }));
    expect(Object.keys(readStateView(dir).keyIds)).toEqual(['k1']);
  });
});
