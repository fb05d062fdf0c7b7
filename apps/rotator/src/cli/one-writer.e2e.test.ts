// One writer per state directory, with real `qkd-macsec` processes against the simulators
// (sim-kme and sim-junos run in this test process; every CLI is its own process):
// - issue 10, finding 2: two `rotate`s at once on links sharing a device both exited 0 and one
//   overwrote the other's state (a key_ID vanished). Now one gets the lock error (exit 3) naming
//   the holder, or with --wait-lock waits; no key_ID is lost either way.
// - `rotate` while the daemon runs goes through the daemon; the state holds both key_IDs.
// - a lock left by a SIGKILLed `rotate` is taken over (logged, naming the dead pid) and its
//   journal resolved.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOLDER_FILE } from '../state/lock.js';
import { createStateStore, KEY_IDS_FILE, keyIdsInLog, type RotatorState } from '../state/index.js';
import { CONTROL_FILE } from './control/record.js';
import { downTimeAfterFirstSecured, startDemoWorld, type DemoWorld } from './demo/run-demo.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli.ts');
let world: DemoWorld;
let stateDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  world = await startDemoWorld({ leadTimeSeconds: 2 });
  // A long interval: the daemon rotates once at start, then only when asked.
  writeFileSync(world.configFile, readFileSync(world.configFile, 'utf8').replace('intervalSeconds: 60', 'intervalSeconds: 3600'));
  stateDir = join(world.dir, 'state');
  const init = await cli(['init']);
  expect(init.code, init.err).toBe(0);
}, 120_000);
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await world?.close();
});

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '-c', world.configFile, '--log-level', 'info', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, out, err });
    }),
  );
  return { child, out: () => out, err: () => err, done };
}

async function cli(args: string[]) {
  return start(args).done;
}

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The state, and the key_IDs its log holds at this moment. */
const state = async (): Promise<RotatorState & { ids: string[] }> => Object.assign(await createStateStore(stateDir).load(), { ids: await keyIdsInLog(join(stateDir, KEY_IDS_FILE)) });
const keyIdsOf = async (s: RotatorState & { ids: string[] }, link: string) => {
  const of: string[] = [];
  for (const k of s.ids) if ((await s.keyIds.find(k))?.link === link) of.push(k);
  return of;
};
const holderPid = async () => {
  try {
    return (JSON.parse(await readFile(join(stateDir, HOLDER_FILE), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
};

function expectNeverDown() {
  const now = world.junos.now();
  for (const c of world.cables) {
    expect(world.junos.linkStatus(c.id).state).toBe('secured');
    expect(downTimeAfterFirstSecured(world.junos.linkHistory(c.id).downIntervals, world.simStart, now).ms).toBe(0);
  }
}

describe('one writer per state directory (real processes)', () => {
  it('finding 2: two rotates of links sharing a device at once: one rotates, the other exits 3 naming the holder; no key_ID lost', async () => {
    const before = await state();
    // KME_A answers after 6 s (before anything is staged): the first rotate still holds the state
    // when the second starts, however loaded the machine.
    world.kme.setFaults('KME_A', { latencyMs: 6000 });
    const a = start(['rotate', '--link', 'dc1-dc2']);
    await until(holderPid, (p) => p === a.child.pid, 'the first rotate to hold the lock');
    const b = await cli(['rotate', '--link', 'dc1-edge']);
    world.kme.setFaults('KME_A', undefined);
    expect(b.code).toBe(3);
    expect(b.err).toMatch(new RegExp(`rotate: state directory ${stateDir} is locked by pid ${a.child.pid} \\(\`rotate\` on [^,]+, since \\S+\\): one process at a time writes a state directory\\.`));
    expect(b.err).toContain('Wait for it to finish and run this again, or add --wait-lock to wait for it');
    const first = await a.done;
    expect(first.code, first.err).toBe(0);
    const after = await state();
    for (const k of before.ids) expect(after.keyIds.has(k), k).toBe(true);
    expect(await keyIdsOf(after, 'dc1-dc2')).toHaveLength((await keyIdsOf(before, 'dc1-dc2')).length + 1);
    expect(after.links['dc1-dc2']?.keyId).toBe((await keyIdsOf(after, 'dc1-dc2')).find((k) => !before.keyIds.has(k)));
  }, 120_000);

  it('with --wait-lock the second waits and both rotate: the state holds both new key_IDs', async () => {
    const before = await state();
    // As above, KME_A holds the first rotate before anything is staged — until the second says it
    // waits (under load, a second process could otherwise start only after the first finished).
    world.kme.setFaults('KME_A', { latencyMs: 8000 }); // each request of the first: below its 10 s timeout
    const a = start(['rotate', '--link', 'dc1-dc2']);
    await until(holderPid, (p) => p === a.child.pid, 'the first rotate to hold the lock');
    const b = start(['--wait-lock', 'rotate', '--link', 'dc1-edge']);
    await until(() => b.err(), (e) => e.includes(`is locked by pid ${a.child.pid}`), 'the second rotate to wait for the lock');
    world.kme.setFaults('KME_A', undefined);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.err).toBe(0);
    expect(rb.code, rb.err).toBe(0);
    expect(rb.err).toContain(`is locked by pid ${a.child.pid}`);
    const after = await state();
    for (const k of before.ids) expect(after.keyIds.has(k), k).toBe(true);
    expect(await keyIdsOf(after, 'dc1-dc2')).toHaveLength((await keyIdsOf(before, 'dc1-dc2')).length + 1);
    expect(await keyIdsOf(after, 'dc1-edge')).toHaveLength((await keyIdsOf(before, 'dc1-edge')).length + 1);
    expect(after.journals).toBeUndefined();
    expectNeverDown();
  }, 120_000);

  it('rotate while the daemon runs goes through the daemon: same table, exit 0, and the state holds both key_IDs', async () => {
    const before = await state();
    const daemon = start(['run']);
    await until(() => daemon.out(), (o) => o.includes('control endpoint on '), 'the control endpoint');
    const control = JSON.parse(await readFile(join(stateDir, CONTROL_FILE), 'utf8')) as { url: string; pid: number };
    expect(control.pid).toBe(daemon.child.pid);
    // The daemon's own first cycle is in flight or done; ours queues behind it.
    const r = await cli(['rotate', '--link', 'dc2-dc4']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`the daemon (pid ${daemon.child.pid}) holds the state: rotating through it at ${control.url}`);
    expect(r.err).toMatch(/dc2-dc4: done key [0-9a-f-]{36}/);
    expect(r.out).toMatch(/^link +result +key_ID +devices +duration +error\n[- ]+\ndc2-dc4 +ok +[0-9a-f-]{36} +r2,r4 +\S+ \S+ +-\n\n1 ok, 0 failed in /);
    const viaDaemon = /dc2-dc4 +ok +([0-9a-f-]{36})/.exec(r.out)![1]!;

    // status goes through the daemon too.
    const st = await cli(['status', '--json']);
    expect(st.code, st.err).toBe(0);
    const view = JSON.parse(st.out) as { daemon?: { pid: number }; links: Array<{ link: string; keyId?: string }>; pending: unknown[] };
    expect(view.daemon?.pid).toBe(daemon.child.pid);
    expect(view.links.find((l) => l.link === 'dc2-dc4')?.keyId).toBe(viaDaemon);

    // `init` needs the state to itself: refused, naming the daemon and what to do.
    const init = await cli(['init']);
    expect(init.code).toBe(3);
    expect(init.err).toContain(`is locked by pid ${daemon.child.pid} (\`run\``);
    expect(init.err).toContain('It is the daemon: `rotate` and `status` go through it');

    daemon.child.kill('SIGTERM');
    const d = await daemon.done;
    expect(d.code, d.err).toBe(0);
    const after = await state();
    for (const k of before.ids) expect(after.keyIds.has(k), k).toBe(true);
    // The daemon's first cycle rotated dc2-dc4 and so did our rotate: two new key_IDs, both kept.
    const fresh = (await keyIdsOf(after, 'dc2-dc4')).filter((k) => !before.keyIds.has(k));
    expect(fresh).toHaveLength(2);
    expect(fresh).toContain(viaDaemon);
    expect(after.links['dc2-dc4']?.keyId).toBe(viaDaemon);
    await expect(readFile(join(stateDir, CONTROL_FILE))).rejects.toThrow(/ENOENT/);
    expectNeverDown();
  }, 180_000);

  it('a lock left by a SIGKILLed rotate is taken over at once (logged, naming the dead pid) and its journal resolved', async () => {
    const killed = start(['rotate', '--link', 'dc1-dc2']);
    await until(holderPid, (p) => p === killed.child.pid, 'the rotate to hold the lock');
    // Kill it mid-cycle once a key is staged somewhere (its journal is in the state).
    await until(state, (s) => Object.keys(s.journals ?? {}).length > 0, 'a journal');
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    const again = await cli(['rotate', '--link', 'dc1-dc2']);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toContain(`took over the lock of state directory ${stateDir} from pid ${killed.child.pid} (\`rotate\``);
    expect(again.err).toContain(`pid ${killed.child.pid} is no longer running`);
    expect((await state()).journals).toBeUndefined();
    expectNeverDown();
  }, 120_000);
});
