// `qkd-macsec status [--json]`: per link the current key_ID, its age, the MKA state read live
// from every end, and the next rotation; then every unfinished transaction in the state with what
// happens to it next. Asked of the daemon when one holds the state; otherwise read here, without
// the state lock (status writes nothing).
import { readHolder, pidAlive } from '../../state/lock.js';
import { createStateStore } from '../../state/store.js';
import { hostname } from 'node:os';
import { daemonStatus, DaemonError, findDaemon } from '../control/client.js';
import { CliExit, EXIT_FAILED, EXIT_OK, loadOrExit, makeLogger, openRotator, type CliDeps, type GlobalOptions } from '../context.js';
import type { LinkStatus } from '../engine.js';
import { line } from '../io.js';
import type { ContractJournal } from '../pending.js';
import { buildStatusView, type StatusView } from '../status-view.js';
import { formatDuration, renderTable } from '../table.js';

export async function statusCommand(deps: CliDeps, global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const { io } = deps;
  const logger = makeLogger(io, global);
  const config = await loadOrExit(io, global, logger);
  const now = () => deps.clock?.() ?? new Date();
  let view: StatusView | undefined;
  const daemon = await findDaemon(config, io.env);
  if (daemon !== undefined) {
    try {
      view = await daemonStatus(daemon, []);
    } catch (err) {
      if (!(err instanceof DaemonError && /^cannot reach/.test(err.message))) throw err;
      logger.warn(`${err.message}; reading the state here`);
    }
  }
  if (view === undefined) {
    const rotator = await openRotator(deps, config, logger, undefined, { lock: false });
    let links: LinkStatus[];
    try {
      links = await rotator.status();
    } finally {
      await rotator.close();
    }
    const state = await createStateStore(config.stateDir).load();
    // A live writer (a `rotate` in progress) is in the middle of its journals; otherwise they are left over.
    const holder = await readHolder(config.stateDir);
    const writer = holder !== undefined && (holder.host !== hostname() || pidAlive(holder.pid)) ? holder : undefined;
    view = buildStatusView(links, Object.values(state.journals ?? {}) as ContractJournal[], now(), () => writer !== undefined, writer !== undefined ? { writer } : {});
  }
  line(io.stdout, options.json ? JSON.stringify(view, null, 2) : formatStatusView(view, now()));
  if (view.links.some((l) => !l.secured) || view.pending.some((t) => t.overdue && t.state === 'unresolved')) throw new CliExit(EXIT_FAILED);
  return EXIT_OK;
}

function formatStatusView(view: StatusView, now: Date): string {
  const out = [formatStatus(view.links, now)];
  if (view.pending.length > 0) out.push('', formatPending(view, now));
  return out.join('\n');
}

function formatStatus(links: LinkStatus[], now: Date): string {
  const mka = (l: LinkStatus) =>
    l.ends
      .map((e) => (e.error !== undefined ? `${e.device}: ${e.error}` : e.interfaces.map((i) => `${e.device} ${i.interface} ${i.state ?? (i.secured ? 'secured' : 'NOT secured')}`).join(', ')))
      .join('; ');
  const table = renderTable(
    ['link', 'secured', 'key_ID', 'age', 'next rotation', 'MKA (live)'],
    links.map((l) => [
      l.link,
      l.secured ? 'yes' : (l as LinkStatus & { onFallback?: boolean }).onFallback === true ? 'FALLBACK' : 'NO',
      l.keyId,
      l.ageSeconds !== undefined ? formatDuration(l.ageSeconds * 1000) : undefined,
      l.nextRotation !== undefined ? `${l.nextRotation} (${relative(Date.parse(l.nextRotation) - now.getTime())})` : undefined,
      mka(l),
    ]),
  );
  const bad = links.filter((l) => !l.secured).length;
  return `${table}\n\n${bad === 0 ? `all ${links.length} links secured` : `${bad} of ${links.length} links NOT secured`}`;
}

/** One row per link of each unfinished transaction, then who resolves them and when. */
function formatPending(view: StatusView, now: Date): string {
  const at = (iso: string | undefined) => (iso === undefined ? undefined : `${iso} (${relative(Date.parse(iso) - now.getTime(), 'ago')})`);
  const rows = view.pending.flatMap((t) =>
    t.links.map((l) => [
      t.cycleId.slice(0, 8),
      t.state,
      t.kind,
      l.link,
      l.keyId,
      t.decision !== undefined && l.decided ? `commit at ${t.decision.at}` : 'none',
      l.ends.map((e) => `${e.device} ${e.phase}`).join(', '),
      at(t.confirmDeadline),
      at(t.startsAt),
      l.text,
    ]),
  );
  const table = renderTable(['transaction', 'state', 'kind', 'link', 'key_ID', 'decision', 'ends', 'confirm deadline', 'start-time', 'next'], rows);
  const unresolved = view.pending.filter((t) => t.state === 'unresolved').length;
  const who =
    view.daemon !== undefined
      ? `the daemon (pid ${view.daemon.pid}) retries every ${view.daemon.resumeRetrySeconds} s until they are resolved`
      : view.writer !== undefined
        ? `pid ${view.writer.pid} (\`${view.writer.command}\`) is working on the state`
        : 'no rotator runs: the next `rotate`, `init` or `run` resolves them first';
  return `${table}\n\n${view.pending.length} unfinished transaction${view.pending.length === 1 ? '' : 's'} (${unresolved} unresolved); ${who}`;
}

function relative(ms: number, past = 'due'): string {
  if (ms > 0) return `in ${formatDuration(ms)}`;
  return past === 'due' ? 'due' : `${formatDuration(-ms)} ago`;
}
