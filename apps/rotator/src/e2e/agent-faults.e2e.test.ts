// Issue 11's fault tests in agent mode: three sites (dc1: r1 r3 in this process; dc2: r2 and dc3: r4
// as real `qkd-macsec agent` child processes), each with its own sim-kme KME, sim-junos devices over
// real SSH/NETCONF, mutual TLS between the coordinator (createRotator here, sites-only config) and
// the agents. L1 r1→r2 (dc1→dc2), L2 r3→r4 (dc1→dc3), L3 r4→r2 (dc3→dc2, its master behind a child).
// Every fault ends with zero link-down time on the simulator and no key_ID installed twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSitesBench, type SitesBench } from '../agent/testing/sites.js';
import type { CycleReport, EngineHooks, EngineLink } from '../engine/index.js';
import { portOf, startAgentChild, type AgentChild } from './agent-child.js';
import { coordinators, type Coordinators, type CoordinatorOptions } from './agent-coordinator.js';

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
});
