// `qkd-macsec demo --sites`: three sites, each a sim-kme KME, sim-junos routers and a site agent
// (mutual TLS, started from its agent.yaml), and a coordinator built from a config file that
// names only the sites. init + N rotations through the same engine as `rotate`, the links as the
// simulator sees them, and who held which key material — counted: the KMEs from their key log,
// the agents from their key stores' counters, the coordinator by searching everything it logged,
// wrote, reported and exchanged with the agents for every key and CAK the KMEs handed out.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createAgentDirectory, type AgentExchange } from '../../agent/client/index.js';
import type { SitesBench } from '../../agent/simulated-sites.js';
import { loadConfig, type RotatorConfig } from '../../config/index.js';
import type { AgentDirectory } from '../../fleet/ops.js';
import { deviceConnector, kmeClientFactory } from '../../fleet/connectors.js';
import { createLogger } from '../../log/index.js';
import { defaultCreateRotator, type Rotator } from '../engine.js';
import { line } from '../io.js';
import { initAndRotate } from './demo-cycles.js';
import { linksView } from './links-table.js';
import type { DemoOptions, DemoResult } from './run-demo.js';
import { startSitesWorld, writeCoordinatorConfig, type SitesWorld } from './sites-world.js';
import { holders, readNeedles, scanAll, whoHeldTable } from './who-held.js';

export interface SitesDemoResult extends DemoResult {
  /** Keys/CAKs per process: coordinator, agent-<site>, KME-<site>. */
  held: Record<string, number>;
  /** What the coordinator scan covered. */
  scanned: { sources: number; bytes: number; exchanges: number };
}

export async function runSitesDemo(options: DemoOptions): Promise<SitesDemoResult> {
  const out = options.stdout;
  const log = coordinatorLog(options);
  const logger = log.logger;
  let world: SitesWorld | undefined;
  let rotator: Rotator | undefined;
  let agents: AgentDirectory | undefined;
  const exchanges: AgentExchange[] = [];
  const reports: string[] = [];
  try {
    world = await startSitesWorld({
      ...(options.tmpRoot !== undefined ? { tmpRoot: options.tmpRoot } : {}),
      ...(options.commitLatencyMs !== undefined ? { commitLatencyMs: options.commitLatencyMs } : {}),
    });
    const { bench, cables, simStart } = world;
    for (const [site, s] of Object.entries(bench.sites)) {
      const sae = s.saes.join(', ');
      line(out, `site ${site}: agent ${bench.agents[site]!.url}, KME_${site} ${bench.kme.kmes[`KME_${site}`]!.url} (${sae}), routers ${Object.keys(s.devices).join(', ')}`);
    }
    const coord = await writeCoordinatorConfig(bench, join(bench.dir, 'coordinator'), { leadTimeSeconds: options.leadTimeSeconds ?? 3 });
    await mkdir(coord.stateDir, { recursive: true, mode: 0o700 });
    line(out, `coordinator: ${coord.configFile} (sites only: no kmes, saes, devices or credentials but its own client certificate)`);
    const config = await loadConfig(coord.configFile, { env: {} });
    agents = createAgentDirectory(config, { logger, record: (e) => void exchanges.push(e) });
    rotator = await (options.createRotator ?? defaultCreateRotator)({
      config,
      logger,
      agents,
      // Empty: the config has no direct device or SAE, so these are never asked.
      connectDevice: deviceConnector(config, { logger }),
      kmeClientFor: kmeClientFactory(config, { logger }),
      startAfterConfirmTimeout: false,
      verifyDelayMs: 300,
    });

    const run = await initAndRotate(rotator, out, options.rotations, (r) => void reports.push(JSON.stringify(r)));
    let ok = run.ok;
    const status = await rotator.status().catch(() => []);
    reports.push(JSON.stringify(status));
    const keyOf = new Map<string, string | undefined>(status.map((s) => [s.link, s.keyId]));
    const links = linksView(bench.junos, cables, simStart, keyOf);
    if (!links.ok) ok = false;
    line(out, '\n== links (from the simulator) ==');
    line(out, links.table);

    const texts: Array<[string, string]> = [
      ['coordinator log', log.text()],
      ['coordinator reports', reports.join('\n')],
      ...exchanges.map((e, i): [string, string] => [`exchange ${i} ${e.site} ${e.path}`, JSON.stringify(e)]),
    ];
    const who = await showWhoHeld(out, bench, config, texts, [coord.dir], exchanges.length);
    if (!who.coordinatorHeldNone) ok = false;
    line(out, `\n${ok ? `all links secured; ${options.rotations} rotation${options.rotations === 1 ? '' : 's'} without a moment of link drop; the coordinator held no key` : 'the demo did NOT go as it should: see above'}`);
    if (options.keep) line(out, `kept ${bench.dir} (agent.yaml files, PKI, coordinator config and state, the simulators' key logs: KEY MATERIAL, delete it)`);
    return { ok, dir: bench.dir, cycles: run.cycles, downMs: links.downMs, fallbackMs: links.fallbackMs, held: who.held, scanned: { ...who.scanned, exchanges: exchanges.length } };
  } finally {
    await rotator?.close().catch(() => undefined);
    await agents?.close().catch(() => undefined);
    await world?.close({ keep: options.keep === true });
  }
}

/**
 * The coordinator's log: to stderr as usual, and kept for the scan. No log guard is told the
 * keys here (unlike the plain demo): the coordinator never learns them, and a guard that masked
 * them would hide the very leak the scan is there to find.
 */
function coordinatorLog(options: DemoOptions): { logger: ReturnType<typeof createLogger>; text(): string } {
  const logText: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logText.push(chunk.toString('utf8'));
      options.stderr.write(chunk);
      cb();
    },
  });
  return { logger: createLogger({ format: options.logFormat ?? 'pretty', level: options.logLevel ?? 'warn', stream }), text: () => logText.join('') };
}

/** Counts who held which key material (who-held.ts) and prints the table, and any key the coordinator held. */
async function showWhoHeld(out: DemoOptions['stdout'], bench: SitesBench, config: RotatorConfig, texts: Array<[string, string]>, dirs: string[], exchanges: number) {
  const needles = readNeedles(bench.keyLogs!, { cipherSuite: config.rotation.cipherSuite, strategy: config.rotation.ckn.strategy });
  const scan = scanAll(texts, dirs, needles);
  const { rows, held } = await holders(Object.keys(bench.sites).map((site) => ({ site, metricsUrl: bench.agents[site]!.metricsUrl! })), needles, scan, exchanges);
  line(out, `\n== who held which key material (${needles.keyIds.size} keys issued) ==`);
  line(out, whoHeldTable(rows));
  if (scan.found.size > 0) line(out, `\nthe coordinator held key material: ${[...new Set(scan.leaks.map((l) => `${l.where} (${l.form})`))].slice(0, 10).join('; ')}`);
  return { held, coordinatorHeldNone: scan.found.size === 0, scanned: { sources: scan.sources, bytes: scan.bytes } };
}
