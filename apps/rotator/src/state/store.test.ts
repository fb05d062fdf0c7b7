import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStateStore, KEY_ID_ARCHIVE_FILE, KEY_IDS_FILE, LINKS_FILE, STATE_FILE, StateError } from './store.js';
import type { RotatorState } from './types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotator-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logLines = async (d = dir) => (await readFile(join(d, KEY_IDS_FILE), 'utf8')).split('\n').filter((l) => l !== '');
const stateFile = async (d = dir) => JSON.parse(await readFile(join(d, STATE_FILE), 'utf8')) as Record<string, unknown>;
/** The state as plain data: each key_ID with its entry (read back from the log, or pending). */
const plain = async (s: RotatorState, keyIds: string[]) => {
  expect(s.keyIds.size).toBe(keyIds.length);
  return { ...s, keyIds: Object.fromEntries(await Promise.all(keyIds.map(async (k) => [k, await s.keyIds.find(k)]))) };
};
const ids = (s: RotatorState, keyIds: string[]) => [s.keyIds.size, keyIds.filter((k) => !s.keyIds.has(k))];
const linksFile = async (d = dir) => JSON.parse(await readFile(join(d, LINKS_FILE), 'utf8')) as { links: Record<string, unknown> };

describe('state store', () => {
  it('starts empty when there is no file, and writes its three files mode 0600 with no temp file left', async () => {
    const store = createStateStore(join(dir, 'state'));
    const empty = await store.load();
    expect({ ...empty, keyIds: empty.keyIds.size }).toEqual({ version: 1, keyIds: 0, links: {} });
    await store.update((s) => {
      s.keyIds.add('k1', { link: 'L1', at: '2026-01-01T00:00:00.000Z' });
    });
    for (const f of [STATE_FILE, LINKS_FILE, KEY_IDS_FILE]) expect((await stat(join(dir, 'state', f))).mode & 0o777).toBe(0o600);
    expect((await readdir(join(dir, 'state'))).sort()).toEqual([KEY_IDS_FILE, LINKS_FILE, STATE_FILE]);
    const again = createStateStore(join(dir, 'state'));
    expect(await (await again.load()).keyIds.find('k1')).toEqual({ link: 'L1', at: '2026-01-01T00:00:00.000Z' });
  });

  it('serialises concurrent updates', async () => {
    const store = createStateStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update((s) => void (s.keyIds.add(`k${i}`, { link: 'L', at: 'x' })))));
    expect(await logLines()).toHaveLength(20);
    expect((await createStateStore(dir).load()).keyIds.size).toBe(20);
  });

  it('a write that fails names the file; the ops before it stand, and the next update reads the files afresh', async () => {
    const store = createStateStore(dir);
    await store.update((s) => void s.keyIds.add('k1', { link: 'L1', at: 'x' }));
    // The state file's temp file path taken by a directory: its replacement fails (the key_ID log's append before it does not).
    const tmp = join(dir, `${STATE_FILE}.${process.pid}.tmp`);
    await mkdir(tmp);
    const failed = store.update((s) => void s.keyIds.add('k2', { link: 'L2', at: 'x' }));
    await expect(failed).rejects.toThrow(StateError);
    await expect(failed).rejects.toThrow(`cannot replace ${join(dir, STATE_FILE)}: EISDIR`);
    await expect(failed).rejects.toMatchObject({ file: join(dir, STATE_FILE) });
    expect(await logLines()).toHaveLength(2); // k2's append came first and stands
    await rm(tmp, { recursive: true });
    await store.update((s) => void s.keyIds.add('k3', { link: 'L3', at: 'x' }));
    expect((await logLines()).map((l) => (JSON.parse(l) as { keyId: string }).keyId)).toEqual(['k1', 'k2', 'k3']); // k2 read back, not appended again
    expect(ids(await createStateStore(dir).load(), ['k1', 'k2', 'k3'])).toEqual([3, []]);
  });

  it('appends only new key_IDs: a journal write leaves the key_ID log alone and the state file holds none', async () => {
    const store = createStateStore(dir);
    await store.update((s) => void (s.keyIds.add('k1', { link: 'L1', at: 'x' })));
    const size = (await stat(join(dir, KEY_IDS_FILE))).size;
    for (let i = 0; i < 5; i++) {
      await store.update((s) => {
        s.keyIds.add('k1', { link: 'L1', at: 'y' }); // what the engine's journal writes do: the first record stands
        (s.journals ??= {})['c1'] = { cycleId: 'c1', startedAt: 'x', startsAt: 'y', links: {} };
        s.links['L1'] = { lastAttempt: String(i) };
      });
    }
    expect((await stat(join(dir, KEY_IDS_FILE))).size).toBe(size);
    expect(await stateFile()).toEqual({ version: 2, journals: { c1: { cycleId: 'c1', startedAt: 'x', startsAt: 'y', links: {} } } });
    expect(await linksFile()).toEqual({ links: { L1: { lastAttempt: '4' } } });
    await store.update((s) => void (s.keyIds.add('k2', { link: 'L2', at: 'z', kind: 'fallback' })));
    expect((await logLines()).map((l) => JSON.parse(l) as unknown)).toEqual([
      { keyId: 'k1', link: 'L1', at: 'x' },
      { keyId: 'k2', link: 'L2', at: 'z', kind: 'fallback' },
    ]);
  });

  it('rewrites the links file only when a link changed, however deep the change', async () => {
    const store = createStateStore(dir);
    await store.update((s) => void (s.links['L1'] = { keyId: 'a', slots: { r1: 1, r2: 1 } }));
    const first = (await stat(join(dir, LINKS_FILE))).ino;
    for (let i = 0; i < 3; i++) await store.update((s) => void ((s.journals ??= {})[`c${i}`] = { cycleId: `c${i}`, startedAt: 'x', startsAt: 'y', links: {} }));
    expect((await stat(join(dir, LINKS_FILE))).ino).toBe(first); // journal writes: not replaced
    await store.update((s) => void (s.links['L1']!.slots!['r2'] = 2)); // changed in place, two levels down
    expect((await stat(join(dir, LINKS_FILE))).ino).not.toBe(first);
    expect((await linksFile()).links).toEqual({ L1: { keyId: 'a', slots: { r1: 1, r2: 2 } } });
    expect((await createStateStore(dir).load()).links['L1']?.slots).toEqual({ r1: 1, r2: 2 });
    const second = (await stat(join(dir, LINKS_FILE))).ino;
    await store.update((s) => void (s.links['L1']!.slots!['r2'] = 2)); // read, set, but equal: not replaced
    expect((await stat(join(dir, LINKS_FILE))).ino).toBe(second);
    const { links } = await store.load();
    await store.update((s) => void (s.links = { ...links, L2: { keyId: 'b' } })); // replaced wholesale
    expect(Object.keys((await linksFile()).links).sort()).toEqual(['L1', 'L2']);
  });

  it('an update still sees changes another writer made to either file since its own last write', async () => {
    const store = createStateStore(dir);
    await store.update((s) => void (s.keyIds.add('mine', { link: 'L', at: 'x' })));
    await store.update((s) => void (s.keyIds.add('mine2', { link: 'L', at: 'x' })));
    const outside = await linksFile();
    outside.links['M'] = { lastError: 'theirs' };
    await writeFile(join(dir, LINKS_FILE), JSON.stringify(outside, null, 2));
    await appendFile(join(dir, KEY_IDS_FILE), `${JSON.stringify({ keyId: 'theirs', link: 'M', at: 'y' })}\n`);
    const after = await store.update((s) => void (s.keyIds.add('mine3', { link: 'L', at: 'x' })));
    expect(ids(after, ['mine', 'mine2', 'mine3', 'theirs'])).toEqual([4, []]);
    expect(after.links['M']?.lastError).toBe('theirs');
    expect(await logLines()).toHaveLength(4);
  });

  it('names the file, and the field, when it is not a state', async () => {
    await writeFile(join(dir, STATE_FILE), '{"version": 3}');
    await expect(createStateStore(dir).load()).rejects.toThrow(StateError);
    await writeFile(join(dir, STATE_FILE), 'not json');
    await expect(createStateStore(dir).load()).rejects.toThrow(/rotator-state\.json is not valid JSON/);
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ version: 1, keyIds: {}, links: { L1: { slots: { r1: 'three' } } } }));
    await expect(createStateStore(dir).load()).rejects.toThrow(/rotator-state\.json is not a rotator state: links\.L1\.slots\.r1: .*number/);
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ version: 2 }));
    await writeFile(join(dir, LINKS_FILE), JSON.stringify({ links: { L1: { lastSuccess: 5 } } }));
    await expect(createStateStore(dir).load()).rejects.toThrow(/links file .*rotator-links\.json is not a rotator state: links\.L1\.lastSuccess: .*string/);
    await rm(join(dir, LINKS_FILE));
    await writeFile(join(dir, STATE_FILE), JSON.stringify({ version: 2, links: {}, journals: { c1: { cycleId: 'c1', startedAt: 'x', startsAt: 'y', links: { L1: { keyId: 'k' } } } } }));
    await expect(createStateStore(dir).load()).rejects.toThrow(/journals\.c1\.links\.L1\.ckn/);
  });

  it('names the key_ID log and the line when a complete line is not an entry', async () => {
    await writeFile(join(dir, KEY_IDS_FILE), `${JSON.stringify({ keyId: 'k1', link: 'L', at: 'x' })}\n{"keyId":"k2"}\n`);
    await expect(createStateStore(dir).load()).rejects.toThrow(/rotator-keyids\.jsonl line 2 is not a key_ID entry: link/);
    await writeFile(join(dir, KEY_IDS_FILE), `garbage\n${JSON.stringify({ keyId: 'k1', link: 'L', at: 'x' })}\n`);
    await expect(createStateStore(dir).load()).rejects.toThrow(/rotator-keyids\.jsonl line 1 is not valid JSON/);
  });

  it('migrates a version 1 state file (keyIds inside): read as it is, moved to the log by the first write', async () => {
    const v1 = {
      version: 1,
      keyIds: { a: { link: 'L1', at: 't1' }, b: { link: 'L1', at: 't2', kind: 'fallback' } },
      links: { L1: { keyId: 'a', ckn: 'c', slots: { r1: 3 }, fallback: { keyId: 'b', ckn: 'd', installedAt: 't2' } } },
      journals: { c9: { cycleId: 'c9', startedAt: 'x', startsAt: 'y', links: { L1: { keyId: 'a', ckn: 'c', keyChain: 'KC', connectivityAssociation: 'CA', mode: 'key-chain', ends: [{ device: 'r1', slot: 3, phase: 'staged' }] } } } },
    };
    await writeFile(join(dir, STATE_FILE), JSON.stringify(v1));
    const loaded = await createStateStore(dir).load();
    expect(await plain(loaded, ['a', 'b'])).toEqual(v1);

    // Killed mid-migration: the log got `a`, the file is still version 1. Nothing is lost or doubled.
    await writeFile(join(dir, KEY_IDS_FILE), `${JSON.stringify({ keyId: 'a', link: 'L1', at: 't1' })}\n`);
    const store = createStateStore(dir);
    expect(ids(await store.load(), ['a', 'b'])).toEqual([2, []]);
    await store.update((s) => void (s.links['L1']!.lastAttempt = 'now'));
    expect((await logLines()).map((l) => (JSON.parse(l) as { keyId: string }).keyId)).toEqual(['a', 'b']);
    expect(await stateFile()).toEqual({ version: 2, journals: v1.journals });
    expect((await linksFile()).links).toEqual({ L1: { ...v1.links.L1, lastAttempt: 'now' } });
    const again = await createStateStore(dir).load();
    expect(await plain(again, ['a', 'b'])).toEqual({ ...v1, links: { L1: { ...v1.links.L1, lastAttempt: 'now' } } });
  });

  it('ignores a torn last line of the key_ID log, and cuts it off before the next append', async () => {
    const store = createStateStore(dir);
    await store.update((s) => void (s.keyIds.add('k1', { link: 'L', at: 'x' })));
    await appendFile(join(dir, KEY_IDS_FILE), '{"keyId":"k2","li'); // what a SIGKILL mid-append can leave
    const next = createStateStore(dir);
    expect(ids(await next.load(), ['k1'])).toEqual([1, []]);
    await next.update((s) => void (s.keyIds.add('k3', { link: 'L', at: 'y' })));
    expect((await logLines()).map((l) => (JSON.parse(l) as { keyId: string }).keyId)).toEqual(['k1', 'k3']);
  });

  it('a writer SIGKILLed mid-append loses no acknowledged key_ID and leaves a state the next run loads and extends', async () => {
    const out = await runUntilKilled(dir, [], 40);
    const acknowledged = out.split('\n').filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);
    const store = createStateStore(dir);
    const state = await store.load();
    for (const k of acknowledged) expect(state.keyIds.has(k), k).toBe(true);
    await store.update((s) => void (s.keyIds.add('after-kill', { link: 'L', at: 'z' })));
    const lines = await logLines();
    for (const l of lines) expect(() => JSON.parse(l) as unknown).not.toThrow();
    expect((await createStateStore(dir).load()).keyIds.has('after-kill')).toBe(true);
  });
});

/** Runs testing/kill-fixture.ts on `stateDir` and SIGKILLs it once it acknowledged `lines` key_IDs (plus `extraMs`); its stdout. */
async function runUntilKilled(stateDir: string, args: string[], lines: number, extraMs = 0): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./testing/kill-fixture.ts', import.meta.url)), stateDir, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (out.split('\n').length > lines) {
        clearInterval(check);
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, extraMs);
      }
    }, 5);
  });
  await new Promise((r) => child.once('exit', r));
  return out;
}

describe('key_ID archive', () => {
  const uuids = (n: number) => Array.from({ length: n }, () => randomUUID());

  it('merges the recent key_IDs into the archive between cycles, and a restart reads only the log after it', async () => {
    const store = createStateStore(dir, { compactAt: 100 });
    const batches = [uuids(60), uuids(60), uuids(60)];
    await store.update((s) => batches[0]!.forEach((k) => s.keyIds.add(k, { link: 'L1', at: 't1' })));
    expect((await store.load()).keyIds.recentSize).toBe(60);
    await store.update((s) => batches[1]!.forEach((k) => s.keyIds.add(k, { link: 'L2', at: 't2' })));
    expect((await store.load()).keyIds.recentSize).toBe(0); // 120 ≥ 100, no journal: merged
    expect(statSync(join(dir, KEY_ID_ARCHIVE_FILE)).size).toBe(64 + 120 * 16);
    await store.update((s) => batches[2]!.forEach((k) => s.keyIds.add(k, { link: 'L3', at: 't3' })));
    const restarted = (await createStateStore(dir).load()).keyIds;
    expect([restarted.size, restarted.recentSize]).toEqual([180, 60]);
    for (const k of batches.flat()) expect(restarted.has(k), k).toBe(true);
    expect(restarted.has(randomUUID())).toBe(false);
    expect(await restarted.find(batches[0]![7]!)).toEqual({ link: 'L1', at: 't1' }); // archived: read back from the log
    await createStateStore(dir, { compactAt: 100 }).update((s) => void s.keyIds.add(batches[1]![0]!, { link: 'again', at: 't4' }));
    expect((await readFile(join(dir, KEY_IDS_FILE), 'utf8')).split('\n').filter(Boolean)).toHaveLength(180); // known: not appended again
  });

  it('waits for the cycle to end (no journal) unless four times as many are waiting', async () => {
    const store = createStateStore(dir, { compactAt: 100 });
    const journal = { cycleId: 'c', startedAt: 'x', startsAt: 'y', links: {} };
    for (let i = 0; i < 3; i++) await store.update((s) => (uuids(110).forEach((k) => s.keyIds.add(k, { link: 'L', at: 'x' })), ((s.journals ??= {})['c'] = journal)));
    expect((await store.load()).keyIds.recentSize).toBe(330);
    await store.update((s) => void delete s.journals!['c']);
    expect((await store.load()).keyIds.recentSize).toBe(0);
    for (let i = 0; i < 4; i++) await store.update((s) => (uuids(110).forEach((k) => s.keyIds.add(k, { link: 'L', at: 'x' })), ((s.journals ??= {})['c'] = journal)));
    expect((await store.load()).keyIds.recentSize).toBe(0); // 440 ≥ 400: merged mid-cycle
    expect((await createStateStore(dir).load()).keyIds.size).toBe(770);
  });

  it('a merge that cannot write warns and costs memory only: the write it follows stands, a later write merges', async () => {
    const warnings: string[] = [];
    const store = createStateStore(dir, { compactAt: 50, warn: (m) => warnings.push(m) });
    await mkdir(join(dir, `${KEY_ID_ARCHIVE_FILE}.tmp`), { recursive: true }); // the merge's temp file cannot be opened
    const ids = uuids(60);
    await store.update((s) => ids.forEach((k) => s.keyIds.add(k, { link: 'L', at: 'x' })));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^cannot write key_ID archive ${join(dir, KEY_ID_ARCHIVE_FILE)}: .*; 60 key_IDs stay in memory until a later write merges them$`));
    expect((await store.load()).keyIds.recentSize).toBe(60);
    expect((await createStateStore(dir).load()).keyIds.size).toBe(60); // in the log all the same
    await rm(join(dir, `${KEY_ID_ARCHIVE_FILE}.tmp`), { recursive: true });
    await store.update((s) => void s.keyIds.add('one-more', { link: 'L', at: 'y' }));
    expect([(await store.load()).keyIds.recentSize, statSync(join(dir, KEY_ID_ARCHIVE_FILE)).size, warnings.length]).toEqual([0, 64 + 61 * 16, 1]);
    for (const k of ids) expect((await store.load()).keyIds.has(k), k).toBe(true);
  });

  it('rebuilds from the log when the archive is gone or does not match it; a reader writes nothing', async () => {
    const store = createStateStore(dir, { compactAt: 50 });
    const ids = uuids(120);
    await store.update((s) => ids.forEach((k) => s.keyIds.add(k, { link: 'L', at: 'x' })));
    const archive = join(dir, KEY_ID_ARCHIVE_FILE);
    expect(statSync(archive).size).toBe(64 + 120 * 16);
    for (const [i, damage] of [() => rm(archive), () => writeFile(archive, 'not an archive')].entries()) {
      await damage();
      const reader = (await createStateStore(dir, { compactAt: 50 }).load()).keyIds;
      expect([reader.size, reader.recentSize]).toEqual([120 + i, 120 + i]);
      for (const k of ids) expect(reader.has(k), k).toBe(true);
      expect(existsSync(archive) && statSync(archive).size > 64).toBe(false); // the reader wrote nothing
      const next = createStateStore(dir, { compactAt: 50 });
      await next.update((s) => void s.keyIds.add(`one-more-${i}`, { link: 'L', at: 'y' }));
      expect([(await next.load()).keyIds.recentSize, statSync(archive).size]).toEqual([0, 64 + (121 + i) * 16]);
    }
  });

  it('a SIGKILL during merges loses no acknowledged key_ID: the next load finds every one, from the archive or the log', async () => {
    for (const [lines, extraMs] of [[200, 0], [400, 7], [600, 23]] as const) {
      const d = await mkdtemp(join(tmpdir(), 'rotator-state-kill-'));
      try {
        const out = await runUntilKilled(d, ['compact'], lines, extraMs);
        const acknowledged = out.split('\n').filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
        expect(acknowledged.length).toBeGreaterThanOrEqual(lines);
        const state = await createStateStore(d).load();
        for (const k of acknowledged) expect(state.keyIds.has(k), k).toBe(true);
        expect(state.keyIds.size).toBeGreaterThanOrEqual(acknowledged.length);
      } finally {
        await rm(d, { recursive: true, force: true });
      }
    }
  }, 60_000);
});

