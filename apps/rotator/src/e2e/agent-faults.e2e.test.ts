// Issue 11's fault tests in agent mode: three sites (dc1: r1 r3 in this process; dc2: r2 and dc3: r4
// as real `qkd-macsec agent` child processes), each with its own sim-kme KME, sim-junos devices over
// real SSH/NETCONF, mutual TLS between the coordinator (createRotator here, sites-only config) and
// the agents. L1 r1→r2 (dc1→dc2), L2 r3→r4 (dc1→dc3), L3 r4→r2 (dc3→dc2, its master behind a child).
// Every fault ends with zero link-down time on the simulator and no key_ID installed twice.
import { randomUUID } from 'node:crypto';
import { createCa, issueCertificate } from '@qkd-macsec/cert-lcm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentError, createAgentClient, type SiteConfig } from '../agent/client/index.js';
import { resolveRetry, send, type Transport } from '../agent/client/request.js';
import { agentDispatcher } from '../agent/client/tls.js';
import { ENDPOINTS } from '../agent/protocol/schemas.js';
import { startSitesBench, type SitesBench } from '../agent/simulated-sites.js';
import type { CycleReport, EngineHooks, EngineLink } from '../engine/index.js';
import type { Journal } from '../state/types.js';
import { portOf, startAgentChild, type AgentChild } from './testing/agent-child.js';
import { startTcpProxy } from './testing/tcp-proxy.js';
import { coordinators, type Coordinators, type CoordinatorOptions } from './testing/agent-coordinator.js';

const LINKS: EngineLink[] = [
  { name: 'L1', master: { device: 'r1', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/0'] }] },
  { name: 'L2', master: { device: 'r3', interfaces: ['et-0/0/0'] }, slaves: [{ device: 'r4', interfaces: ['et-0/0/0'] }] },
  { name: 'L3', master: { device: 'r4', interfaces: ['et-0/0/1'] }, slaves: [{ device: 'r2', interfaces: ['et-0/0/1'] }] },
];
const ALL = ['L1', 'L2', 'L3'];
/** dc3's links: both have an end on r4. */
const DC3 = ['L2', 'L3'];

let bench: SitesBench;
let coord: Coordinators;
const children: Record<string, AgentChild> = {};
let since = 0;
/** Every key_ID a cycle reported installed ('ok'), in order: none may come twice. */
const installed: string[] = [];
/** key_IDs of transactions that were rolled back: none may be installed later. */
const rolledBack = new Set<string>();

beforeAll(async () => {
  bench = await startSitesBench({
    sites: { dc1: { devices: ['r1', 'r3'] }, dc2: { devices: ['r2'] }, dc3: { devices: ['r4'] } },
    links: [
      ['L1', 'r1:et-0/0/0', 'r2:et-0/0/0'],
      ['L2', 'r3:et-0/0/0', 'r4:et-0/0/0'],
      ['L3', 'r4:et-0/0/1', 'r2:et-0/0/1'],
    ],
  });
  const [dc2, dc3] = await Promise.all([startAgentChild(bench, 'dc2'), startAgentChild(bench, 'dc3')]);
  children.dc2 = dc2;
  children.dc3 = dc3;
  coord = await coordinators(bench, LINKS);
  const r = coord.start();
  try {
    const init = await r.init();
    expect(init.errors).toEqual([]);
  } finally {
    await r.close();
  }
  for (const id of ALL) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
  since = bench.junos.now();
}, 120_000);
// A test that failed half-way must not take the next ones with it: every child agent runs again.
afterEach(async () => {
  for (const [site, c] of Object.entries(children)) if (!c.alive()) await restartAgent(site, portOf(c.url));
  for (const d of ['r1', 'r2', 'r3', 'r4']) bench.junos.setFaults(d, {});
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(Object.values(children).map((c) => c.kill()));
  await coord?.close();
  await bench?.close();
});

/** One rotation by a fresh coordinator; its report, with every installed key_ID noted. */
async function rotate(options: CoordinatorOptions = {}): Promise<CycleReport> {
  const r = coord.start(options);
  try {
    return note(await r.rotate());
  } finally {
    await r.close();
  }
}

function note(report: CycleReport): CycleReport {
  for (const l of report.links) {
    if (l.result === 'ok' && l.keyId) installed.push(l.keyId);
    else if (l.keyId) rolledBack.add(l.keyId);
  }
  return report;
}

const results = (report: CycleReport) => report.links.map((l) => [l.link, l.result]).sort();
const failedWith = (report: CycleReport, link: string) => report.links.find((l) => l.link === link)?.error?.message ?? '';

/** SIGKILL the site's child agent, then start it again on the same port (its keys are gone). */
async function killAgent(site: string): Promise<number> {
  const port = portOf(children[site]!.url);
  await children[site]!.kill();
  return port;
}
async function restartAgent(site: string, port: number): Promise<void> {
  children[site] = await startAgentChild(bench, site, port);
}

/** Calls `fn` once, when every one of `links` has reached `point` (each waits there until then). */
function atEvery(point: string, links: string[], fn: () => Promise<void>): EngineHooks {
  const reached = new Set<string>();
  let release: () => void;
  const all = new Promise<void>((r) => (release = r));
  let ran = false;
  return {
    async pause(p, info) {
      if (p !== point || info.kind === 'fallback') return;
      for (const l of info.links) if (links.includes(l)) reached.add(l);
      if (!info.links.some((l) => links.includes(l))) return;
      if (links.every((l) => reached.has(l)) && !ran) {
        ran = true;
        await fn();
        release();
      }
      await all;
    },
  };
}

/** Polls `count` (a device's RPC counter): once it has grown and then stood still for 1 s — the
 *  device is inside a slow commit (5 s) — SIGKILLs the site's agent. Resolves with the agent's port. */
async function killWhenQuiet(count: () => number, site: string): Promise<number> {
  const base = count();
  let last = base;
  let stillSince = Date.now();
  const end = Date.now() + 30_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const now = count();
    if (now !== last) [last, stillSince] = [now, Date.now()];
    if (last > base && Date.now() - stillSince >= 1000) return killAgent(site);
    if (Date.now() > end) throw new Error(`no RPC reached the device of ${site} within 30 s`);
  }
}

let lastJournal: Journal | undefined;

async function until(ok: () => boolean, what: string, ms = 20_000, poll?: () => Promise<void>): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    await poll?.();
    if (ok()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What every test ends with: all links secured, no down time, no journal left, no key_ID twice. */
async function expectSettled(): Promise<void> {
  for (const id of ALL) expect(bench.junos.linkStatus(id).state, id).toBe('secured');
  expect(bench.junos.downIntervalsSince(since)).toEqual([]);
  const state = await coord.state();
  expect(state.journals ?? {}).toEqual({});
  expect(new Set(installed).size).toBe(installed.length);
  for (const k of installed) expect(rolledBack.has(k), `rolled-back key ${k} installed`).toBe(false);
  // The state's key of each link is the last one a cycle installed for it.
  for (const link of ALL) expect(installed).toContain(state.links[link]!.keyId);
  // The CKN the state names is the one the link runs on.
  for (const link of ALL) {
    const { a, b } = bench.junos.linkStatus(link);
    expect([a.ckn?.toLowerCase(), b.ckn?.toLowerCase()], link).toEqual([state.links[link]!.ckn!.toLowerCase(), state.links[link]!.ckn!.toLowerCase()]);
  }
}

describe('site agent faults (agent mode, zero down time)', () => {
  it('1. an agent down before the cycle: its site\'s links fail naming it, the others rotate; back up, they rotate', async () => {
    const port = await killAgent('dc3');
    const down = await rotate();
    expect(results(down)).toEqual([['L1', 'ok'], ['L2', 'failed'], ['L3', 'failed']]);
    for (const l of DC3) {
      expect(failedWith(down, l)).toContain('r4');
      expect(failedWith(down, l)).toContain('agent dc3');
    }
    // Nothing was fetched for them: the read of r4 failed first.
    for (const l of DC3) expect(down.links.find((x) => x.link === l)!.keyId).toBeUndefined();
    await restartAgent('dc3', port);
    const up = await rotate();
    expect(results(up)).toEqual(ALL.map((l) => [l, 'ok']));
    await expectSettled();
  }, 120_000);

  it('2. an agent SIGKILLed while its device stages (before the decision): the link rolls back, resume settles it once the agent is back', async () => {
    const r4 = bench.junos.device('r4');
    const commits = r4.history().length;
    let killed: Promise<number> | undefined;
    // Once every link is journalled, r4's commit takes 5 s: dc3's agent is killed inside it, after
    // the commit confirmed was sent, before its answer. The device applies it anyway. Before the
    // coordinator waits for its start-time (the simulator's clock jumps then), the commit is in.
    const journaled = atEvery('journaled', ALL, async () => {
      bench.junos.setFaults('r4', { commitLatencyMs: 5000 });
      killed = killWhenQuiet(() => r4.stats().rpcs, 'dc3');
    });
    const hooks: EngineHooks = {
      async pause(point, info) {
        await journaled.pause!(point, info);
        if (point === 'confirmed') {
          await killed;
          await until(() => r4.history().length > commits, 'the commit on r4');
        }
      },
    };
    const r = coord.start({ hooks });
    try {
      const report = note(await r.rotate());
      expect(results(report)).toEqual([['L1', 'ok'], ['L2', 'failed'], ['L3', 'failed']]);
      for (const l of DC3) expect(failedWith(report, l)).toMatch(/staging on r4 failed: .*agent dc3/);
      // r4's commit ran to its end after its agent died (the simulator, like Junos, drops a dead
      // session's uncommitted edits: an empty commit confirmed); no other end holds the new keys
      // (r2 and r3 took them back off in their confirm). The journal keeps L2 and L3 for r4.
      expect(r4.history().length).toBeGreaterThan(commits);
      const journal = Object.values((await coord.state()).journals ?? {});
      expect(journal.flatMap((j) => Object.keys(j.links)).sort()).toEqual(DC3);
      const ckns = journal.flatMap((j) => Object.values(j.links).map((l) => l.ckn));
      expect(ckns).toHaveLength(2);
      for (const ckn of ckns) for (const d of ['r2', 'r3']) expect(bench.junos.device(d).committedText()).not.toContain(ckn);
      // Still down: resume cannot reach r4 and keeps the journal.
      expect((await r.resume()).filter((x) => x.outcome !== 'alarm')).toEqual([]);
      expect(Object.keys((await coord.state()).journals ?? {})).toHaveLength(1);
      await restartAgent('dc3', await killed!);
      const resumed = await r.resume();
      expect(resumed.map((x) => [x.link, x.outcome]).sort()).toEqual(DC3.map((l) => [l, 'rolled-back']));
      for (const ckn of ckns) for (const d of ['r2', 'r3', 'r4']) expect(bench.junos.device(d).committedText()).not.toContain(ckn);
      expect((await coord.state()).journals ?? {}).toEqual({});
    } finally {
      bench.junos.setFaults('r4', {});
      await r.close();
    }
    // The pending commit's timeout passes: nothing rolls back to the dead keys.
    bench.junos.advance(3 * bench.junos.confirmMinuteMs);
    expect(results(await rotate())).toEqual(ALL.map((l) => [l, 'ok']));
    await expectSettled();
  }, 120_000);

  it('3. an agent SIGKILLed after the decision: resume confirms the rest through the restarted agent (no key needed), the link ends on the new key', async () => {
    // Every link decided (the decision is on disk), no confirm sent: the coordinator stops there for
    // good (as if killed with its agent), and dc3's agent is SIGKILLed.
    const frozen = coord.start({ hooks: atEvery('decided', ALL, async () => void (await new Promise(() => undefined))) });
    void frozen.rotate();
    await until(() => Object.values(lastJournal?.decision?.links ?? []).length === ALL.length, 'the decision on disk', 60_000, async () => {
      lastJournal = Object.values((await coord.state()).journals ?? {})[0];
    });
    const keys = Object.fromEntries(Object.entries(lastJournal!.links).map(([l, x]) => [l, x.keyId]));
    const port = await killAgent('dc3');
    await restartAgent('dc3', port);
    const r = coord.start();
    const from = coord.exchanges.length;
    try {
      const resumed = await r.resume();
      expect(resumed.map((x) => [x.link, x.outcome]).sort()).toEqual(ALL.map((l) => [l, 'completed']));
      // The restarted agent holds no key, and none was asked for: confirming needs none.
      const asked = coord.exchanges.slice(from);
      expect(asked.some((e) => e.site === 'dc3' && e.path === '/v1/devices/confirm-pending')).toBe(true);
      expect(asked.filter((e) => e.path.startsWith('/v1/keys/'))).toEqual([]);
      for (const l of ALL) installed.push(keys[l]!);
      const state = await coord.state();
      for (const l of ALL) expect(state.links[l]!.keyId).toBe(keys[l]);
    } finally {
      await r.close();
    }
    bench.junos.advance(3 * bench.junos.confirmMinuteMs);
    await expectSettled();
    expect(results(await rotate())).toEqual(ALL.map((l) => [l, 'ok']));
    await expectSettled();
  }, 120_000);

  it('4. an agent that restarts between fetch and stage has lost its keys: 409 key-not-held, the link rolls back; the next cycle rotates it', async () => {
    const r4 = bench.junos.device('r4');
    const commits = r4.history().length;
    const report = await rotate({ hooks: atEvery('journaled', ALL, async () => restartAgent('dc3', await killAgent('dc3'))) });
    expect(results(report)).toEqual([['L1', 'ok'], ['L2', 'failed'], ['L3', 'failed']]);
    for (const l of DC3) {
      expect(failedWith(report, l)).toMatch(/agent dc3 does not hold key .* \(restarted, expired or released\); nothing was loaded on r4/);
      expect(failedWith(report, l)).toContain('agent dc3');
    }
    // Nothing was loaded on r4: the agent refused before touching it.
    expect(r4.history().length).toBe(commits);
    // Their key_IDs are spent (in keyIds, so never taken again) and installed nowhere.
    const state = await coord.state();
    for (const l of DC3) expect((await state.keyIds.find(report.links.find((x) => x.link === l)!.keyId!))?.link).toBe(l);
    expect((await coord.state()).journals ?? {}).toEqual({});
    expect(results(await rotate())).toEqual(ALL.map((l) => [l, 'ok']));
    await expectSettled();
  }, 120_000);

  it('5. a slow agent (its path delayed, its device committing slower than the request timeout): the cycle completes with one enc_keys per link and one commit per stage and confirm', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: portOf(children.dc2!.url) }, { delayMs: 150 });
    const keys = bench.issuedKeys.length;
    const history = Object.fromEntries(['r1', 'r2', 'r3', 'r4'].map((d) => [d, bench.junos.device(d).history().length]));
    bench.junos.setFaults('r2', { commitLatencyMs: 1500 });
    const lines = coord.logger.lines.length;
    try {
      // Each attempt gets 1 s: r2's stage and confirm time out once or more and are retried with the
      // same requestId, which the agent answers with the first (still running) commit.
      const report = await rotate({ urls: { dc2: proxy.url }, timeoutMs: 1000, retries: 6 });
      expect(results(report)).toEqual(ALL.map((l) => [l, 'ok']));
    } finally {
      bench.junos.setFaults('r2', {});
      await proxy.close();
    }
    const retried = coord.logger.lines.slice(lines).filter((l) => /agent dc2 \/v1\/devices\/(stage|confirm-staged): retry/.test(l));
    expect(retried.length, 'the slow commits were retried').toBeGreaterThan(0);
    expect(bench.issuedKeys.length - keys).toBe(ALL.length);
    for (const [d, n] of Object.entries(history)) expect(bench.junos.device(d).history().length - n, d).toBe(2);
    await expectSettled();
  }, 120_000);

  it('6. a partition between the coordinator and dc3 right after r4 staged: the other sites rotate, dc3\'s links roll back and settle when it heals', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: portOf(children.dc3!.url) });
    const hooks: EngineHooks = {
      async pause(point, info) {
        if (point === 'device-staged' && info.device === 'r4' && info.kind !== 'fallback') proxy.cut();
      },
    };
    const r = coord.start({ urls: { dc3: proxy.url }, timeoutMs: 1000, retries: 1, hooks });
    try {
      const report = note(await r.rotate());
      expect(results(report)).toEqual([['L1', 'ok'], ['L2', 'failed'], ['L3', 'failed']]);
      for (const l of DC3) expect(failedWith(report, l)).toMatch(/on r4 failed: .*agent dc3 .*no answer within 1000 ms/);
      // Partitioned: the journal keeps L2 and L3 (r4 could not be told), resume cannot settle them.
      const journal = Object.values((await coord.state()).journals ?? {});
      expect(journal.flatMap((j) => Object.keys(j.links)).sort()).toEqual(DC3);
      expect((await r.resume()).filter((x) => x.outcome !== 'alarm')).toEqual([]);
      proxy.heal();
      const resumed = await r.resume();
      expect(resumed.map((x) => [x.link, x.outcome]).sort()).toEqual(DC3.map((l) => [l, 'rolled-back']));
      const ckns = journal.flatMap((j) => Object.values(j.links).map((l) => l.ckn));
      for (const ckn of ckns) for (const d of ['r2', 'r3', 'r4']) expect(bench.junos.device(d).committedText()).not.toContain(ckn);
    } finally {
      proxy.heal();
      await r.close();
      await proxy.close();
    }
    expect(results(await rotate())).toEqual(ALL.map((l) => [l, 'ok']));
    await expectSettled();
  }, 120_000);

  describe('7. a running child agent (dc2) and callers that are not the coordinator, or repeat themselves', () => {
    const quiet = { warn: () => undefined, debug: () => undefined };
    const enc = (tx: string) => ({ tx, link: 'L1', masterSae: 'SAE_r2', slaveSaes: ['SAE_r1'], cipherSuite: 'gcm-aes-256' as const, ckn: { strategy: 'sha256-keyid' as const }, kind: 'primary' as const });

    async function refused(agent: Partial<SiteConfig['agent']>): Promise<unknown> {
      const keys = bench.issuedKeys.length;
      const rpcs = bench.junos.device('r2').stats().rpcs;
      const c = createAgentClient({ ...bench.sites.dc2!, agent: { ...bench.sites.dc2!.agent, ...agent } }, { logger: quiet, retry: false });
      try {
        const first = await c.encKey(enc(randomUUID())).then(() => undefined, (e: unknown) => e);
        const read = await c.device('r2').readMacsec().then(() => undefined, (e: unknown) => e);
        expect(read).toBeInstanceOf(AgentError);
        // Refused before any work: no KME request, no device RPC.
        expect(bench.issuedKeys.length).toBe(keys);
        expect(bench.junos.device('r2').stats().rpcs).toBe(rpcs);
        return first;
      } finally {
        await c.close();
      }
    }

    it('a client certificate from another CA is refused at the handshake', async () => {
      const forged = await bench.writeCredential('forged-ca', await issueCertificate({ issuer: await createCa({ commonName: 'forger CA' }), profile: 'client', commonName: 'coordinator' }));
      expect(await refused(forged)).toMatchObject({ site: 'dc2', status: 0, code: 'unreachable' });
      await until(() => children.dc2!.output().includes('at the handshake'), 'the agent\'s handshake refusal in its log');
    });

    it('the right CA but another name: 403, nothing done', async () => {
      const wrong = await bench.writeCredential('wrong-name', await issueCertificate({ issuer: bench.pki.coordinatorsCa, profile: 'client', commonName: 'intruder' }));
      expect(await refused(wrong)).toMatchObject({ site: 'dc2', status: 403, code: 'forbidden' });
      expect(children.dc2!.output()).toMatch(/CN=intruder.*wrong-name/);
    });

    it('a replayed request (same requestId, same body) over the real wire: one enc_keys, one commit', async () => {
      const s = bench.sites.dc2!;
      const t: Transport = { site: 'dc2', url: s.agent.url, dispatcher: agentDispatcher('dc2', s.agent), timeoutMs: 10_000, retry: resolveRetry(false), logger: quiet };
      const tx = randomUUID();
      try {
        const keys = bench.issuedKeys.length;
        const body = { requestId: randomUUID(), ...enc(tx) };
        const answers = await Promise.all([0, 1].map(() => send(t, ENDPOINTS.encKey.path, 'post', body, ENDPOINTS.encKey.response)));
        answers.push(await send(t, ENDPOINTS.encKey.path, 'post', body, ENDPOINTS.encKey.response));
        for (const a of answers) expect(a).toEqual(answers[0]);
        expect(bench.issuedKeys.length - keys).toBe(1);

        const r2 = bench.junos.device('r2');
        const commits = r2.history().length;
        const stage = {
          requestId: randomUUID(),
          tx,
          device: 'r2',
          change: { config: { connectivityAssociations: [{ name: 'qkd-replay', securityMode: 'static-cak', cipherSuite: 'gcm-aes-256', preSharedKey: { ckn: answers[0]!.ckn, cak: { key: answers[0]!.keyId } } }] }, delete: [] },
          comment: 'replayed stage',
          confirmMinutes: 2,
        };
        await Promise.all([0, 1].map(() => send(t, ENDPOINTS.stage.path, 'post', stage, ENDPOINTS.stage.response)));
        await send(t, ENDPOINTS.stage.path, 'post', stage, ENDPOINTS.stage.response);
        expect(r2.history().length - commits).toBe(1);
        // Left unconfirmed: released, it rolls back at its timeout.
        await send(t, ENDPOINTS.releaseStaged.path, 'post', { requestId: randomUUID(), tx, device: 'r2' }, ENDPOINTS.releaseStaged.response);
        bench.junos.advance(3 * bench.junos.confirmMinuteMs);
        expect(r2.committedText()).not.toContain('qkd-replay');
      } finally {
        await send(t, ENDPOINTS.endTx.path, 'post', { requestId: randomUUID(), tx }, ENDPOINTS.endTx.response).catch(() => undefined);
        await t.dispatcher.close();
      }
      await expectSettled();
    });
  });
});
