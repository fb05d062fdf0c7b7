import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOLDER_FILE, LOCK_DIR, STALE_MS, StateLockedError, acquireStateLock, assertStateWritable, readHolder, type StateLock } from './lock.js';
import { createStateStore, StateError } from './store.js';

let dir: string;
const held: StateLock[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotator-lock-'));
});
afterEach(async () => {
  for (const l of held.splice(0)) await l.release();
  await rm(dir, { recursive: true, force: true });
});

function logger() {
  const lines: string[] = [];
  const put = (level: string) => (...args: unknown[]) => lines.push(`${level} ${args.map(String).join(' ')}`);
  return { lines, info: put('INFO'), warn: put('WARN'), error: put('ERROR') };
}

async function take(command: string, log = logger(), extra: { wait?: boolean; signal?: AbortSignal } = {}) {
  const lock = await acquireStateLock(join(dir, 'state'), { command, logger: log, ...extra });
  held.push(lock);
  return lock;
}

/** A real process that has died: its pid is free (reaped) by the time this resolves. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return child.pid!;
}

describe('state directory lock', () => {
  it('creates the directory 0700, writes a holder record, and a second writer gets an error naming the holder', async () => {
    const first = await take('run');
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    expect(await readHolder(join(dir, 'state'))).toEqual({ pid: process.pid, command: 'run', host: hostname(), since: first.holder.since });
    const err = await acquireStateLock(join(dir, 'state'), { command: 'rotate', logger: logger() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockedError);
    expect((err as StateLockedError).holder).toEqual(first.holder);
    expect((err as Error).message).toBe(`state directory ${join(dir, 'state')} is locked by pid ${process.pid} (\`run\` on ${hostname()}, since ${first.holder.since})`);
    // Released: the record goes, and the next writer gets it without a takeover warning.
    await first.release();
    expect(await readHolder(join(dir, 'state'))).toBeUndefined();
    const log = logger();
    const second = await take('rotate', log);
    expect(second.held()).toBe(true);
    expect(log.lines).toEqual([]);
  });

  it('--wait-lock: waits until the holder releases', async () => {
    const first = await take('rotate');
    const log = logger();
    let got = false;
    const waiting = take('rotate', log, { wait: true }).then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 700));
    expect(got).toBe(false);
    expect(log.lines.join('\n')).toContain(`is locked by pid ${process.pid} (\`rotate\``);
    await first.release();
    expect((await waiting).held()).toBe(true);
  });

  it('a lock left by a dead process on this host is taken over at once, and the takeover is logged naming the dead pid', async () => {
    const pid = await deadPid();
    const state = join(dir, 'state');
    await mkdir(join(state, LOCK_DIR), { recursive: true });
    const since = new Date(Date.now() - 60_000).toISOString();
    await writeFile(join(state, HOLDER_FILE), JSON.stringify({ pid, command: 'rotate', host: hostname(), since }));
    // As fresh as a lock its holder refreshed just before it was killed.
    const now = new Date();
    await utimes(join(state, LOCK_DIR), now, now);
    const log = logger();
    const started = Date.now();
    const lock = await take('run', log);
    expect(Date.now() - started).toBeLessThan(STALE_MS); // not the full staleness: the pid is known dead
    expect(lock.held()).toBe(true);
    expect(log.lines).toEqual([
      `WARN took over the lock of state directory ${state} from pid ${pid} (\`rotate\` on ${hostname()}, since ${since}): pid ${pid} is no longer running; what it left unfinished is resolved from the journal`,
    ]);
    expect(JSON.parse(await readFile(join(state, HOLDER_FILE), 'utf8'))).toMatchObject({ pid: process.pid, command: 'run' });
  });

  it('a stale lock of a holder elsewhere (mtime older than the staleness) is taken over and logged', async () => {
    const state = join(dir, 'state');
    await mkdir(join(state, LOCK_DIR), { recursive: true });
    await writeFile(join(state, HOLDER_FILE), JSON.stringify({ pid: 4242, command: 'run', host: 'other-host', since: '2026-01-01T00:00:00.000Z' }));
    const old = new Date(Date.now() - STALE_MS - 5000);
    await utimes(join(state, LOCK_DIR), old, old);
    const log = logger();
    await take('rotate', log);
    expect(log.lines[0]).toContain('from pid 4242 (`run` on other-host, since 2026-01-01T00:00:00.000Z): it stopped refreshing it');
  });

  it('a holder whose lock was taken over writes no more state', async () => {
    const state = join(dir, 'state');
    const log = logger();
    const lock = await take('run', log);
    const store = createStateStore(state);
    await store.update((s) => void (s.keyIds.add('k1', { link: 'L1', at: 'x' })));
    // Another process breaks the lock and makes its own.
    await rmdir(join(state, LOCK_DIR));
    await mkdir(join(state, LOCK_DIR));
    expect(() => assertStateWritable(state)).toThrow(/this process lost its lock \(another process has taken it over\)/);
    await expect(store.update((s) => void (s.keyIds.add('k2', { link: 'L1', at: 'x' })))).rejects.toThrow(StateError);
    const after = (await createStateStore(state).load()).keyIds;
    expect([after.size, after.has('k1')]).toEqual([1, true]);
    // proper-lockfile notices too (mtime not ours) and the loss is logged.
    for (let i = 0; i < 40 && lock.held(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(lock.held()).toBe(false);
    expect(log.lines.join('\n')).toMatch(/ERROR lost the lock of state directory .*this process writes no more state/);
    await lock.release(); // leaves the other holder's lock alone
    expect((await stat(join(state, LOCK_DIR))).isDirectory()).toBe(true);
  });

  it('update() reads the file afresh: a write by another store instance is not lost', async () => {
    const state = join(dir, 'state');
    const a = createStateStore(state);
    const b = createStateStore(state);
    await a.load();
    await b.update((s) => void (s.keyIds.add('fromB', { link: 'L', at: 'x' })));
    await a.update((s) => void (s.keyIds.add('fromA', { link: 'L', at: 'x' })));
    const both = (await createStateStore(state).load()).keyIds;
    expect([both.size, both.has('fromA'), both.has('fromB')]).toEqual([2, true, true]);
  });
});
