// After the run: the figures, from ground truth where there is one — the simulators' key logs
// and link record, the rotator's state file — and from the rotator's own logs for what only it
// knows (which key became active). Then every output is scanned for every needle.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultEpisode } from './faults.js';
import { accountKeys, type StateView } from './key-accounting.js';
import { readKeyLog, type KeyLogEntry } from './key-log.js';
import { readLinkRecord, timeSince } from './link-record.js';
import type { Figures } from './report.js';
import type { RotateCommandRecord } from './rotate-commands.js';
import { readRotatorLogs } from './rotator-log.js';
import { buildNeedles, filesUnder, scanFiles, scanText, type Needles } from './scanner.js';
import { STATE_FILE } from './state-watch.js';
import type { DaemonExit, KillRecord } from './supervisor.js';
import type { Timing } from './timing.js';
import type { Topology } from './topology.js';
import type { World } from './world.js';

export interface CollectInput {
  world: World;
  topology: Topology;
  timing: Timing;
  seed: number;
  started: number;
  kills: KillRecord[];
  daemonExits: DaemonExit[];
  episodes: FaultEpisode[];
  commands: RotateCommandRecord[];
  quietWithinMs: number | null;
  /** Per cable, the longest stretch its ends' fallback keys differed (sampled each second). */
  fallbackKeysDiffered: Record<string, number>;
}

const count = <T>(items: readonly T[], key: (t: T) => string) => {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
};

/** Beside the state file (apps/rotator/src/state): the key_IDs, one JSON line each, and the links. */
const KEY_IDS_FILE = 'rotator-keyids.jsonl';
const LINKS_FILE = 'rotator-links.json';

/** The rotator's state as chaos reads it: key_IDs from their log, links from their file (a version 1 state file holds both itself). */
export function readStateView(stateDir: string): StateView {
  const statePath = join(stateDir, STATE_FILE);
  const logPath = join(stateDir, KEY_IDS_FILE);
  const file = existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as Partial<StateView>) : {};
  const linksPath = join(stateDir, LINKS_FILE);
  const links = existsSync(linksPath) ? (JSON.parse(readFileSync(linksPath, 'utf8')) as Pick<StateView, 'links'>).links : file.links;
  const state: StateView = { keyIds: { ...file.keyIds }, links: links ?? {} };
  if (existsSync(logPath)) {
    const text = readFileSync(logPath, 'utf8');
    // Whole lines only: a rotator killed mid-append leaves a torn last one.
    for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
      if (line === '') continue;
      const { keyId, ...entry } = JSON.parse(line) as { keyId: string; link?: string; kind?: string };
      state.keyIds[keyId] ??= entry;
    }
  }
  return state;
}

export async function collectFigures(c: CollectInput): Promise<{ figures: Figures; needles: Needles }> {
  const { world, topology } = c;
  const now = Date.now();
  const kmeLog = readKeyLog(world.keyLogs.kme);
  const junosLog = readKeyLog(world.keyLogs.junos);
  const state = readStateView(world.stateDir);
  const logs = readRotatorLogs(filesUnder(world.cli.logDir).filter((f) => f.endsWith('.stderr.log')));
  const record = await readLinkRecord(world.junosAdmin);
  const keys = accountKeys(topology, kmeLog, junosLog, state);

  // Rotations are what happened after the baseline; `init`'s first keys came before it.
  const afterBaseline = (e: KeyLogEntry) => Date.parse(e.at) >= c.world.baseline;
  // Fallback keys are rotated on their own schedule: counted apart.
  const isFallback = (k: string) => state.keyIds[k]?.kind === 'fallback' || logs.fetchedFallback.has(k) || logs.fallbackInstalled.has(k);
  const issuedAfter = new Set(kmeLog.filter(afterBaseline).map((e) => e.keyId!).filter(Boolean));
  const rotationKeys = new Set([...issuedAfter].filter((k) => !isFallback(k)));
  const fallbackKeys = [...issuedAfter].filter(isFallback);
  const succeeded = new Set([...logs.active.keys(), ...Object.values(state.links).map((l) => l.keyId ?? '')].filter((k) => rotationKeys.has(k)));
  const rolledBack = [...rotationKeys].filter((k) => !succeeded.has(k) && keys.installed.has(k));
  const notStaged = [...rotationKeys].filter((k) => !succeeded.has(k) && !keys.installed.has(k));
  const fetchFailed = logs.failures.get('fetch') ?? 0;

  const { linkDown, fallback } = linkTimes(record, world.baseline, now);

  const needles = buildNeedles([...kmeLog, ...junosLog]);
  const keysDir = join(world.dir, 'keys');
  const scan = scanFiles(
    filesUnder(world.dir).filter((f) => !f.startsWith(`${keysDir}/`)),
    needles,
  );

  const figures: Figures = {
    seed: c.seed,
    links: topology.links.length,
    devices: topology.devices.length,
    concurrency: topology.concurrency,
    slowDevice: topology.slowDevice,
    durationMs: now - c.started,
    timing: { confirmMinuteMs: c.timing.confirmMinuteMs, leadTimeSeconds: c.timing.leadTimeSeconds, intervalSeconds: c.timing.intervalSeconds, slowCommitMs: c.timing.slowCommitMs },
    rotations: {
      attempted: rotationKeys.size + fetchFailed,
      succeeded: succeeded.size,
      rolledBack: rolledBack.length,
      notStaged: notStaged.length,
      fetchFailed,
      failuresByPhase: Object.fromEntries(logs.failures),
    },
    fallbackRotations: { fetched: fallbackKeys.length, installed: fallbackKeys.filter((k) => logs.fallbackInstalled.has(k)).length },
    faults: { total: c.episodes.length, byKind: count(c.episodes, (e) => e.kind), refused: c.episodes.filter((e) => e.error !== undefined).length },
    kills: {
      total: c.kills.length,
      byStep: count(c.kills, (k) => k.plan),
      stepNotSeen: c.kills.filter((k) => k.stepNotSeen).length,
      restarts: count(c.kills, (k) => k.restart.category),
      list: c.kills.map((k) => ({ n: k.n, plan: k.plan, ...(k.trigger ? { after: `${k.trigger.step}${k.trigger.device ? ` ${k.trigger.device}` : ''}${k.trigger.link ? ` ${k.trigger.link}` : ''}` } : {}), restart: k.restart.category, restartDelayMs: k.restart.delayMs })),
      daemonExits: count(c.daemonExits, (e) => (e.signal ? `signal ${e.signal}` : `code ${e.code}`)),
    },
    rotateCommands: {
      total: c.commands.length,
      byExitCode: count(c.commands, (r) => (r.signal ? r.signal : String(r.code))),
      linkResults: count(c.commands.flatMap((r) => Object.values(r.results ?? {})), (v) => v),
    },
    linkDown,
    fallback: { ...fallback, keysDifferedLongestMs: c.fallbackKeysDiffered },
    keyIds: { issued: keys.issued.size, installed: keys.installed.size, installedTwice: keys.installedTwice.length, missingFromState: keys.missingFromState.length, cakNotFromQkd: keys.cakNotFromQkd },
    keyMaterial: { found: scan.leaks.length, files: scan.files, bytes: scan.bytes, needles: needles.count, leaks: scan.leaks.slice(0, 100) },
    end: {
      linksNotSecured: [...record.values()].filter((r) => r.state !== 'secured').map((r) => `${r.id} (${r.state})`),
      fallbackKeysDiffer: [...record.values()].filter((r) => !r.fallbackAgrees).map((r) => r.id), unresolvedJournals: Object.keys(state.journals ?? {}).length, quietWithinMs: c.quietWithinMs },
  };
  return { figures, needles };
}

/** How long the cables were down, and on their fallback key, since the baseline: in all and per cable. */
function linkTimes(record: Awaited<ReturnType<typeof readLinkRecord>>, baseline: number, now: number): { linkDown: Figures['linkDown']; fallback: Omit<Figures['fallback'], 'keysDifferedLongestMs'> } {
  const byCable: Figures['linkDown']['byCable'] = {};
  const fallbackByCable: Record<string, number> = {};
  let downMs = 0;
  let downIntervals = 0;
  let fallbackMs = 0;
  let fallbackIntervals = 0;
  for (const cable of record.values()) {
    const d = timeSince(cable.down, baseline, now);
    const f = timeSince(cable.fallback, baseline, now);
    downMs += d.ms;
    downIntervals += d.count;
    fallbackMs += f.ms;
    fallbackIntervals += f.count;
    if (d.count > 0) byCable[cable.id] = { ms: d.ms, intervals: d.count, reasons: [...new Set(cable.down.filter((i) => (i.to ?? now) >= baseline).map((i) => i.reason))] };
    if (f.ms > 0) fallbackByCable[cable.id] = f.ms;
  }
  return { linkDown: { ms: downMs, intervals: downIntervals, byCable }, fallback: { ms: fallbackMs, intervals: fallbackIntervals, byCable: fallbackByCable } };
}

/** The report itself is output too: its table and JSON are scanned before anyone sees them. */
export function scanReport(figures: Figures, rendered: string, needles: Needles): void {
  const leaks = [...scanText('the report (table)', rendered, needles), ...scanText('the report (JSON)', JSON.stringify(figures), needles)];
  if (leaks.length === 0) return;
  figures.keyMaterial.found += leaks.length;
  figures.keyMaterial.leaks.push(...leaks);
}
