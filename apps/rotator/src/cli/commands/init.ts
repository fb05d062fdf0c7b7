// `qkd-macsec init [--dry-run] [--json]`: the initial configuration on every device through the
// engine, idempotently — the diff per device, nothing changed where it is already right.
import { CliExit, EXIT_FAILED, EXIT_OK, loadOrExit, makeLogger, openRotator, type CliDeps, type GlobalOptions } from '../context.js';
import type { InitReport } from '../engine.js';
import { line } from '../io.js';
import { renderTable } from '../table.js';

export async function initCommand(deps: CliDeps, global: GlobalOptions, options: { dryRun?: boolean; json?: boolean }): Promise<number> {
  const { io } = deps;
  const logger = makeLogger(io, global);
  const config = await loadOrExit(io, global, logger);
  const rotator = await openRotator(deps, config, logger);
  let report: InitReport;
  try {
    report = await rotator.init({ dryRun: options.dryRun === true });
  } finally {
    await rotator.close();
  }
  line(io.stdout, options.json ? JSON.stringify(report, null, 2) : formatInit(report));
  if (report.errors.length > 0 || report.devices.some((d) => d.error !== undefined)) throw new CliExit(EXIT_FAILED);
  return EXIT_OK;
}

export function formatInit(report: InitReport): string {
  const out: string[] = [];
  out.push(
    renderTable(
      ['device', 'changes', 'result', 'error'],
      report.devices.map((d) => [
        d.device,
        d.changes.length,
        d.error !== undefined ? 'FAILED' : d.changes.length === 0 ? 'already right' : d.applied ? 'applied' : report.dryRun ? 'would apply' : 'not applied',
        d.error,
      ]),
    ),
  );
  for (const d of report.devices) {
    if (d.changes.length === 0) continue;
    out.push('', `${d.device}:`);
    for (const c of d.changes) out.push(`  ${c}`);
  }
  if (report.firstKeys.length > 0) {
    out.push('', 'first keys:');
    for (const k of report.firstKeys) out.push(`  ${k.link}: key_ID ${k.keyId}`);
  }
  for (const e of report.errors) out.push(`error: ${e}`);
  out.push('', report.dryRun ? 'dry run: nothing committed' : report.changed ? 'initial configuration applied' : 'every device was already configured; nothing changed');
  return out.join('\n');
}
