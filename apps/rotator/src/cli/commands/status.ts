// `qkd-macsec status [--json]`: per link the current key_ID, its age, the MKA state read live
// from every end, and the next rotation.
import { CliExit, EXIT_FAILED, EXIT_OK, loadOrExit, makeLogger, openRotator, type CliDeps, type GlobalOptions } from '../context.js';
import type { LinkStatus } from '../engine.js';
import { line } from '../io.js';
import { formatDuration, renderTable } from '../table.js';

export async function statusCommand(deps: CliDeps, global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const { io } = deps;
  const logger = makeLogger(io, global);
  const config = await loadOrExit(io, global, logger);
  const rotator = await openRotator(deps, config, logger);
  let links: LinkStatus[];
  try {
    links = await rotator.status();
  } finally {
    await rotator.close();
  }
  line(io.stdout, options.json ? JSON.stringify({ links }, null, 2) : formatStatus(links, deps.clock?.() ?? new Date()));
  if (links.some((l) => !l.secured)) throw new CliExit(EXIT_FAILED);
  return EXIT_OK;
}

export function formatStatus(links: LinkStatus[], now: Date): string {
  const mka = (l: LinkStatus) =>
    l.ends
      .map((e) => (e.error !== undefined ? `${e.device}: ${e.error}` : e.interfaces.map((i) => `${e.device} ${i.interface} ${i.state ?? (i.secured ? 'secured' : 'NOT secured')}`).join(', ')))
      .join('; ');
  const table = renderTable(
    ['link', 'secured', 'key_ID', 'age', 'next rotation', 'MKA (live)'],
    links.map((l) => [
      l.link,
      l.secured ? 'yes' : 'NO',
      l.keyId,
      l.ageSeconds !== undefined ? formatDuration(l.ageSeconds * 1000) : undefined,
      l.nextRotation !== undefined ? `${l.nextRotation} (${relative(Date.parse(l.nextRotation) - now.getTime())})` : undefined,
      mka(l),
    ]),
  );
  const bad = links.filter((l) => !l.secured).length;
  return `${table}\n\n${bad === 0 ? `all ${links.length} links secured` : `${bad} of ${links.length} links NOT secured`}`;
}

function relative(ms: number): string {
  return ms <= 0 ? 'due' : `in ${formatDuration(ms)}`;
}
