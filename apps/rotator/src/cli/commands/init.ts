// `qkd-macsec init [--dry-run] [--json]`: the initial configuration on every device through the
// engine, idempotently — the diff per device, nothing changed where it is already right.
import { CliExit, EXIT_FAILED, EXIT_OK, loadOrExit, makeLogger, openRotator, type CliDeps, type GlobalOptions } from '../context.js';
import type { InitReport } from '../engine.js';
import { line } from '../io.js';
import { renderTable } from '../table.js';

export async function initCommand(deps: CliDeps, global: GlobalOptions, options: { dryRun?: boolean; json?: boolean; removeFieldScript?: boolean }): Promise<number> {
  const { io } = deps;
  const logger = makeLogger(io, global);
  const config = await loadOrExit(io, global, logger);
  const rotator = await openRotator(deps, config, logger);
  let report: InitReport;
  try {
    report = await rotator.init({ dryRun: options.dryRun === true, removeFieldScript: options.removeFieldScript === true });
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
      ['device', 'platform', 'field script', 'changes', 'result', 'error'],
      report.devices.map((d) => [
        d.device,
        d.platform ? `${d.platform.platform ?? '?'} (${d.platform.from})` : undefined,
        d.fieldScript ? `${d.fieldScript.version}${d.fieldScript.removed ? (report.dryRun ? ', would remove' : ', removed') : ''}` : undefined,
        d.changes.length,
        d.error !== undefined ? 'FAILED' : d.changes.length === 0 ? 'already right' : d.applied ? 'applied' : report.dryRun ? 'would apply' : 'not applied',
        d.error,
      ]),
    ),
  );
  for (const d of report.devices) {
    if (d.fieldScript) {
      out.push('', `${d.device}: found the field script (${d.fieldScript.version}):`);
      for (const a of d.fieldScript.artefacts) out.push(`  ${a}`);
    }
    if (d.changes.length === 0) continue;
    out.push('', `${d.device}:`);
    for (const c of d.changes) out.push(`  ${c}`);
  }
  if (report.firstKeys.length > 0) {
    out.push('', 'first keys:');
    for (const k of report.firstKeys) out.push(`  ${k.link}: key_ID ${k.keyId}`);
  }
  if (report.fallbackKeys?.length) {
    out.push('', 'fallback keys:');
    for (const k of report.fallbackKeys) out.push(`  ${k.link}: key_ID ${k.keyId}`);
  }
  for (const n of report.notes ?? []) out.push(`note: ${n}`);
  for (const e of report.errors) out.push(`error: ${e}`);
  out.push('', summary(report));
  return out.join('\n');
}

/** The last line: what happened, never "nothing changed" about a device that was not reached. */
function summary(report: InitReport): string {
  const failed = report.devices.filter((d) => d.error !== undefined);
  const others = report.devices.length - failed.length;
  if (failed.length === 0 && report.errors.length === 0) return report.dryRun ? 'dry run: nothing committed' : report.changed ? 'initial configuration applied' : 'every device was already configured; nothing changed';
  const notDone = failed.length
    ? `${failed.length} of ${report.devices.length} device${report.devices.length === 1 ? '' : 's'} could not be ${report.dryRun ? 'checked' : 'configured'} (${failed.map((d) => d.device).join(', ')}): see the errors above`
    : `${report.errors.length} error${report.errors.length === 1 ? '' : 's'} (see above)`;
  const rest = report.dryRun
    ? 'dry run: nothing committed'
    : others === 0
      ? 'nothing was configured'
      : report.devices.some((d) => d.applied)
        ? `the changes on the other ${others} were applied`
        : report.changed
          ? `nothing was applied on the other ${others}`
          : `the other ${others} were already configured`;
  return `${notDone}; ${rest}. Run \`qkd-macsec init\` again once ${failed.length ? 'they are' : 'it is'} reachable.`;
}
