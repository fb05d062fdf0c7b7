// `qkd-macsec rotate [--link NAME]... [--dry-run] [--json]`: one cycle through the engine — the
// local one under the state directory's lock, or, while a daemon holds the state, the daemon's
// (through its control endpoint; same progress, table and exit code).
// Progress per link on stderr, then a summary table (or the report as JSON) on stdout.
// Exit 1 when any link failed.
import type { RotatorConfig } from '../../config/index.js';
import type { RotatorLogger } from '../../log/index.js';
import { daemonRotate, DaemonError, findDaemon } from '../control/client.js';
import { CliExit, EXIT_FAILED, EXIT_OK, checkLinkNames, loadOrExit, makeLogger, openRotator, type CliDeps, type GlobalOptions } from '../context.js';
import type { WaitInfo } from '../../engine/types.js';
import type { CycleReport, ProgressEvent } from '../engine.js';
import { line } from '../io.js';
import { createProgress } from '../progress.js';
import { formatDuration, renderTable } from '../table.js';

export interface RotateOptions {
  link?: string[];
  dryRun?: boolean;
  json?: boolean;
  /** Return once every end is confirmed; the daemon (or the next run's resume) verifies after the start-time. */
  noWait?: boolean;
}

export async function rotateCommand(deps: CliDeps, global: GlobalOptions, options: RotateOptions): Promise<number> {
  const { io } = deps;
  // With JSON logs, stderr stays one JSON object per line: progress becomes log lines too.
  const progress = global.logFormat === 'json' ? undefined : createProgress(io.stderr);
  const logger = makeLogger(io, global, progress?.logStream);
  const onProgress = progress !== undefined ? (e: ProgressEvent) => progress.onProgress(e) : (e: ProgressEvent) => logger.info(`progress ${e.phase}`, { ...e });
  const config = await loadOrExit(io, global, logger);
  const links = options.link ?? [];
  checkLinkNames(io, config, links);
  const request = { ...(links.length > 0 ? { links } : {}), dryRun: options.dryRun === true, ...(options.noWait === true ? { noWait: true } : {}) };
  let report: CycleReport;
  try {
    // Waiting for the start-time: a countdown on a terminal, one log line otherwise.
    const onWait = progress !== undefined ? (w: WaitInfo) => progress.onWait(w) : (w: WaitInfo) => logger.info(`waiting until ${w.until}: ${w.reason}`, { links: w.links });
    report = (await viaDaemon(deps, config, logger, request, onProgress, onWait)) ?? (await locally(deps, config, logger, { ...request, onProgress, onWait }));
  } finally {
    progress?.finish();
  }
  if (options.json) line(io.stdout, JSON.stringify(report, null, 2));
  else line(io.stdout, formatCycle(report));
  if (report.links.some((l) => l.result === 'failed')) throw new CliExit(EXIT_FAILED);
  return EXIT_OK;
}

async function locally(deps: CliDeps, config: RotatorConfig, logger: RotatorLogger, options: Parameters<Awaited<ReturnType<typeof openRotator>>['rotate']>[0]): Promise<CycleReport> {
  const rotator = await openRotator(deps, config, logger);
  try {
    return await rotator.rotate(options);
  } finally {
    await rotator.close();
  }
}

/** The daemon's report, or undefined when no daemon runs (or its record is left from one that is gone). */
async function viaDaemon(
  deps: CliDeps,
  config: RotatorConfig,
  logger: RotatorLogger,
  request: { links?: string[]; dryRun: boolean; noWait?: boolean },
  onProgress: (e: ProgressEvent) => void,
  onWait: (w: WaitInfo) => void,
): Promise<CycleReport | undefined> {
  const daemon = await findDaemon(config, deps.io.env);
  if (daemon === undefined) return undefined;
  logger.info(`the daemon${daemon.record.pid ? ` (pid ${daemon.record.pid})` : ''} holds the state: rotating through it at ${daemon.record.url}`);
  try {
    return await daemonRotate(daemon, request, onProgress, (m) => logger.info(`daemon: ${m}`), onWait);
  } catch (err) {
    if (err instanceof DaemonError && /^cannot reach/.test(err.message)) {
      // A record without a daemon behind it: the lock decides whether one still runs.
      logger.warn(`${err.message}; trying locally`);
      return undefined;
    }
    throw err;
  }
}

/** The summary table of a cycle: link, result, key_ID, devices, duration, error; then a count line. */
export function formatCycle(report: CycleReport): string {
  const out: string[] = [];
  for (const r of report.resumed ?? []) {
    out.push(`resumed ${r.link}: key ${r.keyId} ${r.outcome} on ${r.devices.join(', ')}${r.message !== undefined ? ` (${r.message})` : ''}`);
  }
  if (out.length > 0) out.push('');
  out.push(
    renderTable(
      ['link', 'result', 'key_ID', 'devices', 'duration', 'error'],
      report.links.map((l) => [
        l.link,
        report.dryRun === true && l.result === 'ok' ? 'would rotate' : l.result,
        l.keyId,
        l.devices.join(','),
        formatDuration(l.durationMs),
        l.error === undefined ? undefined : `${l.error.phase}${l.error.device !== undefined ? ` on ${l.error.device}` : ''}: ${l.error.message}`,
      ]),
    ),
  );
  if (report.dryRun === true) {
    for (const l of report.links) {
      for (const p of l.plan ?? []) {
        const parts = [p.slot !== undefined ? `new key in slot ${p.slot}` : 'replace the static CAK', p.deleteSlots?.length ? `prune slots ${p.deleteSlots.join(', ')}` : undefined];
        out.push(`  ${l.link} ${p.device}: ${parts.filter(Boolean).join(', ')}`);
      }
    }
  }
  const notHitless = report.links.filter((l) => l.hitless === false && l.result === 'ok').map((l) => l.link);
  if (notHitless.length > 0) out.push('', `static-cak mode: ${notHitless.join(', ')} replaced the key end by end, not hitless (a short drop per link)`);
  const ok = report.links.filter((l) => l.result === 'ok').length;
  const failed = report.links.filter((l) => l.result === 'failed').length;
  const skipped = report.links.length - ok - failed;
  const took = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  out.push('');
  out.push(
    `${report.dryRun === true ? 'dry run: nothing fetched or changed; ' : ''}${ok} ok, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''} in ${formatDuration(took)}`,
  );
  return out.join('\n');
}
