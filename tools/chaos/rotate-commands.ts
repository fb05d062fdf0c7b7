// `qkd-macsec rotate --link X` from the CLI while the daemon runs (it goes through the daemon's
// control endpoint), sometimes two at once on links that share a router — the issue's
// "two writers" — recorded with their exit codes and per-link results.
import type { Random } from './random.js';
import { runRotator, type RotatorCli } from './rotator.js';
import type { Topology } from './topology.js';

export interface RotateCommandRecord {
  name: string;
  links: string[];
  at: number;
  durationMs: number;
  code: number | null;
  signal: string | null;
  /** Per link: ok / failed / … as the JSON report says (absent when it printed none). */
  results?: Record<string, string>;
}

export interface RotateCommandsOptions {
  cli: RotatorCli;
  topology: Topology;
  random: Random;
  meanGapMs: number;
  timeoutMs: number;
  /** Commands go out only while this says the daemon is up. */
  daemonUp: () => boolean;
}

export interface RotateCommands {
  records: RotateCommandRecord[];
  /** One command now (no links: every link), outside the random schedule. */
  launch(links: string[]): void;
  stop(): Promise<void>;
}

/** Links to rotate together: one, or two neighbours sharing a router. */
function pickLinks(topology: Topology, random: Random): string[][] {
  const names = topology.links.map((l) => l.name);
  const chain = names.filter((n) => n.startsWith('p'));
  if (chain.length >= 2 && random.chance(0.3)) {
    const i = random.int(0, chain.length - 2);
    return [[chain[i]!], [chain[i + 1]!]]; // two commands at once, one router in common
  }
  return [[random.pick(names)]];
}

function parseRotateReport(stdout: readonly string[]): Record<string, string> | undefined {
  const text = stdout.join('\n');
  const start = text.indexOf('{');
  if (start === -1) return undefined;
  try {
    const report = JSON.parse(text.slice(start)) as { links?: Array<{ link?: unknown; result?: unknown }> };
    if (!Array.isArray(report.links)) return undefined;
    return Object.fromEntries(report.links.map((l) => [String(l.link), String(l.result)]));
  } catch {
    return undefined;
  }
}

export function startRotateCommands(o: RotateCommandsOptions): RotateCommands {
  const records: RotateCommandRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const one = async (links: string[]) => {
    const at = Date.now();
    const r = await runRotator(o.cli, 'rotate', ['rotate', ...links.flatMap((l) => ['--link', l]), '--json'], o.timeoutMs);
    const results = parseRotateReport(r.stdout);
    records.push({ name: r.name, links, at, durationMs: Date.now() - at, code: r.exit.code, signal: r.exit.signal, ...(results ? { results } : {}) });
  };
  const launch = (links: string[]) => {
    if (stopped) return;
    const p = one(links).catch(() => undefined);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const tick = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      if (!stopped && o.daemonUp()) for (const links of pickLinks(o.topology, o.random)) launch(links);
      tick();
    }, o.random.between(0.5, 1.5) * o.meanGapMs);
  };
  tick();
  return {
    records,
    launch,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
